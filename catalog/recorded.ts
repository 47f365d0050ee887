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
  SeriesHandle, histogram, series, rate, sum, max, avg, avgOverTime, ratio, add, sub, oneMinus, histogramQuantile, type Query,
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
  cacheHitRatio: recordedSeries('service_cache:cache_hits:ratio_rate5m', ['service', 'cache']),
  pgConnectionUsage: recordedSeries('service_instance:pg_connections:usage_ratio', ['service', 'instance']),
  pgBufferHitRatio: recordedSeries('service_instance:pg_buffer_cache_hits:ratio_rate5m', ['service', 'instance']),
  redisMemoryUsage: recordedSeries('service_instance:redis_memory:usage_ratio', ['service', 'instance']),
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
      rule(recorded.httpServiceErrorRatio, ratio(recorded.httpServiceErrorRate.select(), recorded.httpServiceRate.select())),
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
      rule(recorded.cacheHitRatio, ratio(hits, add(hits, misses))),
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
      rule(recorded.pgBufferHitRatio, ratio(blksHit, add(blksHit, blksRead))),
      // maxmemory 0 means "no limit": ratio() drops the series instead of dividing by zero.
      rule(recorded.redisMemoryUsage, ratio(max(series(redis.redis_memory_used_bytes).select(), si), max(series(redis.redis_memory_max_bytes).select(), si))),
      rule(recorded.redisKeyspaceHitRatio, ratio(kHits, add(kHits, kMisses))),
      rule(recorded.nodeCpuUtilisation, oneMinus(idle)),
      rule(
        recorded.nodeMemoryUtilisation,
        oneMinus(ratio(sum(series(node.node_memory_MemAvailable_bytes).select(), ['instance']), sum(series(node.node_memory_MemTotal_bytes).select(), ['instance']))),
      ),
    ],
  };
}

/**
 * SLI error ratios over every burn-rate window, per service. They are built from the per-service
 * 5m rates the http group records, not from the raw series: `rate(http_requests_total[3d])` reads
 * every route x method x status x pod series over three days on each evaluation, which
 * `npm run bench -- rules` measured at 14% of a 30 s interval with one day of history (see
 * docs/benchmarks.md). Averaging the 5m rates over the window reads one series per service; the
 * error and total averages cover the same evaluation timestamps, so their ratio is the ratio of
 * events in the window.
 */
function sloRules(slo: SloSettings): RecordingGroup {
  const rules: RecordingRule[] = [];
  const le = String(slo.latencyThresholdSeconds);
  const errors = recorded.httpServiceErrorRate;
  const total = recorded.httpServiceRate;
  const buckets = recorded.httpServiceBucketRate;
  const observed = recorded.httpServiceCountRate;
  for (const window of SLO_WINDOWS) {
    if (window === W) {
      rules.push(rule(sloErrorRatio('availability', window), ratio(errors.select(), total.select())));
      rules.push(rule(sloErrorRatio('latency', window), oneMinus(ratio(sum(buckets.select({ le }), ['service']), observed.select()))));
      continue;
    }
    const mean = (h: SeriesHandle<'service'>) => sum(avgOverTime(h.range(window)), ['service']);
    const fast = sum(avgOverTime(buckets.range(window, { le })), ['service']);
    rules.push(rule(sloErrorRatio('availability', window), ratio(mean(errors), mean(total))));
    rules.push(rule(sloErrorRatio('latency', window), oneMinus(ratio(fast, mean(observed)))));
  }
  return { name: 'observatory-slo.recording', rules };
}

export function recordingRuleGroups(slo: SloSettings): RecordingGroup[] {
  return [httpRules(), dependencyRules(), exporterRules(), sloRules(slo)];
}
