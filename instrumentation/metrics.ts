/**
 * The application's prom-client metrics, created from the catalog entries themselves: names, help,
 * label names and buckets cannot drift from what dashboards and alerts query.
 *
 *   const metrics = createAppMetrics();
 *   metrics.httpRequests.inc({ method: 'GET', route: '/items/:id', status: '200' });
 *   res.end(await metrics.registry.metrics());
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import { activeTraceId } from './tracing';
import * as app from '../catalog/application';
import type { MetricSpec } from '../catalog/types';

/** The app's registry: OpenMetrics, the exposition format that has exemplars. */
export type AppRegistry = Registry<OpenMetricsContentType>;

function labelNames<L extends string>(spec: MetricSpec<string, L>): L[] {
  return Object.keys(spec.labels) as L[];
}

export function counterFrom<L extends string>(spec: MetricSpec<string, L>, registry: AppRegistry): Counter<L> {
  if (spec.type !== 'counter') throw new Error(`${spec.name} is a ${spec.type}, not a counter`);
  return new Counter({ name: spec.name, help: spec.help, labelNames: labelNames(spec), registers: [registry] });
}

export function gaugeFrom<L extends string>(spec: MetricSpec<string, L>, registry: AppRegistry): Gauge<L> {
  if (spec.type !== 'gauge') throw new Error(`${spec.name} is a ${spec.type}, not a gauge`);
  return new Gauge({ name: spec.name, help: spec.help, labelNames: labelNames(spec), registers: [registry] });
}

export function histogramFrom<L extends string>(spec: MetricSpec<string, L>, registry: AppRegistry): Histogram<L> {
  if (spec.type !== 'histogram' || !spec.buckets) throw new Error(`${spec.name} is not a histogram with buckets`);
  return new Histogram({ name: spec.name, help: spec.help, labelNames: labelNames(spec), buckets: [...spec.buckets], registers: [registry], enableExemplars: spec.exemplarTraceLabel !== undefined });
}

export interface AppMetricsOptions {
  /**
   * Registry to register on; it must use the OpenMetrics format, the one exemplars exist in.
   * Default: a new OpenMetrics Registry (Prometheus asks for OpenMetrics first when it scrapes).
   */
  readonly registry?: AppRegistry;
  /** Also collect prom-client's process and Node.js metrics. Default: true */
  readonly defaultMetrics?: boolean;
}

/** A new registry in the OpenMetrics format (prom-client's typings have no constructor argument for it). */
export function openMetricsRegistry(): AppRegistry {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

export function createAppMetrics(options: AppMetricsOptions = {}) {
  const registry = options.registry ?? openMetricsRegistry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: counterFrom(app.http_requests_total, registry),
    httpRequestDuration: histogramFrom(app.http_request_duration_seconds, registry),
    dbQueries: counterFrom(app.db_queries_total, registry),
    dbQueryDuration: histogramFrom(app.db_query_duration_seconds, registry),
    redisOperations: counterFrom(app.redis_operations_total, registry),
    redisOperationDuration: histogramFrom(app.redis_operation_duration_seconds, registry),
    cacheHits: counterFrom(app.cache_hits_total, registry),
    cacheMisses: counterFrom(app.cache_misses_total, registry),
    activeConnections: gaugeFrom(app.active_connections, registry),
  };
}
export type AppMetrics = ReturnType<typeof createAppMetrics>;

type DbOperation = NonNullable<(typeof app.db_queries_total.labels.operation)['values']>[number];

/**
 * Records one HTTP request (counter and histogram with the same labels). Called inside the
 * request's span, the duration carries the span's trace ID as its exemplar (catalog
 * `exemplarTraceLabel`), so a dot on a latency panel opens that request's trace in Jaeger.
 */
export function observeRequest(m: AppMetrics, labels: { method: string; route: string; status: number | string }, seconds: number): void {
  const l = { method: labels.method, route: labels.route, status: String(labels.status) };
  m.httpRequests.inc(l);
  const traceId = activeTraceId();
  const label = app.http_request_duration_seconds.exemplarTraceLabel;
  const exemplarLabels: Record<string, string> = traceId === undefined || label === undefined ? {} : { [label]: traceId };
  m.httpRequestDuration.observe({ labels: l, value: seconds, exemplarLabels });
}

/** Times a database query and records it (also when it throws). */
export async function timeDbQuery<T>(m: AppMetrics, operation: DbOperation, table: string, run: () => Promise<T>): Promise<T> {
  const end = m.dbQueryDuration.startTimer({ operation, table });
  try {
    return await run();
  } finally {
    end();
    m.dbQueries.inc({ operation, table });
  }
}

/** Times a Redis command and records it (also when it throws). */
export async function timeRedisOperation<T>(m: AppMetrics, operation: string, run: () => Promise<T>): Promise<T> {
  const end = m.redisOperationDuration.startTimer({ operation });
  try {
    return await run();
  } finally {
    end();
    m.redisOperations.inc({ operation });
  }
}

/** Records a cache lookup as a hit or a miss. */
export function recordCacheLookup(m: AppMetrics, cache: string, hit: boolean): void {
  (hit ? m.cacheHits : m.cacheMisses).inc({ cache });
}
