/**
 * Benchmark results as JSON — render.json, and prometheus.json for the last queries/rules run — and
 * one Markdown report, latest.md, rebuilt from whichever JSON files exist (so `render` alone keeps
 * the last Prometheus results and vice versa).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PrometheusBenchResult } from './pipeline';
import type { RenderResult } from './render';
import { RAW_CAP_SECONDS, type DashboardResult } from './queries';
import { MAX_SHARE } from './rules';

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly date: string;
}

export function machine(): Machine {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}

export interface Stored<T> {
  readonly machine: Machine;
  readonly result: T;
}

/** The API Performance dashboard must be this many times cheaper as rendered than raw at 24 h. */
export const MIN_RATIO_24H = 10;
export const API_PERFORMANCE_UID = 'obs-api-performance';

export function writeJson(dir: string, name: 'render' | 'prometheus', result: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ machine: machine(), result }, null, 2)}\n`);
}

function readJson<T>(dir: string, name: string): Stored<T> | undefined {
  const f = path.join(dir, `${name}.json`);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as Stored<T>) : undefined;
}

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const sec = (x: number) => (x < 0.01 ? `${(x * 1000).toFixed(2)} ms` : x < 1 ? `${(x * 1000).toFixed(0)} ms` : `${x.toFixed(2)} s`);
const num = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(1)}G` : x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : String(Math.round(x)));
const esc = (s: string) => s.replace(/\|/g, '\\|');
/** "≥ " when a raw query hit the time cap, so the raw total and the ratio are lower bounds. */
const atLeast = (d: DashboardResult) => (d.rawTimedOut > 0 ? '≥ ' : '');

function machineLine(m: Machine): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, run ${m.date}`;
}

function renderSection(s: Stored<RenderResult>): string[] {
  const r = s.result;
  const out = [
    '## Render scaling (`npm run bench -- render`)',
    '',
    `Machine: ${machineLine(s.machine)}. Synthetic docker stack; parseStackConfig + renderStack per run, each size in a fresh process.`,
    '',
    '| apps | cold first render (ms) | warm median (ms) | warm min–max (ms) | peak RSS (MB) | files | output bytes |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.sizes.map((z) => `| ${z.apps} | ${ms(z.coldMs)} | ${ms(z.medianMs)} | ${ms(z.minMs)}–${ms(z.maxMs)} | ${z.peakRssMb.toFixed(0)} | ${z.files} | ${num(z.bytes)} |`),
    '',
    `Marginal cost per application (100 → 1,000 apps): **${r.marginalMsPerApp.toFixed(3)} ms** and ${(r.marginalMbPerApp * 1024).toFixed(0)} KB peak memory.`,
    `Growth: the app-dependent time grows as apps^${r.growth.toFixed(2)} between 1,000 and 2,000 apps (fastest of 8 warm runs, sizes interleaved in one process; 1 = linear, 2 = quadratic): **${r.growth < 1.3 ? 'linear' : 'worse than linear'}**.`,
    '',
  ];
  return out;
}

function prometheusSections(s: Stored<PrometheusBenchResult>): string[] {
  const r = s.result;
  const b = r.backfill;
  const out = [
    '## Data set',
    '',
    `Machine: ${machineLine(s.machine)}. ${r.prometheusVersion}. Stack \`${r.stack}\` (scrape ${r.scrapeInterval}, evaluation ${r.evaluationInterval}).`,
    '',
    `${num(b.series)} series x ${num(b.samples / b.series)} samples = ${num(b.samples)} samples (${((b.endSeconds - b.startSeconds + b.intervalSeconds) / 3600).toFixed(0)} h at ${b.intervalSeconds} s): ` +
      `${r.scale.routes} routes x ${r.scale.methods} methods x ${r.scale.statuses} statuses x ${r.scale.pods} pods on http_requests_total, ` +
      `${r.scale.histogramStatuses} status(es) on the latency histogram, plus db/redis/cache and exporter series. ` +
      `Backfill: ${(b.bytes / 1e9).toFixed(1)} GB of OpenMetrics, ${b.totalSeconds.toFixed(0)} s to blocks.` +
      (r.rulesBackfill ? ` Recording rules backfilled: ${r.rulesBackfill.rules} rules in ${r.rulesBackfill.levels} dependency levels, ${r.rulesBackfill.seconds.toFixed(0)} s; block merge wait ${r.rulesBackfill.compactionWaitSeconds.toFixed(0)} s.` : ''),
    '',
  ];
  if (r.rules) {
    out.push(
      '## Rule evaluation (`npm run bench -- rules`)',
      '',
      `prometheus_rule_group_last_duration_seconds over ${r.rules[0]?.durationsSeconds.length ?? 0} evaluations per group, each group run every ${r.measuredEverySeconds ?? '?'} s while measured (a group costs the same however often it runs); bound: ${MAX_SHARE * 100}% of the rendered interval.`,
      '',
      '| group | rules | interval | median | max | share of interval | samples written | failures | within bound |',
      '|---|---:|---:|---:|---:|---:|---:|---:|:---:|',
      ...r.rules.map(
        (g) =>
          `| ${g.group} | ${g.rules} | ${g.intervalSeconds} s | ${sec(g.medianSeconds)} | ${sec(g.maxSeconds)} | ${(g.shareOfInterval * 100).toFixed(2)}% | ${g.samples} | ${g.failures} | ${g.shareOfInterval < MAX_SHARE ? 'yes' : '**no**'} |`,
      ),
      '',
    );
  }
  if (r.dashboards) {
    out.push(
      '## Dashboard queries (`npm run bench -- queries`)',
      '',
      'Every panel query through the HTTP API as Grafana sends it for a 1000 px panel (step = range/1000 rounded as Grafana rounds, at least the scrape interval), ' +
        'server time from `stats=all` (evalTotalTime, best of 2 runs; queries over 1 s run once), as rendered and with recording rules expanded to their raw expressions. ' +
        `A raw query still running after ${r.rawCapSeconds ?? RAW_CAP_SECONDS} s is stopped and counted as ${r.rawCapSeconds ?? RAW_CAP_SECONDS} s (and not rerun over a longer range), so totals and ratios marked ≥ are lower bounds.`,
      '',
      '| dashboard | range | queries | rendered | raw | raw / rendered | slowest panel (rendered) | samples rendered | samples raw | errors |',
      '|---|---|---:|---:|---:|---:|---|---:|---:|---:|',
      ...r.dashboards.map(
        (d) =>
          `| ${esc(d.title)} | ${d.range} | ${d.queries} | ${sec(d.recordedSeconds)} | ${atLeast(d)}${sec(d.rawSeconds)} | ${atLeast(d)}${d.ratio.toFixed(1)}x | ${esc(d.slowestPanel)} ${sec(d.slowestSeconds)} | ${num(d.recordedSamples)} | ${atLeast(d)}${num(d.rawSamples)} | ${d.errors} |`,
      ),
      '',
    );
    const api = r.dashboards.find((d) => d.uid === API_PERFORMANCE_UID && d.range === '24h');
    out.push(
      api
        ? `API Performance at 24 h: raw / rendered = **${atLeast(api)}${api.ratio.toFixed(1)}x** (target ≥ ${MIN_RATIO_24H}x): **${api.ratio >= MIN_RATIO_24H ? 'met' : 'not met'}**.`
        : `API Performance dashboard (${API_PERFORMANCE_UID}) was not rendered; no 24 h ratio to check.`,
      '',
    );
    const slow = [...(r.panels ?? [])].filter((p) => p.range === '24h').sort((a, b) => b.recorded.seconds - a.recorded.seconds).slice(0, 10);
    if (slow.length > 0) {
      out.push('Slowest panel queries at 24 h as rendered:', '', '| dashboard | panel | step | rendered | raw | samples rendered | expression |', '|---|---|---:|---:|---:|---:|---|');
      for (const p of slow) out.push(`| ${p.dashboardUid} | ${esc(p.panel)} | ${p.stepSeconds} s | ${sec(p.recorded.seconds)} | ${p.raw.timedOut ? '≥ ' : ''}${sec(p.raw.seconds)} | ${num(p.recorded.samples ?? 0)} | \`${esc(p.expr)}\` |`);
      out.push('');
    }
  } else if (r.dashboardCount === 0) {
    out.push('## Dashboard queries', '', 'The stack rendered no dashboards when this ran; rerun `npm run bench -- queries` once dashboards exist.', '');
  }
  return out;
}

/** Rebuilds latest.md from the JSON results in `dir`; returns its path. */
export function writeMarkdown(dir: string): string {
  const lines = ['# Benchmark results', '', 'Written by `npm run bench`; see docs/benchmarks.md for what is measured and how.', ''];
  const render = readJson<RenderResult>(dir, 'render');
  const prom = readJson<PrometheusBenchResult>(dir, 'prometheus');
  if (render) lines.push(...renderSection(render));
  if (prom) lines.push(...prometheusSections(prom));
  const file = path.join(dir, 'latest.md');
  fs.writeFileSync(file, `${lines.join('\n').trimEnd()}\n`);
  return file;
}
