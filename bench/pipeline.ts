/**
 * The Prometheus side of the benchmarks, end to end:
 *  1. backfill the raw history (bench/backfill.ts), ending FUTURE_MARGIN past the wall clock so
 *     rules evaluated "now" see full windows however long the backfill took;
 *  2. backfill the recorded series the dashboards and the rules themselves read with `promtool tsdb
 *     create-blocks-from rules`, one dependency level at a time (a rule reads the recorded series
 *     of the levels below, as it does live), and let Prometheus merge the overlapping blocks;
 *  3. rules: restart with the rendered rule files and time every group (bench/rules.ts), each
 *     group evaluated every MEASURE_EVERY_SECONDS and judged against its rendered interval;
 *  4. queries: restart without rules (and without the live rule results) and time every panel
 *     query (bench/queries.ts).
 * Prometheus is stopped by PID when done, also on failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { Catalog } from '../catalog';
import { planDataset, type DatasetScale } from './dataset';
import { backfillRaw, moveBlocks, timeGrid, type RawBackfill } from './backfill';
import { directlyRecorded, type RecordingDefinition } from './expand';
import { backfillLevels } from './ruleLevels';
import { PrometheusServer, sleep } from './prometheus';
import { run, toolVersion } from './proc';
import { RAW_CAP_SECONDS, benchmarkDashboards, recordedSeriesUsed, summarizeDashboards, type DashboardResult, type PanelResult } from './queries';
import { measureRuleGroups, type RuleGroupResult } from './rules';
import { benchPrometheusConfig, groupIntervals, stackInputs, writeRuleFiles, type StackInputs } from './stackInputs';

/** How far the history runs past the wall clock when it is generated. */
const FUTURE_MARGIN_SECONDS = 15 * 60;
/** Evaluations of every rule group to observe. */
const RULE_EVALUATIONS = 5;
/**
 * While rule groups are timed they run this often, whatever their rendered interval: what a group
 * costs does not depend on how often it runs, and 5 evaluations then take about a minute instead
 * of three at a 30 s interval. Shares are taken against the rendered intervals.
 */
const MEASURE_EVERY_SECONDS = 10;

export interface PrometheusBenchOptions {
  readonly root: string;
  readonly stack: string;
  readonly scale: DatasetScale;
  readonly rules: boolean;
  readonly queries: boolean;
  readonly workDir: string;
  readonly catalog: Catalog;
  readonly dashboardsDir?: string;
  readonly log: (l: string) => void;
}

export interface RulesBackfill {
  readonly rules: number;
  readonly records: readonly string[];
  /** Dependency levels backfilled one after the other (bench/ruleLevels.ts). */
  readonly levels: number;
  readonly seconds: number;
  readonly compactionWaitSeconds: number;
}

export interface PrometheusBenchResult {
  readonly prometheusVersion: string;
  readonly stack: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly scale: DatasetScale;
  readonly backfill: RawBackfill;
  readonly rules?: readonly RuleGroupResult[];
  /** Time cap of the raw query rewrites, seconds (bench/queries.ts). */
  readonly rawCapSeconds?: number;
  /** How often rule groups ran while they were timed. */
  readonly measuredEverySeconds?: number;
  readonly rulesBackfill?: RulesBackfill;
  readonly panels?: readonly PanelResult[];
  readonly dashboards?: readonly DashboardResult[];
  readonly dashboardCount: number;
}

/** Blocks on disk now. Prometheus deletes blocks it has just compacted, so one may vanish between listing and reading. */
function blockMetas(dataDir: string): { dir: string; minTime: number; maxTime: number }[] {
  const out: { dir: string; minTime: number; maxTime: number }[] = [];
  for (const d of fs.readdirSync(dataDir).filter((name) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(name))) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dataDir, d, 'meta.json'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const meta = JSON.parse(text) as { minTime: number; maxTime: number };
    out.push({ dir: d, minTime: meta.minTime, maxTime: meta.maxTime });
  }
  return out;
}

export function overlapping(blocks: readonly { minTime: number; maxTime: number }[]): boolean {
  const s = [...blocks].sort((a, b) => a.minTime - b.minTime);
  return s.some((b, i) => i > 0 && b.minTime < s[i - 1].maxTime);
}

/**
 * Prometheus merges overlapping blocks (backfilled rules over raw history) about a minute after it
 * starts; timing queries during that would measure the merge. Waits until no blocks overlap, or
 * the block set has not changed for a minute after the first compaction chance.
 */
async function waitForCompaction(dataDir: string, log: (l: string) => void): Promise<number> {
  const t0 = Date.now();
  let last = '';
  let changed = Date.now();
  while (Date.now() - t0 < 600_000) {
    const metas = blockMetas(dataDir);
    if (!overlapping(metas)) break;
    const key = metas.map((m) => m.dir).sort().join(',');
    if (key !== last) {
      last = key;
      changed = Date.now();
    }
    const busy = fs.readdirSync(dataDir).some((d) => d.endsWith('.tmp-for-creation'));
    if (!busy && Date.now() - t0 > 90_000 && Date.now() - changed > 60_000) {
      log('queries: warning: Prometheus left overlapping blocks unmerged; measuring anyway');
      break;
    }
    await sleep(1000);
  }
  return (Date.now() - t0) / 1000;
}

/** Waits until the running server has merged the backfilled blocks; adds the wait to the result. */
async function mergeBackfilledBlocks(dataDir: string, result: { rulesBackfill?: RulesBackfill }, log: (l: string) => void): Promise<void> {
  if (!overlapping(blockMetas(dataDir))) return;
  log('queries: waiting for Prometheus to merge the backfilled blocks');
  const waited = await waitForCompaction(dataDir, log);
  if (result.rulesBackfill) result.rulesBackfill = { ...result.rulesBackfill, compactionWaitSeconds: result.rulesBackfill.compactionWaitSeconds + waited };
}

function writeConfig(inputs: StackInputs, dir: string, ruleFiles: readonly string[], name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, benchPrometheusConfig(inputs, ruleFiles));
  return file;
}

/** Recorded series that recording rules read (their history changes what a rule costs). */
export function recordedSeriesReadByRules(recordings: readonly RecordingDefinition[]): Set<string> {
  const names = new Set(recordings.map((r) => r.record));
  const out = new Set<string>();
  for (const r of recordings) for (const n of directlyRecorded(r.expr, names)) out.add(n);
  return out;
}

/** One `promtool tsdb create-blocks-from rules` per part, two in parallel; the blocks move into dataDir. */
async function promtoolRuleBackfill(url: string, rules: readonly RecordingDefinition[], name: string, grid: RawBackfill, evalInterval: string, runDir: string, dataDir: string): Promise<void> {
  // Two promtools, balanced by expression length (a rough proxy for cost).
  const parts: RecordingDefinition[][] = [[], []];
  const load = [0, 0];
  for (const r of [...rules].sort((a, b) => b.expr.length - a.expr.length)) {
    const i = load[0] <= load[1] ? 0 : 1;
    parts[i].push(r);
    load[i] += r.expr.length;
  }
  await Promise.all(
    parts
      .filter((part) => part.length > 0)
      .map((part, i) => {
        const file = path.join(runDir, `backfill-${name}-${i}.yml`);
        fs.writeFileSync(file, yaml.dump({ groups: [{ name: `bench-backfill-${name}-${i}`, rules: part }] }, { lineWidth: -1 }));
        const out = path.join(runDir, `rule-blocks-${name}-${i}`);
        fs.rmSync(out, { recursive: true, force: true });
        fs.mkdirSync(out);
        return run(
          'promtool',
          ['tsdb', 'create-blocks-from', 'rules', '--quiet', `--url=${url}`, `--start=${grid.startSeconds}`, `--end=${grid.endSeconds}`, `--eval-interval=${evalInterval}`, `--output-dir=${out}`, file],
          'promtool create-blocks-from rules',
        ).then(() => moveBlocks(out, dataDir));
      }),
  );
}

/**
 * Backfills the given recorded series and the recorded series their rules read, level by level
 * (bench/ruleLevels.ts): after each level Prometheus restarts so the next level's rules read the
 * blocks just written. Starts and stops its own Prometheus; returns what it did.
 */
async function backfillRecordingRules(inputs: StackInputs, used: ReadonlySet<string>, grid: RawBackfill, runDir: string, dataDir: string, configFile: string, log: (l: string) => void): Promise<Omit<RulesBackfill, 'compactionWaitSeconds'>> {
  const evalInterval = `${inputs.evalSeconds}s`;
  const levels = backfillLevels(inputs.recordings, used);
  const rules = levels.flat();
  if (rules.length === 0) return { rules: 0, records: [], levels: 0, seconds: 0 };
  const records = [...new Set(rules.map((r) => r.record))].sort();
  log(`backfill: ${rules.length} recording rules (${records.length} recorded series) with promtool in ${levels.length} dependency levels`);
  const t0 = process.hrtime.bigint();
  for (const [i, level] of levels.entries()) {
    const server = await PrometheusServer.start({ dataDir, configFile, logFile: path.join(runDir, `prometheus-backfill-${i}.log`) });
    try {
      await promtoolRuleBackfill(server.url, level, `level${i}`, grid, evalInterval, runDir, dataDir);
    } finally {
      await server.stop();
    }
  }
  return { rules: rules.length, records, levels: levels.length, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export async function runPrometheusBench(opts: PrometheusBenchOptions): Promise<PrometheusBenchResult> {
  const log = opts.log;
  const inputs = stackInputs(opts.root, opts.stack, opts.dashboardsDir);
  const runDir = path.join(opts.workDir, 'run');
  fs.rmSync(runDir, { recursive: true, force: true });
  const dataDir = path.join(runDir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const rulesDir = path.join(runDir, 'rules');
  const intervals = groupIntervals(inputs);
  const measureEvery = Math.min(MEASURE_EVERY_SECONDS, ...intervals.values());
  const ruleFiles = writeRuleFiles(inputs.ruleFiles, rulesDir, `${measureEvery}s`);
  const ruleGroupLabels = inputs.ruleFiles.flatMap((f, i) => f.groups.map((g) => `${ruleFiles[i]};${g.name}`));

  const plan = planDataset(inputs.config, opts.catalog, opts.scale, ruleGroupLabels);
  const grid = timeGrid(Math.floor(Date.now() / 1000) + FUTURE_MARGIN_SECONDS, opts.scale.hours, inputs.scrapeSeconds);
  const backfill = await backfillRaw(plan, grid, runDir, dataDir, log);
  const result: { -readonly [K in keyof PrometheusBenchResult]: PrometheusBenchResult[K] } = {
    prometheusVersion: toolVersion('prometheus'),
    stack: opts.stack,
    scrapeInterval: inputs.config.scrapeInterval,
    evaluationInterval: inputs.config.evaluationInterval,
    scale: opts.scale,
    backfill,
    dashboardCount: inputs.dashboards.length,
  };

  let server: PrometheusServer | undefined;
  try {
    const noRules = writeConfig(inputs, runDir, [], 'prometheus-norules.yml');
    const used = new Set<string>();
    if (opts.queries) for (const n of recordedSeriesUsed(inputs.dashboards, inputs.recordings, inputs.scrapeSeconds)) used.add(n);
    if (opts.rules) for (const n of recordedSeriesReadByRules(inputs.recordings)) used.add(n);
    if (opts.queries && inputs.dashboards.length === 0) log('queries: warning: the stack renders no dashboards; nothing to time');
    if (used.size > 0) {
      const rb = await backfillRecordingRules(inputs, used, backfill, runDir, dataDir, noRules, log);
      result.rulesBackfill = { ...rb, compactionWaitSeconds: 0 };
    }
    // The next server merges the backfilled rule blocks into the raw ones about a minute after it
    // starts. Rule timing overlaps that merge (it takes a few seconds of CPU: the series do not
    // overlap, so chunks are copied, not re-encoded); query timing waits for it.
    const first = opts.rules ? writeConfig(inputs, runDir, ruleFiles, 'prometheus-rules.yml') : noRules;
    server = await PrometheusServer.start({ dataDir, configFile: first, logFile: path.join(runDir, opts.rules ? 'prometheus-rules.log' : 'prometheus-queries.log') });
    log(`bench: Prometheus ${server.url} (pid ${server.pid})`);
    if (opts.rules) {
      const groupRules = new Map(inputs.ruleFiles.flatMap((f) => f.groups.map((g) => [g.name, g.rules] as const)));
      result.measuredEverySeconds = measureEvery;
      result.rules = await measureRuleGroups(server, groupRules, intervals, RULE_EVALUATIONS, (RULE_EVALUATIONS + 2) * measureEvery + 60, log);
      if (opts.queries && inputs.dashboards.length > 0) {
        // This server started the merge while rules were timed; let it finish here rather than
        // have the next server start it again a minute after its own start.
        await mergeBackfilledBlocks(dataDir, result, log);
        await server.stop();
        // Live rule results must not mix with the backfilled ones: drop the head, keep the blocks.
        for (const d of ['wal', 'chunks_head', 'wbl']) fs.rmSync(path.join(dataDir, d), { recursive: true, force: true });
        server = await PrometheusServer.start({ dataDir, configFile: noRules, logFile: path.join(runDir, 'prometheus-queries.log') });
      }
    }
    if (opts.queries && inputs.dashboards.length > 0) {
      await mergeBackfilledBlocks(dataDir, result, log);
      log(`queries: Prometheus ${server.url} (pid ${server.pid})`);
      result.rawCapSeconds = RAW_CAP_SECONDS;
      result.panels = await benchmarkDashboards(server, inputs.dashboards, inputs.recordings, {
        scrapeSeconds: inputs.scrapeSeconds,
        evalInterval: `${inputs.evalSeconds}s`,
        endSeconds: backfill.endSeconds,
        log,
      });
      result.dashboards = summarizeDashboards(inputs.dashboards, result.panels);
    }
  } finally {
    await server?.stop();
  }
  return result;
}
