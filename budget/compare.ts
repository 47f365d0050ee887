/**
 * Compares one window's measurements with the stack's budgets and with a baseline, row by row
 * (service, route, metric), and classifies each change with the regression levels:
 *
 *   worse by more than critical (25%) -> critical   fails CI
 *   more than high (15%)              -> high       fails CI
 *   more than medium (10%)            -> medium     warns
 *   more than low (5%)                -> low        noted
 *   better by more than low (5%)      -> improvement
 *   otherwise                         -> none
 *
 * "Worse" is higher for latency and error ratio, lower for throughput. Rows without enough
 * requests (Budgets.minRequests; for a q-quantile also minRequestsBeyondQuantile / (1 - q)) on
 * either side are "insufficient data", never a regression; a route only in the baseline (or
 * without requests in this window) is "removed", one only in this window "new" (its budgets still
 * apply).
 */
import type { BudgetAction, Budgets } from '../catalog/budgets';
import { ALL_ROUTES, compareKeys, type Measurement } from './measure';
import { QUANTILES, type QuantileMetric } from './queries';

export type Metric = QuantileMetric | 'errorRatio' | 'throughput';
export const METRICS: readonly Metric[] = ['p50', 'p95', 'p99', 'errorRatio', 'throughput'];

export type RegressionLevel = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'improvement';
export type Level = RegressionLevel | 'new' | 'removed' | 'insufficient data' | 'no baseline';
export type Verdict = 'fail' | 'warn' | 'pass';

export interface BudgetCheck {
  readonly kind: 'max' | 'min';
  readonly limit: number;
  readonly action: BudgetAction;
  /** False where this window has too few requests to judge the metric. */
  readonly checked: boolean;
  readonly broken: boolean;
}

export interface Row {
  readonly service: string;
  readonly route: string;
  readonly metric: Metric;
  readonly baseline: number | null;
  readonly now: number | null;
  /** (now - baseline) / reference, where the reference is the baseline raised to the metric's floor. */
  readonly change: number | null;
  readonly level: Level;
  /** Absent where the metric has no budget (switched off, or throughput of a single route). */
  readonly budget?: BudgetCheck;
  readonly verdict: Verdict;
}

/** The level of a change by how much worse it is (a share; negative is better). */
export function classifyChange(worse: number, levels: Budgets['regression']): RegressionLevel {
  if (worse > levels.critical) return 'critical';
  if (worse > levels.high) return 'high';
  if (worse > levels.medium) return 'medium';
  if (worse > levels.low) return 'low';
  if (worse < -levels.low) return 'improvement';
  return 'none';
}

const FAILING: readonly Level[] = ['critical', 'high'];

/** Requests a metric needs on one side before it is compared. */
export function requestsNeeded(metric: Metric, b: Budgets): number {
  if (metric === 'errorRatio' || metric === 'throughput') return b.minRequests;
  return Math.max(b.minRequests, Math.ceil(b.minRequestsBeyondQuantile / (1 - QUANTILES[metric]) - 1e-9));
}

function enough(m: Measurement, metric: Metric, b: Budgets): boolean {
  return m.requests >= requestsNeeded(metric, b) && m[metric] !== null;
}

function budgetFor(metric: Metric, route: string, b: Budgets): { kind: 'max' | 'min'; limit: number; action: BudgetAction } | undefined {
  switch (metric) {
    case 'p50':
      return b.latencyP50 ? { kind: 'max', limit: b.latencyP50.max, action: b.latencyP50.action } : undefined;
    case 'p95':
      return b.latencyP95 ? { kind: 'max', limit: b.latencyP95.max, action: b.latencyP95.action } : undefined;
    case 'p99':
      return b.latencyP99 ? { kind: 'max', limit: b.latencyP99.max, action: b.latencyP99.action } : undefined;
    case 'errorRatio':
      return b.errorRatio ? { kind: 'max', limit: b.errorRatio.max, action: b.errorRatio.action } : undefined;
    case 'throughput':
      // A service's throughput is what the load test drives; one route's share of it is not a budget.
      return b.throughput && route === ALL_ROUTES ? { kind: 'min', limit: b.throughput.min, action: b.throughput.action } : undefined;
  }
}

/** Share by which `now` is worse than `base` (negative: better). */
export function worseBy(metric: Metric, base: number, now: number, b: Budgets): number {
  if (metric === 'throughput') return base > 0 ? (base - now) / base : 0;
  const floor = metric === 'errorRatio' ? b.errorRatioFloor : b.latencyFloorSeconds;
  const reference = Math.max(base, floor);
  return reference > 0 ? (now - base) / reference : 0;
}

function verdictOf(level: Level, budget: BudgetCheck | undefined): Verdict {
  if (FAILING.includes(level) || (budget?.broken && budget.action === 'fail')) return 'fail';
  if (level === 'medium' || (budget?.broken && budget.action === 'warn')) return 'warn';
  return 'pass';
}

function row(service: string, route: string, metric: Metric, now: Measurement | undefined, base: Measurement | undefined, hasBaseline: boolean, b: Budgets): Row {
  const nowValue = now ? now[metric] : null;
  const baseValue = base ? base[metric] : null;
  // Budgets judge this window alone: with too few requests a percentile says nothing; throughput always counts.
  const spec = budgetFor(metric, route, b);
  const judged = now !== undefined && nowValue !== null && (metric === 'throughput' || enough(now, metric, b));
  const broken = judged && spec !== undefined && (spec.kind === 'max' ? nowValue > spec.limit : nowValue < spec.limit);
  const budget: BudgetCheck | undefined = spec ? { ...spec, checked: judged, broken } : undefined;

  let level: Level;
  let change: number | null = null;
  if (!now) level = 'removed';
  // Series without requests in this window: removed if the baseline served it, else nothing to say.
  else if (now.requests <= 0) level = base && base.requests > 0 ? 'removed' : 'insufficient data';
  else if (!hasBaseline) level = enough(now, metric, b) || metric === 'throughput' ? 'no baseline' : 'insufficient data';
  else if (!base || base.requests <= 0) level = 'new';
  else if (!enough(base, metric, b) || (metric !== 'throughput' && !enough(now, metric, b))) level = 'insufficient data';
  else {
    const worse = worseBy(metric, baseValue!, nowValue!, b);
    change = metric === 'throughput' ? -worse : worse;
    level = classifyChange(worse, b.regression);
  }
  const shownBudget = budget && (judged || level !== 'removed') ? budget : undefined;
  return { service, route, metric, baseline: baseValue, now: nowValue, change, level, ...(shownBudget ? { budget: shownBudget } : {}), verdict: verdictOf(level, shownBudget) };
}

/** One row per service/route and metric, sorted by service, route and METRICS order. */
export function compare(now: readonly Measurement[], baseline: readonly Measurement[] | undefined, budgets: Budgets): Row[] {
  const key = (m: { service: string; route: string }) => JSON.stringify([m.service, m.route]);
  const nowBy = new Map(now.map((m) => [key(m), m]));
  const baseBy = new Map((baseline ?? []).map((m) => [key(m), m]));
  const keys = [...new Map([...now, ...(baseline ?? [])].map((m) => [key(m), { service: m.service, route: m.route }])).values()].sort(compareKeys);
  return keys.flatMap(({ service, route }) =>
    METRICS.map((metric) => row(service, route, metric, nowBy.get(key({ service, route })), baseBy.get(key({ service, route })), baseline !== undefined, budgets)),
  );
}

/** 1 when any row fails (a budget with action fail, or a high or critical regression), else 0. */
export function exitCodeOf(rows: readonly Row[]): 0 | 1 {
  return rows.some((r) => r.verdict === 'fail') ? 1 : 0;
}
