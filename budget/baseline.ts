/**
 * Baselines: plain JSON, committed or kept as CI artifacts. Writing one is deterministic: the same
 * measurements give the same bytes (fixed key order, rows sorted by service and route, numbers
 * rounded to six significant digits by measure()). A file is written to a temporary name and
 * renamed, so a failed run never leaves half a baseline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { compareKeys, type Measurement } from './measure';

export const BASELINE_VERSION = 1;

export interface Baseline {
  readonly version: typeof BASELINE_VERSION;
  /** Stack whose budgets the baseline was measured under. */
  readonly stack: string;
  readonly window: string;
  /** End of the window, ISO 8601. */
  readonly end: string;
  readonly measurements: readonly Measurement[];
}

const nullableNumber = z.number().nullable();
const measurementSchema = z
  .object({
    service: z.string(),
    route: z.string(),
    requests: z.number().min(0),
    p50: nullableNumber,
    p95: nullableNumber,
    p99: nullableNumber,
    errorRatio: nullableNumber,
    throughput: z.number().min(0),
  })
  .strict();
const baselineSchema = z
  .object({
    version: z.literal(BASELINE_VERSION),
    stack: z.string().min(1),
    window: z.string().refine(isDuration, { message: 'must be a Prometheus duration' }),
    end: z.iso.datetime(),
    measurements: z.array(measurementSchema),
  })
  .strict();

function issuePath(p: readonly PropertyKey[]): string {
  return p.map((x) => (typeof x === 'number' ? `[${x}]` : `.${String(x)}`)).join('').replace(/^\./, '') || '(file)';
}

export function readBaseline(file: string): Baseline {
  const key = `--baseline ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ObservatoryError(key, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ObservatoryError(key, `is not JSON: ${(e as Error).message}`);
  }
  const parsed = baselineSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ObservatoryError(key, `${issuePath(issue.path)}: ${issue.message} (write baselines with --save-baseline)`);
  }
  const seen = new Set<string>();
  for (const m of parsed.data.measurements) {
    const k = JSON.stringify([m.service, m.route]);
    if (seen.has(k)) throw new ObservatoryError(key, `service "${m.service}" route "${m.route}" appears twice`);
    seen.add(k);
  }
  return parsed.data as Baseline;
}

/** The bytes of a baseline: keys in a fixed order, rows sorted, two-space indent, final newline. */
export function baselineText(b: Baseline): string {
  const measurements = [...b.measurements].sort(compareKeys).map((m) => ({
    service: m.service,
    route: m.route,
    requests: m.requests,
    p50: m.p50,
    p95: m.p95,
    p99: m.p99,
    errorRatio: m.errorRatio,
    throughput: m.throughput,
  }));
  return `${JSON.stringify({ version: b.version, stack: b.stack, window: b.window, end: b.end, measurements }, null, 2)}\n`;
}

export function writeBaseline(file: string, b: Baseline): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, baselineText(b));
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new ObservatoryError(`--save-baseline ${file}`, `cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
