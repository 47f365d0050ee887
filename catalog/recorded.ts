/**
 * Recording rules: the expensive expressions dashboards and alerts share, computed once per
 * evaluation and stored under `level:metric:operations` names. Handles (`recorded.*`) are fixed so
 * dashboards and alerts can select them with typed labels; their expressions take the stack's SLO
 * settings. Rules in a group run in order, so later rules build on earlier ones in the same group.
 */
import * as app from './application';
import * as pg from './postgres';
import * as redis from './redis';
import * as node from './node';
import {
  SeriesHandle, histogram, series, rate, sum, max, avg, sumOverTime, ratio, ratioOrZero, add, sub, mul, or, oneMinus, histogramQuantile,
  type Matcher, type Query,
} from './query';
import { SLO_WINDOWS, type SloSettings } from './slos';

/** Quantiles recorded for latency histograms; dashboards plot them, alerts read 0.95 and 0.99. */
export const LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;
/** Rate window of the 5m recordings. Covers 20 scrapes at 15s, enough to survive a missed scrape. */
export const RECORDING_WINDOW = '5m';

function recordedSeries<const L extends string>(name: string, labels: readonly L[]): SeriesHandle<L> {
  if (!/^[a-z][a-z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-z0-9_]+$/.test(name)) throw new Error(`recording rule name "${name}" is not level:metric:operations`);
  return new SeriesHandle(name, labels);
}

export const recorded = {
  httpBucketRate: recordedSeries('service_route_le:http_request_duration_seconds_bucket:rate5m', ['service', 'route', 'le']),
  httpServiceBucketRate: recordedSeries('service_le:http_request_duration_seconds_bucket:rate5m', ['service', 'le']),
  httpServiceCountRate: recordedSeries('service:http_request_duration_seconds_count:rate5m', ['service']),
  httpRouteQuantile: recordedSeries('service_route:http_request_duration_seconds:histogram_quantile_rate5m', ['service', 'route', 'quantile']),
  httpServiceQuantile: recordedSeries('service:http_request_duration_seconds:histogram_quantile_rate5m', ['service', 'quantile']),
  httpRouteStatusRate: recordedSeries('service_route_status:http_requests:rate5m', ['service', 'route', 'status']),
  /** Per-instance throughput; the raw form read every method x status series (the slowest API panel). */
  httpRouteInstanceRate: recordedSeries('service_route_instance:http_requests:rate5m', ['service', 'route', 'instance']),
  httpServiceRate: recordedSeries('service:http_requests:rate5m', ['service']),
  httpServiceErrorRate: recordedSeries('service:http_request_errors:rate5m', ['service']),
  httpServiceErrorRatio: recordedSeries('service:http_request_errors:ratio_rate5m', ['service']),
  dbQueryRate: recordedSeries('service_operation_table:db_queries:rate5m', ['service', 'operation', 'table']),
  dbQueryMean: recordedSeries('service_operation_table:db_query_duration_seconds:mean_rate5m', ['service', 'operation', 'table']),
  dbBucketRate: recordedSeries('service_operation_table_le:db_query_duration_seconds_bucket:rate5m', ['service', 'operation', 'table', 'le']),
  /** DB latency quantiles; the raw form read every bucket of every pod (1 s of a 4.5 s API dashboard at 24 h). */
  dbQueryQuantile: recordedSeries('service_operation_table:db_query_duration_seconds:histogram_quantile_rate5m', ['service', 'operation', 'table', 'quantile']),
  redisOpRate: recordedSeries('service_operation:redis_operations:rate5m', ['service', 'operation']),
  redisBucketRate: recordedSeries('service_operation_le:redis_operation_duration_seconds_bucket:rate5m', ['service', 'operation', 'le']),
  redisOpQuantile: recordedSeries('service_operation:redis_operation_duration_seconds:histogram_quantile_rate5m', ['service', 'operation', 'quantile']),
  /** Hit and miss rates of the applications' caches; each is 0 (not absent) while the other has lookups. */
  cacheHitRate: recordedSeries('service_cache:cache_hits:rate5m', ['service', 'cache']),
  cacheMissRate: recordedSeries('service_cache:cache_misses:rate5m', ['service', 'cache']),
  cacheHitRatio: recordedSeries('service_cache:cache_hits:ratio_rate5m', ['service', 'cache']),
  pgConnectionUsage: recordedSeries('service_instance:pg_connections:usage_ratio', ['service', 'instance']),
  pgBlocksHitRate: recordedSeries('service_instance:pg_stat_database_blks_hit:rate5m', ['service', 'instance']),
  pgBlocksReadRate: recordedSeries('service_instance:pg_stat_database_blks_read:rate5m', ['service', 'instance']),
  pgBufferHitRatio: recordedSeries('service_instance:pg_buffer_cache_hits:ratio_rate5m', ['service', 'instance']),
  redisMemoryUsage: recordedSeries('service_instance:redis_memory:usage_ratio', ['service', 'instance']),
  redisKeyspaceHitRate: recordedSeries('service_instance:redis_keyspace_hits:rate5m', ['service', 'instance']),
  redisKeyspaceMissRate: recordedSeries('service_instance:redis_keyspace_misses:rate5m', ['service', 'instance']),
  redisKeyspaceHitRatio: recordedSeries('service_instance:redis_keyspace_hits:ratio_rate5m', ['service', 'instance']),
  nodeCpuUtilisation: recordedSeries('instance:node_cpu_utilisation:ratio_rate5m', ['instance']),
  nodeMemoryUtilisation: recordedSeries('instance:node_memory_utilisation:ratio', ['instance']),
} as const;

/** SLO error ratios per window, e.g. sloErrorRatio('availability', '1h'). */
export function sloErrorRatio(sli: 'availability' | 'latency', window: string): SeriesHandle<'service'> {
  if (!SLO_WINDOWS.includes(window)) throw new Error(`no SLO recording for window ${window} (have ${SLO_WINDOWS.join(', ')})`);
  return recordedSeries(`service:slo_${sli}_errors:ratio_rate${window}`, ['service']);
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: Query<string>;
  readonly labels?: Readonly<Record<string, string>>;
}
export interface RecordingGroup {
  /** Group name; also the rules file name. */
  readonly name: string;
  readonly rules: readonly RecordingRule[];
}

const W = RECORDING_WINDOW;
const httpDuration = histogram(app.http_request_duration_seconds);
const httpRequests = series(app.http_requests_total);

function rule<L extends string>(handle: SeriesHandle<L>, expr: Query<string>, labels?: Record<string, string>): RecordingRule {
  return labels ? { record: handle.name, expr, labels } : { record: handle.name, expr };
}

/**
 * hits / (hits + misses) as three rules: the hit rate and the miss rate, each 0 where only the
 * other has series, then their ratio. Counters appear lazily: a cache that has only missed so far
 * has no hits series, and `hits / (hits + misses)` would have no result at all, so its hit-ratio
 * alert could never fire and its panel would be empty. Recording the two rates first reads each
 * raw counter once per evaluation for the ratio.
 */
function hitRatioRules<L extends string>(
  handles: { readonly hits: SeriesHandle<L>; readonly misses: SeriesHandle<L>; readonly ratio: SeriesHandle<L> },
  hits: Query<L>,
  misses: Query<L>,
): RecordingRule[] {
  return [
    rule(handles.hits, or(hits, mul(misses, 0))),
    rule(handles.misses, or(misses, mul(handles.hits.select(), 0))),
    rule(handles.ratio, ratio(handles.hits.select(), add(handles.hits.select(), handles.misses.select()))),
  ];
}

function httpRules(): RecordingGroup {
  const bucketRate = sum(rate(httpDuration.bucket.range(W)), ['service', 'route', 'le']);
  const routeStatus = sum(rate(httpRequests.range(W)), ['service', 'route', 'status']);
  return {
    name: 'observatory-http.recording',
    rules: [
      rule(recorded.httpBucketRate, bucketRate),
      rule(recorded.httpServiceBucketRate, sum(recorded.httpBucketRate.select(), ['service', 'le'])),
      rule(recorded.httpServiceCountRate, sum(rate(httpDuration.count.range(W)), ['service'])),
      ...LATENCY_QUANTILES.map((q) => rule(recorded.httpRouteQuantile, histogramQuantile(q, recorded.httpBucketRate.select()), { quantile: String(q) })),
      ...LATENCY_QUANTILES.map((q) => rule(recorded.httpServiceQuantile, histogramQuantile(q, recorded.httpServiceBucketRate.select()), { quantile: String(q) })),
      rule(recorded.httpRouteStatusRate, routeStatus),
      rule(recorded.httpRouteInstanceRate, sum(rate(httpRequests.range(W)), ['service', 'route', 'instance'])),
      rule(recorded.httpServiceRate, sum(recorded.httpRouteStatusRate.select(), ['service'])),
      rule(recorded.httpServiceErrorRate, sum(recorded.httpRouteStatusRate.select({ status: { re: '5..' } }), ['service'])),
      // 0 for a service that serves but never failed: it has no 5xx series at all.
      rule(recorded.httpServiceErrorRatio, ratioOrZero(recorded.httpServiceErrorRate.select(), recorded.httpServiceRate.select())),
    ],
  };
}

function dependencyRules(): RecordingGroup {
  const dbDuration = histogram(app.db_query_duration_seconds);
  const redisDuration = histogram(app.redis_operation_duration_seconds);
  const by = ['service', 'operation', 'table'] as const;
  const hits = sum(rate(series(app.cache_hits_total).range(W)), ['service', 'cache']);
  const misses = sum(rate(series(app.cache_misses_total).range(W)), ['service', 'cache']);
  return {
    name: 'observatory-dependencies.recording',
    rules: [
      rule(recorded.dbQueryRate, sum(rate(series(app.db_queries_total).range(W)), by)),
      rule(recorded.dbQueryMean, ratio(sum(rate(dbDuration.sum.range(W)), by), sum(rate(dbDuration.count.range(W)), by))),
      // Quantiles from one recorded bucket rate: the raw buckets are read once per evaluation, not once per quantile.
      rule(recorded.dbBucketRate, sum(rate(dbDuration.bucket.range(W)), ['service', 'operation', 'table', 'le'])),
      ...LATENCY_QUANTILES.map((q) => rule(recorded.dbQueryQuantile, histogramQuantile(q, recorded.dbBucketRate.select()), { quantile: String(q) })),
      rule(recorded.redisOpRate, sum(rate(series(app.redis_operations_total).range(W)), ['service', 'operation'])),
      rule(recorded.redisBucketRate, sum(rate(redisDuration.bucket.range(W)), ['service', 'operation', 'le'])),
      ...LATENCY_QUANTILES.map((q) => rule(recorded.redisOpQuantile, histogramQuantile(q, recorded.redisBucketRate.select()), { quantile: String(q) })),
      ...hitRatioRules({ hits: recorded.cacheHitRate, misses: recorded.cacheMissRate, ratio: recorded.cacheHitRatio }, hits, misses),
    ],
  };
}

function exporterRules(): RecordingGroup {
  const si = ['service', 'instance'] as const;
  const blksHit = sum(rate(series(pg.pg_stat_database_blks_hit).range(W)), si);
  const blksRead = sum(rate(series(pg.pg_stat_database_blks_read).range(W)), si);
  const kHits = sum(rate(series(redis.redis_keyspace_hits_total).range(W)), si);
  const kMisses = sum(rate(series(redis.redis_keyspace_misses_total).range(W)), si);
  const idle = avg(rate(series(node.node_cpu_seconds_total).range(W, { mode: 'idle' })), ['instance']);
  return {
    name: 'observatory-exporters.recording',
    rules: [
      // Against the slots applications may use: superuser_reserved_connections are kept for admins.
      rule(
        recorded.pgConnectionUsage,
        ratio(
          sum(series(pg.pg_stat_database_numbackends).select(), si),
          sub(max(series(pg.pg_settings_max_connections).select(), si), max(series(pg.pg_settings_superuser_reserved_connections).select(), si)),
        ),
      ),
      ...hitRatioRules({ hits: recorded.pgBlocksHitRate, misses: recorded.pgBlocksReadRate, ratio: recorded.pgBufferHitRatio }, blksHit, blksRead),
      // maxmemory 0 means "no limit": ratio() drops the series instead of dividing by zero.
      rule(recorded.redisMemoryUsage, ratio(max(series(redis.redis_memory_used_bytes).select(), si), max(series(redis.redis_memory_max_bytes).select(), si))),
      ...hitRatioRules({ hits: recorded.redisKeyspaceHitRate, misses: recorded.redisKeyspaceMissRate, ratio: recorded.redisKeyspaceHitRatio }, kHits, kMisses),
      rule(recorded.nodeCpuUtilisation, oneMinus(idle)),
      rule(
        recorded.nodeMemoryUtilisation,
        oneMinus(ratio(sum(series(node.node_memory_MemAvailable_bytes).select(), ['instance']), sum(series(node.node_memory_MemTotal_bytes).select(), ['instance']))),
      ),
    ],
  };
}

/**
 * The error ratio of an SLI over `window`: bad requests / all requests in the window, per service.
 * The SLO recording rules, the SLO alerts and the SLO panels all use this one expression.
 *
 * It is built from the per-service 5m rates the http group records, not from the raw series:
 * `rate(http_requests_total[3d])` reads every route x method x status x pod series over three days
 * on each evaluation, which `npm run bench -- rules` measured at 14% of a 30 s interval with one
 * day of history (see docs/benchmarks.md). Instead both sides are SUMS of the 5m rates over the
 * window, one series per service. A sum counts a missing sample as 0 requests: the 5xx series
 * only exists from the first 5xx on (prom-client creates label sets lazily), and an average over
 * its few samples against the average of the always-present total would overstate the ratio
 * many times over (a 10-minute burst after hours of clean traffic paged at ~14x a real 1x burn).
 * Summed, every evaluation of the window counts on both sides with the same weight, so the ratio
 * is the ratio of requests in the window (each request is counted by the 5m rates of the
 * evaluations in the 5 minutes after it; requests in the window's last 5 minutes count
 * partially, the same on both sides). A service that served but never failed gets 0, not no
 * series (ratioOrZero).
 */
export function sloWindowErrorRatio(sli: 'availability' | 'latency', latencyThresholdSeconds: number, window: string, service?: Matcher): Query<'service'> {
  const m = service === undefined ? {} : { service };
  const le = String(latencyThresholdSeconds);
  const over = (h: SeriesHandle<'service'>): Query<'service'> => (window === W ? h.select(m) : sumOverTime(h.range(window, m)));
  if (sli === 'availability') return ratioOrZero(over(recorded.httpServiceErrorRate), over(recorded.httpServiceRate));
  // Slow = all - fast: every request counts into _count and into each bucket it fits, so the two are present together.
  const all = over(recorded.httpServiceCountRate);
  const fast = sum(window === W ? recorded.httpServiceBucketRate.select({ ...m, le }) : sumOverTime(recorded.httpServiceBucketRate.range(window, { ...m, le })), ['service']);
  return ratio(sub(all, fast), all);
}

/** SLI error ratios over every burn-rate window, per service (sloWindowErrorRatio). */
function sloRules(slo: SloSettings): RecordingGroup {
  const rules: RecordingRule[] = [];
  for (const window of SLO_WINDOWS) {
    rules.push(rule(sloErrorRatio('availability', window), sloWindowErrorRatio('availability', slo.latencyThresholdSeconds, window)));
    rules.push(rule(sloErrorRatio('latency', window), sloWindowErrorRatio('latency', slo.latencyThresholdSeconds, window)));
  }
  return { name: 'observatory-slo.recording', rules };
}

export function recordingRuleGroups(slo: SloSettings): RecordingGroup[] {
  return [httpRules(), dependencyRules(), exporterRules(), sloRules(slo)];
}
