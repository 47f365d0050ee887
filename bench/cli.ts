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
import { parseFlags, runCli } from '../cli/run';
import { DEFAULT_SCALE, type DatasetScale } from './dataset';
import { runPrometheusBench } from './pipeline';
import { benchmarkRender } from './render';
import { writeJson, writeMarkdown } from './report';

const ROOT = path.resolve(__dirname, '..');
const BENCHMARKS = ['render', 'queries', 'rules', 'all'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(value)) throw new ObservatoryError(`--${flag}`, `must be a positive integer (got "${value}")`);
  return Number(value);
}

/** Default log: each line prefixed with the seconds since the run started, so phase costs show in the log. */
function elapsedLog(): (l: string) => void {
  const started = Date.now();
  return (l) => process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${l}\n`);
}

export async function bench(argv: string[], log: (l: string) => void = elapsedLog()): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      stack: { type: 'string', default: 'prod' },
      dashboards: { type: 'string' },
      out: { type: 'string' },
      routes: { type: 'string' },
      methods: { type: 'string' },
      statuses: { type: 'string' },
      'histogram-statuses': { type: 'string' },
      pods: { type: 'string' },
      hours: { type: 'string' },
    },
    true,
  );
  if (positionals.length !== 1 || !(BENCHMARKS as readonly string[]).includes(positionals[0])) {
    throw new ObservatoryError('benchmark', `expected exactly one of ${BENCHMARKS.join(', ')} (got ${positionals.length ? positionals.map((p) => `"${p}"`).join(' ') : 'none'})`);
  }
  const which = positionals[0] as Benchmark;
  const scale: DatasetScale = {
    routes: positiveInt('routes', values.routes, DEFAULT_SCALE.routes),
    methods: positiveInt('methods', values.methods, DEFAULT_SCALE.methods),
    statuses: positiveInt('statuses', values.statuses, DEFAULT_SCALE.statuses),
    histogramStatuses: positiveInt('histogram-statuses', values['histogram-statuses'], DEFAULT_SCALE.histogramStatuses),
    pods: positiveInt('pods', values.pods, DEFAULT_SCALE.pods),
    hours: positiveInt('hours', values.hours, DEFAULT_SCALE.hours),
  };
  if (scale.hours < 24) log(`bench: note: --hours ${scale.hours} is shorter than the 24 h query range`);
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'bench', 'results'));
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
