/**
 * npm run budget -- --prometheus URL --window DURATION [--end TIME] [--baseline FILE]
 *                   [--save-baseline FILE] [--report FILE] [--stack NAME] [--stack-dir DIR]
 *
 * The performance gate after a load test: reads the window's latency quantiles, error ratio and
 * throughput per service and route from Prometheus, checks them against the stack's budgets
 * (observatory:budgets) and a baseline, and prints a Markdown report. Exit 0: pass (warnings
 * included); 1: a budget with action fail is broken or a change is a high or critical regression;
 * 2: bad input (flags, stack config, baseline file, Prometheus unreachable or answering errors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDuration, durationSeconds } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { BASELINE_VERSION, readBaseline, writeBaseline, type Baseline } from '../budget/baseline';
import { compare, exitCodeOf } from '../budget/compare';
import { markdownReport } from '../budget/markdown';
import { measure } from '../budget/measure';
import { listStacks, loadStackConfigFile } from '../stacks/config/fromYaml';
import { parseCommand, runCli, type CommandSpec, type FlagSpec } from './run';

/** The repository: its Pulumi.<stack>.yaml files are the default --stack-dir. */
const REPO_ROOT = path.resolve(__dirname, '..');

export const BUDGET_COMMAND = {
  name: 'budget',
  summary:
    "Compares a load test's latency (p50/p95/p99), 5xx ratio and throughput per service and route, read from Prometheus, with the stack's budgets (observatory:budgets) and a baseline, and prints a Markdown report.",
  flags: {
    prometheus: { type: 'string', value: 'URL', help: 'Prometheus base URL, e.g. http://127.0.0.1:9090 (required)' },
    window: { type: 'string', value: 'DURATION', help: "the load test's window, a Prometheus duration such as 10m (required)" },
    end: { type: 'string', value: 'TIME', help: 'end of the window: RFC 3339 or Unix seconds (default: now)' },
    baseline: { type: 'string', value: 'FILE', help: 'compare with this baseline (written earlier with --save-baseline)' },
    'save-baseline': { type: 'string', value: 'FILE', help: "write this window's measurements as a baseline (JSON)" },
    report: { type: 'string', value: 'FILE', help: 'also write the Markdown report to FILE' },
    stack: { type: 'string', value: 'NAME', help: 'stack whose budgets apply (Pulumi.NAME.yaml)', default: 'dev' },
    'stack-dir': { type: 'string', value: 'DIR', help: 'directory holding Pulumi.NAME.yaml (default: this repository)' },
  },
  exitCodes: { 1: 'a failing budget or a high/critical regression (warnings alone pass)' },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

function parseEnd(text: string | undefined, now: () => number): number {
  if (text === undefined) return Math.floor(now() / 1000);
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new ObservatoryError('--end', `"${text}" is neither RFC 3339 (2026-01-31T12:00:00Z) nor Unix seconds`);
  return ms / 1000;
}

function checkUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ObservatoryError('--prometheus', `"${text}" is not a URL (e.g. http://127.0.0.1:9090)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ObservatoryError('--prometheus', `"${text}" must be an http(s) URL`);
  return text;
}

export interface BudgetIo {
  readonly root?: string;
  readonly out?: (text: string) => void;
  readonly now?: () => number;
}

export async function budget(argv: string[], io: BudgetIo = {}): Promise<number> {
  const out = io.out ?? ((t) => process.stdout.write(t));
  const root = io.root ?? REPO_ROOT;
  const { values } = parseCommand(BUDGET_COMMAND, argv);
  if (values.prometheus === undefined) throw new ObservatoryError('--prometheus', 'is required (the Prometheus base URL, e.g. http://127.0.0.1:9090); see --help');
  if (values.window === undefined) throw new ObservatoryError('--window', 'is required (the load test window, e.g. 10m); see --help');
  const window = values.window;
  if (!isDuration(window) || durationSeconds(window) <= 0) throw new ObservatoryError('--window', `"${window}" is not a Prometheus duration such as 30s, 10m or 1h`);
  const prometheus = checkUrl(values.prometheus);
  const end = parseEnd(values.end, io.now ?? Date.now);
  const stack = values.stack ?? 'dev';
  const stackDir = values['stack-dir'] ?? root;
  if (!fs.existsSync(stackDir) || !fs.statSync(stackDir).isDirectory()) throw new ObservatoryError('--stack-dir', `"${stackDir}" is not a directory`);
  const known = listStacks(stackDir);
  if (!known.includes(stack)) throw new ObservatoryError('--stack', `unknown stack "${stack}" in ${stackDir} (have: ${known.join(', ') || 'none'})`);
  const config = loadStackConfigFile(stackDir, stack);

  // Every input is read before Prometheus is asked anything, so bad input costs no queries.
  const baseline = values.baseline === undefined ? undefined : { file: values.baseline, data: readBaseline(values.baseline) };
  if (baseline && baseline.data.stack !== stack) {
    throw new ObservatoryError(`--baseline ${baseline.file}`, `was measured for stack "${baseline.data.stack}", not "${stack}"; pass --stack ${baseline.data.stack} or save a baseline for ${stack}`);
  }

  const measurements = await measure(prometheus, window, end);
  const endIso = new Date(end * 1000).toISOString();
  const rows = compare(measurements, baseline?.data.measurements, config.budgets);
  const report = markdownReport(rows, { stack, window, end: endIso, ...(baseline ? { baseline } : {}) });
  if (values['save-baseline'] !== undefined) {
    const saved: Baseline = { version: BASELINE_VERSION, stack, window, end: endIso, measurements };
    writeBaseline(values['save-baseline'], saved);
  }
  if (values.report !== undefined) {
    try {
      fs.writeFileSync(values.report, report);
    } catch (e) {
      throw new ObservatoryError(`--report ${values.report}`, `cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  out(report);
  return exitCodeOf(rows);
}

if (require.main === module) {
  void runCli('budget', () => budget(process.argv.slice(2)));
}
