/**
 * npm run bench -- <render|queries|rules|all> [--stack prod] [--dashboards DIR] [--out DIR]
 *                  [--routes 20] [--methods 4] [--statuses 5] [--histogram-statuses 1] [--pods 6] [--hours 24]
 *
 * render: render scaling. queries: dashboard query cost. rules: rule group evaluation cost.
 * all: the three, sharing one backfill. Results go to <out> (default bench/results): JSON per
 * benchmark and latest.md. Prometheus data lives under bench/work/ (gitignored), removed at start.
 */
import * as path from 'node:path';
import { getCatalog } from '../catalog';
import { ObservatoryError } from '../catalog/errors';
import * as fs from 'node:fs';
import { parseCommand, runCli, type CommandSpec, type FlagSpec } from '../cli/run';
import { DEFAULT_SCALE, type DatasetScale } from './dataset';
import { runPrometheusBench } from './pipeline';
import { benchmarkRender } from './render';
import { writeJson, writeMarkdown } from './report';

const ROOT = path.resolve(__dirname, '..');
const BENCHMARKS = ['render', 'queries', 'rules', 'all'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

/**
 * Upper bounds of the dataset flags: about 10x the defaults, so a typo cannot start a backfill
 * of hundreds of billions of samples (--hours 100000) that fills the disk and runs for days.
 */
export const SCALE_LIMITS: DatasetScale = { routes: 200, methods: 7, statuses: 20, histogramStatuses: 5, pods: 60, hours: 24 * 14 };

function positiveInt(flag: keyof DatasetScale, name: string, value: string | undefined): number {
  if (value === undefined) return DEFAULT_SCALE[flag];
  if (!/^[1-9][0-9]*$/.test(value)) throw new ObservatoryError(`--${name}`, `must be a positive integer (got "${value}")`);
  const n = Number(value);
  if (n > SCALE_LIMITS[flag]) throw new ObservatoryError(`--${name}`, `(${value}) must be at most ${SCALE_LIMITS[flag]} (bench/cli.ts SCALE_LIMITS; the default is ${DEFAULT_SCALE[flag]})`);
  return n;
}

/** The results folder must be writable before a run of many minutes, not after it. */
function checkOutDir(dir: string): void {
  let existing = dir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) throw new ObservatoryError('--out', `${existing} is a file, not a folder`);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw new ObservatoryError('--out', `${existing} is not writable (${(e as NodeJS.ErrnoException).code})`);
  }
}

const int = (help: string) => ({ type: 'string', value: 'N', help }) as const;

export const BENCH_COMMAND = {
  name: 'bench',
  summary:
    'Benchmarks on this machine: render scaling (render), dashboard query cost (queries) and rule evaluation cost (rules) against a real Prometheus filled with a synthetic history; all runs the three, sharing one backfill. Results go to <out> (JSON per benchmark and latest.md). Prometheus data lives under bench/work/ (gitignored); scratch files are removed on exit and on Ctrl-C.',
  flags: {
    stack: { type: 'string', default: 'prod', value: 'NAME', help: 'stack whose config shapes the dataset and rules' },
    dashboards: { type: 'string', value: 'DIR', help: 'dashboard JSON files to time instead of the rendered ones' },
    out: { type: 'string', value: 'DIR', help: 'results folder (default: bench/results)' },
    routes: int(`routes per app (default ${DEFAULT_SCALE.routes}, at most ${SCALE_LIMITS.routes})`),
    methods: int(`HTTP methods per route (default ${DEFAULT_SCALE.methods}, at most ${SCALE_LIMITS.methods})`),
    statuses: int(`status codes per route (default ${DEFAULT_SCALE.statuses}, at most ${SCALE_LIMITS.statuses})`),
    'histogram-statuses': int(`status codes with latency histograms (default ${DEFAULT_SCALE.histogramStatuses}, at most ${SCALE_LIMITS.histogramStatuses})`),
    pods: int(`pods per app (default ${DEFAULT_SCALE.pods}, at most ${SCALE_LIMITS.pods})`),
    hours: int(`hours of history (default ${DEFAULT_SCALE.hours}, at most ${SCALE_LIMITS.hours})`),
  },
  positionals: [{ name: '<render|queries|rules|all>', help: 'which benchmark to run' }],
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

/** Default log: each line prefixed with the seconds since the run started, so phase costs show in the log. */
function elapsedLog(): (l: string) => void {
  const started = Date.now();
  return (l) => process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${l}\n`);
}

export async function bench(argv: string[], log: (l: string) => void = elapsedLog()): Promise<number> {
  const { values, positionals } = parseCommand(BENCH_COMMAND, argv);
  if (positionals.length !== 1 || !(BENCHMARKS as readonly string[]).includes(positionals[0])) {
    throw new ObservatoryError('benchmark', `expected exactly one of ${BENCHMARKS.join(', ')} (got ${positionals.length ? positionals.map((p) => `"${p}"`).join(' ') : 'none'})`);
  }
  const which = positionals[0] as Benchmark;
  const scale: DatasetScale = {
    routes: positiveInt('routes', 'routes', values.routes),
    methods: positiveInt('methods', 'methods', values.methods),
    statuses: positiveInt('statuses', 'statuses', values.statuses),
    histogramStatuses: positiveInt('histogramStatuses', 'histogram-statuses', values['histogram-statuses']),
    pods: positiveInt('pods', 'pods', values.pods),
    hours: positiveInt('hours', 'hours', values.hours),
  };
  if (scale.hours < 24) log(`bench: note: --hours ${scale.hours} is shorter than the 24 h query range`);
  if (values.out !== undefined && values.out.trim() === '') throw new ObservatoryError('--out', 'must not be empty');
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'bench', 'results'));
  checkOutDir(outDir);
  if (values.dashboards !== undefined && !fs.existsSync(values.dashboards)) throw new ObservatoryError('--dashboards', `${values.dashboards} does not exist`);
  const t0 = Date.now();
  if (which === 'render' || which === 'all') {
    writeJson(outDir, 'render', await benchmarkRender(log));
  }
  if (which !== 'render') {
    const result = await runPrometheusBench({
      root: ROOT,
      stack: values.stack!,
      scale,
      rules: which === 'rules' || which === 'all',
      queries: which === 'queries' || which === 'all',
      workDir: path.join(ROOT, 'bench', 'work'),
      catalog: getCatalog(),
      ...(values.dashboards ? { dashboardsDir: path.resolve(values.dashboards) } : {}),
      log,
    });
    writeJson(outDir, 'prometheus', result);
  }
  const md = writeMarkdown(outDir);
  log(`bench: ${which} done in ${((Date.now() - t0) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), md) || md}`);
  return 0;
}

if (require.main === module) {
  void runCli('bench', () => bench(process.argv.slice(2)));
}
