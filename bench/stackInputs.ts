/**
 * What the Prometheus benchmarks measure, taken from one rendered stack: its rule files, its
 * dashboards and the recording-rule definitions (for the raw rewrite). Nothing is hand-listed, so
 * new dashboards and rules are benchmarked as soon as they render.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { durationSeconds } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { recordingRuleGroups } from '../catalog/recorded';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import type { StackConfig } from '../stacks/config/schema';
import type { RecordingDefinition } from './expand';
import type { JsonDashboard } from './grafana';

export interface RuleFile {
  /** Path inside generated/<stack>/, e.g. prometheus/rules/x.yml. */
  readonly path: string;
  readonly content: string;
  readonly groups: readonly { name: string; interval?: string; rules: number }[];
}

export interface StackInputs {
  readonly config: StackConfig;
  readonly ruleFiles: readonly RuleFile[];
  readonly dashboards: readonly JsonDashboard[];
  readonly recordings: readonly RecordingDefinition[];
  readonly scrapeSeconds: number;
  readonly evalSeconds: number;
}

function ruleFilesOf(artifacts: readonly Artifact[]): RuleFile[] {
  return artifacts
    .filter((a) => a.path.startsWith('prometheus/rules/') && a.path.endsWith('.yml'))
    .map((a) => {
      const doc = yaml.load(a.content) as { groups?: { name: string; interval?: string; rules?: unknown[] }[] };
      return { path: a.path, content: a.content, groups: (doc.groups ?? []).map((g) => ({ name: g.name, ...(g.interval ? { interval: g.interval } : {}), rules: g.rules?.length ?? 0 })) };
    });
}

/** Dashboards from the render, or from `dir` (*.json) when given. */
function dashboardsOf(artifacts: readonly Artifact[], dir?: string): JsonDashboard[] {
  if (dir) {
    if (!fs.existsSync(dir)) throw new ObservatoryError('--dashboards', `no directory ${dir}`);
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        try {
          return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as JsonDashboard;
        } catch (e) {
          throw new ObservatoryError(`--dashboards ${f}`, `is not JSON: ${(e as Error).message}`);
        }
      });
  }
  return artifacts.filter((a) => a.path.startsWith('dashboards/') && a.path.endsWith('.json')).map((a) => JSON.parse(a.content) as JsonDashboard);
}

export function stackInputs(root: string, stack: string, dashboardsDir?: string): StackInputs {
  const config = loadStackConfigFile(root, stack);
  const artifacts = renderStack(config);
  const recordings = recordingRuleGroups(config.slo).flatMap((g) =>
    g.rules.map((r) => ({ record: r.record, expr: r.expr.toString(), ...(r.labels ? { labels: r.labels } : {}) })),
  );
  return {
    config,
    ruleFiles: ruleFilesOf(artifacts),
    dashboards: dashboardsOf(artifacts, dashboardsDir),
    recordings,
    scrapeSeconds: durationSeconds(config.scrapeInterval),
    evalSeconds: durationSeconds(config.evaluationInterval),
  };
}

/**
 * Writes the rule files into `dir`; returns their absolute paths. With `everyInterval`, every
 * group is evaluated that often instead of at its rendered interval (see bench/pipeline.ts).
 */
export function writeRuleFiles(files: readonly RuleFile[], dir: string, everyInterval?: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const p = path.join(dir, path.basename(f.path));
    if (everyInterval === undefined) {
      fs.writeFileSync(p, f.content);
    } else {
      const doc = yaml.load(f.content) as { groups?: Record<string, unknown>[] };
      fs.writeFileSync(p, yaml.dump({ ...doc, groups: (doc.groups ?? []).map((g) => ({ ...g, interval: everyInterval })) }, { lineWidth: -1 }));
    }
    return p;
  });
}

/** Each group's rendered evaluation interval in seconds (its own, else the stack's). */
export function groupIntervals(inputs: StackInputs): Map<string, number> {
  return new Map(inputs.ruleFiles.flatMap((f) => f.groups.map((g) => [g.name, g.interval ? durationSeconds(g.interval) : inputs.evalSeconds] as const)));
}

/**
 * prometheus.yml for the benchmark server: the stack's intervals, the given rule files, no scrape
 * jobs (the data is backfilled), and an out-of-order window so rule results can be written while
 * the backfilled history extends a little past the wall clock (see bench/pipeline.ts).
 */
export function benchPrometheusConfig(inputs: StackInputs, ruleFiles: readonly string[]): string {
  return yaml.dump({
    global: { scrape_interval: inputs.config.scrapeInterval, evaluation_interval: inputs.config.evaluationInterval },
    rule_files: [...ruleFiles],
    storage: { tsdb: { out_of_order_time_window: '2h' } },
  });
}
