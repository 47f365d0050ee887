/**
 * The PromQL the budget gate reads, built from the catalog handles like the recording rules in
 * catalog/recorded.ts: the same histogram and counter, the same `sum by (service, route, le)`
 * aggregation and 5xx matcher the dashboards' latency and error panels use. The one difference is
 * the range: the recordings are 5m rates, a load test has its own window, so these take
 * `increase(...[window])` over exactly that window. An average of 5m rates over a window would mix
 * in up to five minutes of traffic from before the load test started. increase() corrects counter
 * resets (a restarted pod) as rate() does.
 */
import * as app from '../catalog/application';
import { histogram, histogramQuantile, increase, series, sum, type Query } from '../catalog/query';
import { LATENCY_QUANTILES } from '../catalog/recorded';

export type QuantileMetric = 'p50' | 'p95' | 'p99';
/** The quantiles compared, as recorded for the dashboards (catalog/recorded.ts). */
export const QUANTILES: Readonly<Record<QuantileMetric, number>> = Object.fromEntries(
  LATENCY_QUANTILES.map((q) => [`p${Math.round(q * 100)}`, q]),
) as Record<QuantileMetric, number>;

/** Per service (every route together) or per service and route. */
export type Scope = 'service' | 'route';
const BY = { service: ['service'], route: ['service', 'route'] } as const;

export interface ScopeQueries {
  readonly quantiles: Readonly<Record<QuantileMetric, Query<string>>>;
  /** Requests in the window. */
  readonly requests: Query<string>;
  /** 5xx responses in the window; absent for series that never failed. */
  readonly errors: Query<string>;
}

const duration = histogram(app.http_request_duration_seconds);
const requests = series(app.http_requests_total);

function scopeQueries(scope: Scope, window: string): ScopeQueries {
  const by = BY[scope];
  const buckets = sum(increase(duration.bucket.range(window)), [...by, 'le']);
  return {
    quantiles: Object.fromEntries(Object.entries(QUANTILES).map(([name, q]) => [name, histogramQuantile(q, buckets)])) as Record<QuantileMetric, Query<string>>,
    requests: sum(increase(requests.range(window)), [...by]),
    errors: sum(increase(requests.range(window, { status: { re: '5..' } })), [...by]),
  };
}

/** Every query the gate runs for a window (a Prometheus duration such as 10m). */
export function budgetQueries(window: string): Readonly<Record<Scope, ScopeQueries>> {
  return { service: scopeQueries('service', window), route: scopeQueries('route', window) };
}
