/**
 * HTTP alerts on the applications' own metrics: latency quantiles and the 5xx ratio per service,
 * read from the recording rules (catalog/recorded.ts) that the API performance dashboard plots.
 */
import * as app from '../catalog/application';
import { HTTP_DURATION_BUCKETS } from '../catalog/application';
import { ObservatoryError } from '../catalog/errors';
import { andOn, ge, gt, histogram, series, type Query } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import type { ThresholdKey } from '../catalog/thresholds';
import { humanizeDuration, humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type InputSeries, type RunbookText } from './types';

const T = TEST_TARGETS.app;
const ROUTE = '/api/items/:id';
/**
 * Test traffic above alerts.thresholds.minRequestRate (requests per second) from the first minute:
 * a 5m rate over one minute of a fresh counter is a fifth of the steady rate, so twice the
 * minimum over 300 s.
 */
function busyPerMinute(minRate: number): number {
  return Math.max(600, Math.ceil(minRate * 300 * 2));
}
/** Test traffic at a quarter of alerts.thresholds.minRequestRate: too little to alert on. */
function quietPerMinute(minRate: number): number {
  return (minRate * 60) / 4;
}
const buckets = histogram(app.http_request_duration_seconds).bucket;
const requests = series(app.http_requests_total);

function bucketInput(le: string, perMinute: number): InputSeries {
  return input(buckets, { ...T, method: 'GET', route: ROUTE, status: '200', le }, counter(perMinute));
}

function requestsInput(status: string, perMinute: number): InputSeries {
  return input(requests, { ...T, method: 'GET', route: ROUTE, status }, counter(perMinute));
}

/**
 * Requests that all fall into one bucket (lower, upper]: histogram_quantile interpolates the
 * quantile to lower + q * (upper - lower). An upper of +Inf makes it return `lower`. The requests
 * are counted on http_requests_total too: the alerts gate on the service's request rate.
 */
function oneBucket(lower: number | undefined, upper: number | '+Inf', q: number, perMinute: number): { series: InputSeries[]; value: number } {
  const series = [bucketInput('+Inf', perMinute), requestsInput('200', perMinute)];
  if (lower !== undefined) series.push(bucketInput(String(lower), 0));
  if (upper !== '+Inf') series.push(bucketInput(String(upper), perMinute));
  const from = lower ?? 0;
  return { series, value: upper === '+Inf' ? from : from + q * (upper - from) };
}

/**
 * A latency threshold only works between the smallest and the largest finite bucket bound: below
 * the first any traffic may fire, above the last the quantile can never exceed it.
 */
function checkLatencyThreshold(inputs: AlertInputs, key: ThresholdKey): number {
  const t = inputs.thresholds[key];
  const b = HTTP_DURATION_BUCKETS;
  if (t < b[0] || t >= b[b.length - 1]) {
    throw new ObservatoryError(
      `stack ${inputs.config.stack}: observatory:alerts.thresholds.${key}`,
      `(${t}) must lie within the http_request_duration_seconds buckets [${b[0]}, ${b[b.length - 1]}); a quantile cannot be compared with a bound outside them`,
    );
  }
  return t;
}

function latencyScenarios(threshold: number, q: number, minRate: number): AlertScenario[] {
  const b = HTTP_DURATION_BUCKETS;
  const busy = busyPerMinute(minRate);
  // Slow: every request in the first bucket that starts at or above the threshold.
  const i = b.findIndex((bound) => bound >= threshold);
  const slowBucket = (perMinute: number) => oneBucket(b[i], i === b.length - 1 ? '+Inf' : b[i + 1], q, perMinute);
  const slow = slowBucket(busy);
  // Fast: every request in the last bucket that ends at or below the threshold.
  let j = b.length - 1;
  while (b[j] > threshold) j--;
  const fast = oneBucket(j > 0 ? b[j - 1] : undefined, b[j], q, busy);
  return [
    {
      kind: 'fires',
      name: `every request takes more than ${b[i]} s`,
      series: slow.series,
      activeAtMinutes: 1,
      labels: { service: T.service, quantile: String(q) },
      value: slow.value,
    },
    { kind: 'quiet', name: `every request takes at most ${b[j]} s`, series: fast.series },
    { kind: 'quiet', name: `every request takes more than ${b[i]} s, but below minRequestRate`, series: slowBucket(quietPerMinute(minRate)).series },
  ];
}

/**
 * The alert condition, only for services serving at least alerts.thresholds.minRequestRate: at a
 * few requests a minute one slow or failed request is a large share, not an incident.
 */
function withTraffic<L extends string>(condition: Query<L | 'service'>, minRate: number): Query<L | 'service'> {
  return andOn(condition, ge(recorded.httpServiceRate.select(), minRate), ['service']);
}

const LATENCY_RUNBOOK: RunbookText = {
  meaning:
    'Requests to the service take longer than the threshold for a sizeable share of users. The quantile is computed over all routes of the service for the last 5 minutes; the API performance dashboard breaks it down by route.',
  causes: [
    'Slow database queries: a missing index, an N+1 query pattern or lock contention (see the DatabaseQueriesSlow alert and the Database & Redis dashboard).',
    'A cold or ineffective cache: a low cache hit ratio sends more requests to the database.',
    'Connection pool exhaustion: requests wait for a free database connection.',
    'CPU saturation of the pods or the host (throttling at the CPU limit, or not enough replicas).',
    'A slow downstream dependency or a recent deployment that introduced an expensive code path.',
  ],
  checks: [
    'Open the dashboard and find which routes are slow: `service_route:http_request_duration_seconds:histogram_quantile_rate5m{service="<service>",quantile="0.95"}`.',
    'Compare with the request rate (`service:http_requests:rate5m`): did latency rise with load, or on its own?',
    'Check mean query latency per table: `service_operation_table:db_query_duration_seconds:mean_rate5m{service="<service>"}`.',
    'Check the cache hit ratio: `service_cache:cache_hits:ratio_rate5m{service="<service>"}`.',
    'Open a slow trace: on the service overview, "Slow requests, with traces" marks single requests; click a dot near the top to open its trace in Jaeger and see where the time goes.',
    'Check recent deployments and CPU throttling of the pods.',
  ],
  fixes: [
    'Roll back a deployment that coincides with the regression.',
    'Add the missing index or fix the N+1 query (confirm with `EXPLAIN ANALYZE` on the slow statement).',
    'Scale out: raise the HPA minimum or the CPU limit if pods are throttled.',
    'Warm or enlarge the cache; review TTLs if entries expire too quickly.',
  ],
};

const ERROR_RUNBOOK: RunbookText = {
  meaning:
    'A share of the requests to the service fails with a 5xx status. Users see errors; retries by clients may amplify the load.',
  causes: [
    'A bug shipped in a recent deployment.',
    'A dependency is failing: PostgreSQL or Redis down, unreachable or out of connections.',
    'Overload: requests time out or pods are OOM-killed and restarted.',
    'Misconfiguration: a missing secret or environment variable after a config change.',
  ],
  checks: [
    'Find the failing routes and status codes: `sum by (route, status) (service_route_status:http_requests:rate5m{service="<service>",status=~"5.."})`.',
    'Read the application logs for the stack traces of the failing requests; a trace in Jaeger shows which call failed.',
    'Check the dependencies: the PostgresDown, RedisDown and PostgresConnectionsHigh alerts, and `pg_up` / `redis_up`.',
    'Check pod restarts and OOM kills, and whether the errors started with a deployment.',
  ],
  fixes: [
    'Roll back the deployment if the errors started with it.',
    'Restore the failing dependency, or raise its connection limit if connections are exhausted.',
    'Scale out if the errors come from overload (timeouts, 503s).',
  ],
};

function latencyAlert(inputs: AlertInputs, opts: { name: string; family: string; q: number; key: ThresholdKey; severity: 'critical' | 'warning' }): AlertDefinition {
  const threshold = checkLatencyThreshold(inputs, opts.key);
  const pct = `p${Math.round(opts.q * 100)}`;
  return defineAlert({
    name: opts.name,
    family: opts.family,
    severity: opts.severity,
    for: '5m',
    expr: withTraffic(gt(recorded.httpServiceQuantile.select({ quantile: String(opts.q) }), threshold), inputs.thresholds.minRequestRate),
    valueFormat: 'duration',
    summary: (v) => `${v.label('service')}: ${pct} latency ${v.value} is above ${humanizeDuration(threshold)}`,
    description: (v) =>
      `The ${pct} latency of service ${v.label('service')} over the last 5 minutes is ${v.value}, above the ${opts.severity} threshold of ${humanizeDuration(threshold)} (alerts.thresholds.${opts.key}), at more than ${inputs.thresholds.minRequestRate} requests/s.`,
    dashboard: 'apiPerformance',
    runbook: LATENCY_RUNBOOK,
    scenarios: latencyScenarios(threshold, opts.q, inputs.thresholds.minRequestRate),
  });
}

function errorScenarios(threshold: number, minRate: number): AlertScenario[] {
  const total = Math.max(10_000, busyPerMinute(minRate));
  // Fire at twice the threshold (or halfway to 100%), stay quiet at half of it.
  const failing = Math.ceil(total * Math.min(2 * threshold, (threshold + 1) / 2));
  const quiet = Math.floor((total * threshold) / 2);
  const traffic = (perMinute: number, errors: number): InputSeries[] => [
    requestsInput('200', perMinute - errors),
    requestsInput('503', errors),
  ];
  return [
    { kind: 'fires', name: `${failing} of ${total} requests a minute fail`, series: traffic(total, failing), activeAtMinutes: 1, labels: { service: T.service }, value: failing / total },
    { kind: 'quiet', name: `${quiet} of ${total} requests a minute fail`, series: traffic(total, quiet) },
    { kind: 'quiet', name: 'no traffic: 0 errors of 0 requests is no ratio, not NaN', series: traffic(0, 0) },
    { kind: 'quiet', name: 'every request fails, but below minRequestRate', series: traffic(quietPerMinute(minRate), quietPerMinute(minRate)) },
  ];
}

function errorAlert(inputs: AlertInputs, opts: { name: string; key: ThresholdKey; severity: 'critical' | 'warning' }): AlertDefinition {
  const threshold = inputs.thresholds[opts.key];
  if (threshold >= 1) {
    throw new ObservatoryError(`stack ${inputs.config.stack}: observatory:alerts.thresholds.${opts.key}`, `(${threshold}) must be below 1: the error ratio can never exceed 100%`);
  }
  return defineAlert({
    name: opts.name,
    family: 'HttpErrorRate',
    severity: opts.severity,
    for: '5m',
    expr: withTraffic(gt(recorded.httpServiceErrorRatio.select(), threshold), inputs.thresholds.minRequestRate),
    valueFormat: 'percentage',
    summary: (v) => `${v.label('service')}: ${v.value} of requests fail with 5xx`,
    description: (v) =>
      `${v.value} of the requests to service ${v.label('service')} over the last 5 minutes failed with a 5xx status, above the ${opts.severity} threshold of ${humanizePercentage(threshold)} (alerts.thresholds.${opts.key}), at more than ${inputs.thresholds.minRequestRate} requests/s.`,
    dashboard: 'apiPerformance',
    runbook: ERROR_RUNBOOK,
    scenarios: errorScenarios(threshold, inputs.thresholds.minRequestRate),
  });
}

export const httpAlerts: AlertConcern = {
  group: 'observatory-http.alerts',
  alerts: (inputs) => [
    latencyAlert(inputs, { name: 'HttpLatencyP95High', family: 'HttpLatencyP95', q: 0.95, key: 'latencyP95Critical', severity: 'critical' }),
    latencyAlert(inputs, { name: 'HttpLatencyP95Elevated', family: 'HttpLatencyP95', q: 0.95, key: 'latencyP95Warning', severity: 'warning' }),
    latencyAlert(inputs, { name: 'HttpLatencyP99Elevated', family: 'HttpLatencyP99', q: 0.99, key: 'latencyP99Warning', severity: 'warning' }),
    errorAlert(inputs, { name: 'HttpErrorRateHigh', key: 'errorRatioCritical', severity: 'critical' }),
    errorAlert(inputs, { name: 'HttpErrorRateElevated', key: 'errorRatioWarning', severity: 'warning' }),
  ],
};
