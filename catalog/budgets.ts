/**
 * Default performance budgets for `npm run budget` (the CI gate after a load test). Each value
 * lives here once; a stack overrides any of them in `observatory:budgets` (stacks/config/budgets.ts).
 * The budgets are seed 003's, the regression levels seed 002's.
 */

/** What a broken budget does to the CI run: `fail` exits 1, `warn` is reported and exits 0. */
export type BudgetAction = 'fail' | 'warn';

export interface UpperBudget {
  readonly max: number;
  readonly action: BudgetAction;
}
export interface LowerBudget {
  readonly min: number;
  readonly action: BudgetAction;
}

export const DEFAULT_BUDGETS = {
  /** p50 latency (s) per service and route. None by default: p95 and p99 say more about users. */
  latencyP50: null as UpperBudget | null,
  /** p95 latency (s) per service and route. Fails CI above 500 ms; lower it with the product's promise. */
  latencyP95: { max: 0.5, action: 'fail' } as UpperBudget | null,
  /** p99 latency (s): the tail; warns above 1 s. */
  latencyP99: { max: 1, action: 'warn' } as UpperBudget | null,
  /** 5xx share of requests (0..1). Fails CI above 5%; a load test should see none. */
  errorRatio: { max: 0.05, action: 'fail' } as UpperBudget | null,
  /**
   * Requests per second per service over the window. Warns below 500; set it to what your load
   * test drives, so a service that cannot keep up shows. Not applied per route.
   */
  throughput: { min: 500, action: 'warn' } as LowerBudget | null,
  /**
   * Regression levels against the baseline, as a share worse than the baseline: more than
   * `critical` and more than `high` fail CI, more than `medium` warns, more than `low` is noted;
   * better by more than `low` is an improvement. Widen them when your load tests are noisy.
   */
  regression: { low: 0.05, medium: 0.1, high: 0.15, critical: 0.25 },
  /**
   * Requests a service or route needs in the window before any of its numbers are compared:
   * with fewer, one slow or failed request is a large share. Reported as "insufficient data".
   */
  minRequests: 100,
  /**
   * Requests a quantile needs beyond it: a q-quantile is compared only from
   * minRequestsBeyondQuantile / (1 - q) requests (20: p95 from 400, p99 from 2000 requests).
   * Below that it rests on a handful of requests and moves with each of them.
   */
  minRequestsBeyondQuantile: 20,
  /**
   * Latency changes are measured against max(baseline, this) seconds: below the first
   * http_request_duration_seconds bucket (5 ms) the quantile is interpolated within one bucket.
   */
  latencyFloorSeconds: 0.005,
  /**
   * Error-ratio changes are measured against max(baseline, this): from 0% to 0.3% errors is a
   * 30% regression of a 1% floor, not an infinite one. Lower it for payment-like services.
   */
  errorRatioFloor: 0.01,
} as const;

export type Budgets = {
  readonly latencyP50: UpperBudget | null;
  readonly latencyP95: UpperBudget | null;
  readonly latencyP99: UpperBudget | null;
  readonly errorRatio: UpperBudget | null;
  readonly throughput: LowerBudget | null;
  readonly regression: { readonly low: number; readonly medium: number; readonly high: number; readonly critical: number };
  readonly minRequests: number;
  readonly minRequestsBeyondQuantile: number;
  readonly latencyFloorSeconds: number;
  readonly errorRatioFloor: number;
};
