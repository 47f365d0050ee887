/**
 * Reads what the gate compares from Prometheus: per service and per service and route, the
 * p50/p95/p99 latency, the 5xx ratio, the throughput and the request count of one window.
 */
import { durationSeconds } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { instantQuery, type Sample } from './prometheus';
import { budgetQueries, QUANTILES, type QuantileMetric, type Scope } from './queries';

/** The `route` of a service's row over all its routes. */
export const ALL_ROUTES = '(all)';

export interface Measurement {
  readonly service: string;
  /** A route label, or ALL_ROUTES for the service as a whole. */
  readonly route: string;
  /** Requests in the window (increase() of the counter: extrapolated to the window's edges). */
  readonly requests: number;
  /** Seconds; null without requests. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** 5xx share of requests (0..1); null without requests. */
  readonly errorRatio: number | null;
  /** Requests per second over the window. */
  readonly throughput: number;
}

/** Six significant digits: baselines stay readable and byte-stable, far finer than any level. */
export function round(x: number): number {
  return Number(x.toPrecision(6));
}

const keyOf = (service: string, route: string) => JSON.stringify([service, route]);

/** Orders measurements by service, then route, the service's ALL_ROUTES row first. */
export function compareKeys(a: { service: string; route: string }, b: { service: string; route: string }): number {
  if (a.service !== b.service) return a.service < b.service ? -1 : 1;
  if (a.route === b.route) return 0;
  if (a.route === ALL_ROUTES) return -1;
  if (b.route === ALL_ROUTES) return 1;
  return a.route < b.route ? -1 : 1;
}

interface Collected {
  requests: number;
  errors: number;
  quantiles: Record<string, number>;
}

/** Measurements of one window ending at endSeconds (Unix time), sorted by service and route. */
export async function measure(prometheusUrl: string, window: string, endSeconds: number): Promise<Measurement[]> {
  const seconds = durationSeconds(window);
  const queries = budgetQueries(window);
  const rows = new Map<string, { service: string; route: string; data: Collected }>();
  const scopes: Scope[] = ['service', 'route'];

  const results = await Promise.all(
    scopes.map(async (scope) => {
      const q = queries[scope];
      const [requests, errors, ...quantiles] = await Promise.all([
        instantQuery(prometheusUrl, q.requests.toString(), endSeconds),
        instantQuery(prometheusUrl, q.errors.toString(), endSeconds),
        ...(Object.keys(QUANTILES) as QuantileMetric[]).map((name) => instantQuery(prometheusUrl, q.quantiles[name].toString(), endSeconds)),
      ]);
      return { scope, requests, errors, quantiles };
    }),
  );

  for (const { scope, requests, errors, quantiles } of results) {
    const row = (s: Sample) => {
      const service = s.labels.service ?? '';
      const route = scope === 'service' ? ALL_ROUTES : (s.labels.route ?? '');
      const key = keyOf(service, route);
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { service, route, data: { requests: 0, errors: 0, quantiles: {} } }));
      return r.data;
    };
    for (const s of requests) row(s).requests = s.value;
    for (const s of errors) row(s).errors = s.value;
    (Object.keys(QUANTILES) as QuantileMetric[]).forEach((name, i) => {
      for (const s of quantiles[i]) row(s).quantiles[name] = s.value;
    });
  }
  if (rows.size === 0) {
    throw new ObservatoryError('--window', `no http_requests_total or http_request_duration_seconds series in the ${window} before ${new Date(endSeconds * 1000).toISOString()}: was the load test scraped by this Prometheus?`);
  }

  const quantile = (d: Collected, name: QuantileMetric) => {
    const v = d.quantiles[name];
    return v === undefined || !Number.isFinite(v) || d.requests <= 0 ? null : round(v);
  };
  return [...rows.values()]
    .map(({ service, route, data }) => ({
      service,
      route,
      requests: round(data.requests),
      p50: quantile(data, 'p50'),
      p95: quantile(data, 'p95'),
      p99: quantile(data, 'p99'),
      errorRatio: data.requests > 0 ? round(data.errors / data.requests) : null,
      throughput: round(data.requests / seconds),
    }))
    .sort(compareKeys);
}
