/**
 * Metrics every Observatory application exposes (through instrumentation/metrics.ts, which creates
 * them from these very entries, so an app cannot drift from its dashboards).
 */
import { defineMetric } from './types';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * HTTP latency buckets (seconds). 0.2, 0.5 and 1 must stay bucket bounds: the latency SLO and the
 * p95/p99 alert thresholds sit on them, and a quantile between bounds is only an interpolation.
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10] as const;
/** Query latency buckets (seconds); 0.5 and 2 are the slow-query alert bounds. */
export const DB_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5] as const;
/** Redis is sub-millisecond when healthy, so the buckets start at 100 µs. */
export const REDIS_DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;

export const http_requests_total = defineMetric({
  name: 'http_requests_total',
  type: 'counter',
  unit: 'count',
  help: 'HTTP requests handled, by method, route template and status code.',
  source: 'application',
  labels: {
    method: { help: 'HTTP request method.', values: HTTP_METHODS },
    route: { help: 'Route template (e.g. /api/items/:id), never the raw path, to keep cardinality bounded.' },
    status: { help: 'HTTP response status code, e.g. 200 or 503.' },
  },
});

/**
 * Exemplar label holding a request's OpenTelemetry trace ID. The name Grafana's Jaeger link and
 * OpenTelemetry-instrumented exporters conventionally use.
 */
export const TRACE_ID_EXEMPLAR_LABEL = 'trace_id';

export const http_request_duration_seconds = defineMetric({
  name: 'http_request_duration_seconds',
  type: 'histogram',
  unit: 'seconds',
  help: 'Time from receiving an HTTP request to finishing its response.',
  source: 'application',
  labels: {
    method: { help: 'HTTP request method.', values: HTTP_METHODS },
    route: { help: 'Route template, as on http_requests_total.' },
    status: { help: 'HTTP response status code.' },
  },
  buckets: HTTP_DURATION_BUCKETS,
  // The latency runbooks say "look at a slow trace": the exemplar is that trace, one click away.
  exemplarTraceLabel: TRACE_ID_EXEMPLAR_LABEL,
});

export const db_queries_total = defineMetric({
  name: 'db_queries_total',
  type: 'counter',
  unit: 'count',
  help: 'Database queries issued by the application.',
  source: 'application',
  labels: {
    operation: { help: 'SQL statement kind.', values: ['select', 'insert', 'update', 'delete'] },
    table: { help: 'Main table the statement touches.' },
  },
});

export const db_query_duration_seconds = defineMetric({
  name: 'db_query_duration_seconds',
  type: 'histogram',
  unit: 'seconds',
  help: 'Database query latency as seen by the application, including pool wait.',
  source: 'application',
  labels: {
    operation: { help: 'SQL statement kind.', values: ['select', 'insert', 'update', 'delete'] },
    table: { help: 'Main table the statement touches.' },
  },
  buckets: DB_DURATION_BUCKETS,
});

export const redis_operations_total = defineMetric({
  name: 'redis_operations_total',
  type: 'counter',
  unit: 'count',
  help: 'Redis commands issued by the application.',
  source: 'application',
  labels: {
    operation: { help: 'Redis command, lower case (get, set, del, incr, expire, ...).' },
  },
});

export const redis_operation_duration_seconds = defineMetric({
  name: 'redis_operation_duration_seconds',
  type: 'histogram',
  unit: 'seconds',
  help: 'Redis command round-trip latency as seen by the application.',
  source: 'application',
  labels: {
    operation: { help: 'Redis command, lower case.' },
  },
  buckets: REDIS_DURATION_BUCKETS,
});

export const cache_hits_total = defineMetric({
  name: 'cache_hits_total',
  type: 'counter',
  unit: 'count',
  help: 'Application cache lookups that found the entry.',
  source: 'application',
  labels: { cache: { help: 'Logical cache name (e.g. feed, profile).' } },
});

export const cache_misses_total = defineMetric({
  name: 'cache_misses_total',
  type: 'counter',
  unit: 'count',
  help: 'Application cache lookups that did not find the entry.',
  source: 'application',
  labels: { cache: { help: 'Logical cache name (e.g. feed, profile).' } },
});

export const active_connections = defineMetric({
  name: 'active_connections',
  type: 'gauge',
  unit: 'count',
  help: 'Connections currently open, by kind.',
  source: 'application',
  labels: {
    type: { help: 'Connection kind.', values: ['http', 'database', 'redis', 'websocket'] },
  },
});

export const applicationMetrics = [
  http_requests_total,
  http_request_duration_seconds,
  db_queries_total,
  db_query_duration_seconds,
  redis_operations_total,
  redis_operation_duration_seconds,
  cache_hits_total,
  cache_misses_total,
  active_connections,
] as const;
