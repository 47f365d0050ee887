/**
 * Redis and cache alerts: memory against maxmemory, hit ratios (Redis keyspace and the
 * applications' own caches), evictions, and whether redis_exporter can reach Redis at all.
 */
import * as app from '../catalog/application';
import { ObservatoryError } from '../catalog/errors';
import { add, and, andOn, constantSeries, eq, ge, gt, increase, lt, ltOnGroupLeft, max, or, orAll, rate, ratio, series, sum, unlessOn, withLabel, type Query } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import * as redis from '../catalog/redis';
import { humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type InputSeries } from './types';

const R = TEST_TARGETS.redis;
const APP = TEST_TARGETS.app;
const GIB = 1024 ** 3;

function memoryAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.redisMemoryUsage;
  if (threshold >= 1) {
    throw new ObservatoryError(`stack ${inputs.config.stack}: observatory:alerts.thresholds.redisMemoryUsage`, `(${threshold}) must be below 1: Redis does not use more than maxmemory for long`);
  }
  const memory = (usedBytes: number, maxBytes: number): InputSeries[] => [
    input(series(redis.redis_memory_used_bytes), R, steady(usedBytes)),
    input(series(redis.redis_memory_max_bytes), R, steady(maxBytes)),
  ];
  const high = Math.min(threshold + (1 - threshold) / 2, threshold * 1.05);
  return defineAlert({
    name: 'RedisMemoryHigh',
    family: 'RedisMemory',
    severity: 'warning',
    for: '5m',
    // The recording divides by maxmemory only where it is > 0: without a limit there is no ratio.
    expr: gt(recorded.redisMemoryUsage.select(), threshold),
    valueFormat: 'percentage',
    summary: (v) => `Redis ${v.label('instance')} uses ${v.value} of maxmemory`,
    description: (v) =>
      `Redis behind ${v.label('instance')} uses ${v.value} of its maxmemory limit, above ${humanizePercentage(threshold)} (alerts.thresholds.redisMemoryUsage). At the limit Redis evicts keys or, with the noeviction policy, rejects writes with OOM errors.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Redis is close to its maxmemory limit. What happens at the limit depends on maxmemory-policy: an LRU/LFU policy evicts keys (the cache gets worse), `noeviction` makes every write fail. Without a limit (maxmemory 0) this alert cannot fire; watch the host memory instead.',
      causes: [
        'Keys written without a TTL, so the dataset only grows.',
        'A new feature caching large values or many more keys.',
        'maxmemory set too low for the working set.',
        'Memory fragmentation (used_memory_rss far above used_memory).',
      ],
      checks: [
        'Run `redis-cli INFO memory` and compare used_memory, used_memory_rss and maxmemory; note maxmemory_policy.',
        'Find the biggest keys: `redis-cli --bigkeys` (scans; run it off-peak).',
        'Check keys without TTL: `redis-cli INFO keyspace` shows keys and expires per database.',
        'Look at evictions (`redis_evicted_keys_total`) and the keyspace hit ratio on the Database & Redis dashboard.',
      ],
      fixes: [
        'Set TTLs on cache entries; delete keys nothing reads any more.',
        'Raise maxmemory (and the container memory limit with it), or scale Redis.',
        'Use an eviction policy such as allkeys-lru if Redis only holds cache data.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(high)} of 4 GiB used`, series: memory(Math.round(high * 4 * GIB), 4 * GIB), activeAtMinutes: 0, labels: { service: R.service, instance: R.instance }, value: Math.round(high * 4 * GIB) / (4 * GIB) },
      { kind: 'quiet', name: `${humanizePercentage(threshold / 2)} of 4 GiB used`, series: memory(Math.round((threshold / 2) * 4 * GIB), 4 * GIB) },
      { kind: 'quiet', name: 'no maxmemory (0): 6 GiB used is no ratio, not +Inf', series: memory(6 * GIB, 0) },
    ],
  });
}

/** Lookups a minute split into hits and misses so that hits / (hits + misses) = ratio. */
function lookups(ratio: number, total = 10_000): { hits: number; misses: number; value: number } {
  const hits = Math.round(total * ratio);
  return { hits, misses: total - hits, value: hits / total };
}

/**
 * The hit-ratio condition, only for caches looked up at least alerts.thresholds.cacheMinLookupRate
 * times a second: a handful of misses on a quiet cache is a large share, not a problem.
 */
function withLookups<L extends string>(condition: Query<L>, hits: Query<L>, misses: Query<L>, minRate: number): Query<L> {
  return and(condition, ge(add(hits, misses), minRate));
}

function hitRatioScenarios(threshold: number, minRate: number, traffic: (hits: number, misses: number) => InputSeries[], labels: Record<string, string>): AlertScenario[] {
  // Above minRate from the first minute: a fresh counter's 5m rate starts at a fifth of the steady rate.
  const busy = Math.max(10_000, Math.ceil(minRate * 300 * 2));
  const low = lookups(threshold / 2, busy);
  const good = lookups((threshold + 1) / 2, busy);
  const rare = lookups(threshold / 2, (minRate * 60) / 4);
  return [
    { kind: 'fires', name: `${humanizePercentage(low.value)} of lookups hit`, series: traffic(low.hits, low.misses), activeAtMinutes: 1, labels, value: low.value },
    { kind: 'quiet', name: `${humanizePercentage(good.value)} of lookups hit`, series: traffic(good.hits, good.misses) },
    { kind: 'quiet', name: 'no lookups at all (no ratio rather than 0%)', series: traffic(0, 0) },
    { kind: 'quiet', name: `${humanizePercentage(low.value)} hit, but below cacheMinLookupRate`, series: traffic(rare.hits, rare.misses) },
  ];
}

const HIT_RATIO_CHECKS = [
  'Compare lookups with writes: a hit ratio falling while traffic is steady often follows a deployment that changed cache keys.',
  'Check evictions (`redis_evicted_keys_total`) and memory: a full cache evicts entries before they are read again.',
  'Check TTLs of the cached entries (`redis-cli TTL <key>` on a sample) against how often they are read.',
];

function keyspaceAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.cacheHitRatioMin;
  const minRate = inputs.thresholds.cacheMinLookupRate;
  const traffic = (hits: number, misses: number): InputSeries[] => [
    input(series(redis.redis_keyspace_hits_total), R, counter(hits)),
    input(series(redis.redis_keyspace_misses_total), R, counter(misses)),
  ];
  return defineAlert({
    name: 'RedisKeyspaceHitRateLow',
    family: 'RedisKeyspaceHitRate',
    severity: 'warning',
    for: '10m',
    // The zero-filled recorded rates: a Redis that only misses has no hits series to add.
    expr: withLookups(lt(recorded.redisKeyspaceHitRatio.select(), threshold), recorded.redisKeyspaceHitRate.select(), recorded.redisKeyspaceMissRate.select(), minRate),
    valueFormat: 'percentage',
    summary: (v) => `Redis ${v.label('instance')}: only ${v.value} of key lookups hit`,
    description: (v) =>
      `Only ${v.value} of key lookups on Redis behind ${v.label('instance')} found the key over the last 5 minutes, below ${humanizePercentage(threshold)} (alerts.thresholds.cacheHitRatioMin), at more than ${minRate} lookups/s (alerts.thresholds.cacheMinLookupRate). Misses fall through to the database.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Most GET-style lookups on Redis miss. If Redis is used as a cache, the database is doing the work the cache should absorb, and latency rises with it.',
      causes: [
        'A cold cache after a Redis restart or flush.',
        'Keys evicted under memory pressure before they are read again.',
        'TTLs shorter than the interval between reads of the same key.',
        'A deployment that changed the cache key format, so every lookup misses once.',
      ],
      checks: ['Run `redis-cli INFO stats` and compare keyspace_hits, keyspace_misses and evicted_keys.', ...HIT_RATIO_CHECKS],
      fixes: [
        'Give Redis more memory or evict less valuable data (maxmemory-policy allkeys-lru / allkeys-lfu).',
        'Lengthen TTLs for entries that are read often and change rarely.',
        'After a restart, wait for the cache to warm up, or pre-warm the hottest keys.',
      ],
    },
    scenarios: hitRatioScenarios(threshold, minRate, traffic, { service: R.service, instance: R.instance }),
  });
}

/** The label that carries a cache's hit-ratio target (as text, e.g. "90%") on CacheHitRateLow. */
export const HIT_RATIO_TARGET_LABEL = 'hit_ratio_target';

/**
 * One constant series per configured cache, `{cache="<name>", hit_ratio_target="90%"} 0.9`, from
 * alerts.cacheTargets: what the alert compares each cache with and the cache panel draws.
 * Undefined when no cache has a target of its own.
 */
export function cacheTargetSeries(targets: Readonly<Record<string, number>>): Query<'cache' | typeof HIT_RATIO_TARGET_LABEL> | undefined {
  const entries = Object.entries(targets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return undefined;
  return orAll(entries.map(([cache, target]) => constantSeries(target, { cache, [HIT_RATIO_TARGET_LABEL]: humanizePercentage(target) } as { cache: string; hit_ratio_target: string })));
}

/**
 * Each cache's hit ratio below its own target (alerts.cacheTargets), and every other cache's
 * below cacheHitRatioMin, labelled with the target it missed.
 */
function belowCacheTarget(inputs: AlertInputs) {
  const ratio = recorded.cacheHitRatio.select();
  const global = inputs.thresholds.cacheHitRatioMin;
  const targets = cacheTargetSeries(inputs.config.alerts.cacheTargets);
  if (!targets) return withLabel(lt(ratio, global), HIT_RATIO_TARGET_LABEL, humanizePercentage(global));
  return or(ltOnGroupLeft(ratio, targets, ['cache'], [HIT_RATIO_TARGET_LABEL]), withLabel(lt(unlessOn(ratio, targets, ['cache']), global), HIT_RATIO_TARGET_LABEL, humanizePercentage(global)));
}

function appCacheAlert(inputs: AlertInputs): AlertDefinition {
  const global = inputs.thresholds.cacheHitRatioMin;
  const minRate = inputs.thresholds.cacheMinLookupRate;
  const traffic = (cache: string) => (hits: number, misses: number): InputSeries[] => [
    input(series(app.cache_hits_total), { ...APP, cache }, counter(hits)),
    input(series(app.cache_misses_total), { ...APP, cache }, counter(misses)),
  ];
  const unlisted = 'unlisted-cache';
  const fallback = hitRatioScenarios(global, minRate, traffic(unlisted), { service: APP.service, cache: unlisted, [HIT_RATIO_TARGET_LABEL]: humanizePercentage(global) });
  // The configured cache with the highest target: below it (but maybe above the global) fires.
  const own = Object.entries(inputs.config.alerts.cacheTargets).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const ownScenarios: AlertScenario[] = [];
  if (own) {
    const [cache, target] = own;
    const busy = Math.max(10_000, Math.ceil(minRate * 300 * 2));
    const below = lookups(target * 0.9, busy);
    const above = lookups((target + 1) / 2, busy);
    ownScenarios.push(
      {
        kind: 'fires',
        name: `${cache} at ${humanizePercentage(below.value)}, below its own target ${humanizePercentage(target)}`,
        series: traffic(cache)(below.hits, below.misses),
        activeAtMinutes: 1,
        labels: { service: APP.service, cache, [HIT_RATIO_TARGET_LABEL]: humanizePercentage(target) },
        value: below.value,
      },
      { kind: 'quiet', name: `${cache} at ${humanizePercentage(above.value)}, above its own target`, series: traffic(cache)(above.hits, above.misses) },
    );
  }
  return defineAlert({
    name: 'CacheHitRateLow',
    family: 'CacheHitRate',
    severity: 'warning',
    for: '10m',
    // The zero-filled recorded rates: a cache that only misses has no hits series to add.
    expr: andOn(belowCacheTarget(inputs), ge(add(recorded.cacheHitRate.select(), recorded.cacheMissRate.select()), minRate), ['service', 'cache']),
    valueFormat: 'percentage',
    summary: (v) => `${v.label('service')}: only ${v.value} of ${v.label('cache')} cache lookups hit (target ${v.label(HIT_RATIO_TARGET_LABEL)})`,
    description: (v) =>
      `Only ${v.value} of lookups in the ${v.label('cache')} cache of service ${v.label('service')} hit over the last 5 minutes, below its target of ${v.label(HIT_RATIO_TARGET_LABEL)} (alerts.cacheTargets, or alerts.thresholds.cacheHitRatioMin = ${humanizePercentage(global)} for caches not listed there), at more than ${minRate} lookups/s (alerts.thresholds.cacheMinLookupRate).`,
    dashboard: 'apiPerformance',
    runbook: {
      meaning:
        'The application\'s own cache (cache_hits_total / cache_misses_total) finds what it looks for less often than its target, so requests do the expensive work behind it, usually database queries. Each cache has its own target (alerts.cacheTargets; seed 000: scripture verses 90%, user profiles 85%, group data 80%, feed items 75%), the rest share alerts.thresholds.cacheHitRatioMin.',
      causes: [
        'Cache invalidation that is too eager (every write clears large parts of the cache).',
        'TTLs too short for the access pattern, or keys that include request-specific parts (timestamps, session ids).',
        'The cache backend (Redis) evicting entries under memory pressure, or restarted.',
        'A new traffic pattern: many distinct keys read once each (crawlers, exports).',
      ],
      checks: ['See which caches dropped, against their targets: the "Cache hit ratio by cache" panel, or `service_cache:cache_hits:ratio_rate5m{service="<service>"}`.', ...HIT_RATIO_CHECKS],
      fixes: [
        'Review the invalidation logic and key design of the affected cache; add versioning instead of mass deletes.',
        'Adjust TTLs to the read frequency of the data.',
        'Give Redis more memory if entries are evicted before reuse.',
        'If the target itself is wrong for this cache (its TTL or invalidation changed by design), change alerts.cacheTargets.',
      ],
    },
    scenarios: [...ownScenarios, ...fallback],
  });
}

function evictionsAlert(): AlertDefinition {
  const evicted = series(redis.redis_evicted_keys_total);
  return defineAlert({
    name: 'RedisEvictions',
    family: 'RedisEvictions',
    severity: 'info',
    for: '10m',
    expr: gt(sum(rate(evicted.range('5m')), ['service', 'instance']), 0),
    valueFormat: 'number',
    summary: (v) => `Redis ${v.label('instance')} evicts ${v.value} keys/s`,
    description: (v) =>
      `Redis behind ${v.label('instance')} has been evicting keys for 10 minutes, now ${v.value} keys per second, because it reached maxmemory. Evicted entries turn into cache misses.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Redis is at its maxmemory limit and removes keys to make room, as its maxmemory-policy allows. For a pure cache with an LRU/LFU policy this is by design; sustained evictions mean the cache is smaller than its working set.',
      causes: [
        'The working set outgrew maxmemory.',
        'Large values or keys without TTL crowding out the useful entries.',
        'Non-cache data (sessions, queues) sharing the instance with an evicting policy, which silently loses it.',
      ],
      checks: [
        'Run `redis-cli INFO memory` (maxmemory, maxmemory_policy) and `INFO stats` (evicted_keys, keyspace hits/misses).',
        'Check RedisKeyspaceHitRateLow and CacheHitRateLow: do the evictions hurt the hit ratio?',
      ],
      fixes: [
        'Raise maxmemory together with the container memory limit, or shard.',
        'Keep data that must not be lost in a Redis with `noeviction`, separate from the cache.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: '120 keys evicted a minute', series: [input(evicted, R, counter(120))], activeAtMinutes: 1, labels: { service: R.service, instance: R.instance }, value: 2, valueExactFromMinutes: 5 },
      { kind: 'quiet', name: 'no evictions', series: [input(evicted, R, steady(42))] },
      {
        kind: 'quiet',
        name: 'a burst of evictions that stops before 10 minutes',
        series: [input(evicted, R, segments({ minutes: 4, from: 0, perMinute: 100 }, { minutes: 0, from: 300, perMinute: 0 }))],
        evalAtMinutes: 12,
      },
    ],
  });
}

const SI = ['service', 'instance'] as const;

function clientsAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.redisClientsUsage;
  const maxClients = 10_000;
  const clients = (n: number): InputSeries[] => [input(series(redis.redis_connected_clients), R, steady(n)), input(series(redis.redis_config_maxclients), R, steady(maxClients))];
  const many = Math.round(maxClients * Math.min(threshold + (1 - threshold) / 2, threshold * 1.05));
  return defineAlert({
    name: 'RedisClientsHigh',
    family: 'RedisConnections',
    severity: 'warning',
    for: '5m',
    // Against maxclients rather than redis-mixin's fixed count: the limit is known, and differs per server.
    expr: gt(ratio(max(series(redis.redis_connected_clients).select(), SI), max(series(redis.redis_config_maxclients).select(), SI)), threshold),
    valueFormat: 'percentage',
    summary: (v) => `Redis ${v.label('instance')}: ${v.value} of maxclients connected`,
    description: (v) =>
      `Redis behind ${v.label('instance')} has ${v.value} of its maxclients connections in use, above ${humanizePercentage(threshold)} (alerts.thresholds.redisClientsUsage). At the limit it rejects new connections (RedisRejectingConnections).`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Redis is close to its maxclients limit. Past it, every new connection is refused with "max number of clients reached", so application pods that start or reconnect lose their cache or queue.',
      causes: [
        'Application replicas scaled out, each with its own connection pool.',
        'Connection leaks: clients that open connections per request and never close them.',
        'Blocking commands (BLPOP, SUBSCRIBE) holding a connection each.',
      ],
      checks: [
        'List clients by source: `redis-cli CLIENT LIST` (addr, age, idle, cmd); many old idle connections point at a leak.',
        'Compare with the number of application replicas times their pool size.',
        '`redis-cli CONFIG GET maxclients`; it is also bounded by the process file-descriptor limit.',
      ],
      fixes: [
        'Fix the leak or lower pool sizes; reuse one client per process.',
        'Set `timeout` in Redis so idle connections are closed.',
        'Raise maxclients (and the file-descriptor limit) if the load is legitimate.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${many} of ${maxClients} clients`, series: clients(many), activeAtMinutes: 0, labels: { service: R.service, instance: R.instance }, value: many / maxClients },
      { kind: 'quiet', name: `${maxClients / 2} of ${maxClients} clients`, series: clients(maxClients / 2) },
    ],
  });
}

function rejectedConnectionsAlert(): AlertDefinition {
  const rejected = series(redis.redis_rejected_connections_total);
  return defineAlert({
    name: 'RedisRejectingConnections',
    family: 'RedisConnections',
    severity: 'critical',
    for: '1m',
    expr: gt(sum(increase(rejected.range('5m')), SI), 0),
    valueFormat: 'number',
    summary: (v) => `Redis ${v.label('instance')} rejected ${v.value} connections in 5 minutes`,
    description: (v) =>
      `Redis behind ${v.label('instance')} refused ${v.value} client connections over the last 5 minutes because maxclients was reached. The clients got errors instead of a connection.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Redis reached maxclients and refuses new connections. Applications that need a new connection fail: cache reads fall through to the database at best, requests fail at worst.',
      causes: ['Every cause of RedisClientsHigh, now past the limit: scaled-out pools, leaks, blocking commands.'],
      checks: [
        '`redis-cli INFO clients` (connected_clients) and `INFO stats` (rejected_connections) against `CONFIG GET maxclients`.',
        'Check the applications for Redis connection errors and HTTP 5xx.',
      ],
      fixes: [
        'Free connections now: restart the leaking clients, or `CLIENT KILL` old idle ones.',
        'Then fix pool sizes or raise maxclients, as for RedisClientsHigh.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'three connections rejected a minute from minute 5',
        series: [input(rejected, R, segments({ minutes: 5, from: 0, perMinute: 0 }, { minutes: 0, from: 3, perMinute: 3 }))],
        activeAtMinutes: 5,
        labels: { service: R.service, instance: R.instance },
        value: 15,
        valueExactFromMinutes: 10,
      },
      { kind: 'quiet', name: 'no connection rejected', series: [input(rejected, R, steady(42))], evalAtMinutes: 10 },
    ],
  });
}

function systemMemoryAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.redisSystemMemoryUsage;
  const used = series(redis.redis_memory_used_bytes);
  const system = series(redis.redis_total_system_memory_bytes);
  const limit = series(redis.redis_memory_max_bytes);
  const memory = (usedBytes: number, maxBytes: number): InputSeries[] => [input(used, R, steady(usedBytes)), input(system, R, steady(8 * GIB)), input(limit, R, steady(maxBytes))];
  const high = Math.round(8 * GIB * Math.min(threshold + (1 - threshold) / 2, threshold * 1.05));
  return defineAlert({
    name: 'RedisSystemMemoryHigh',
    family: 'RedisMemory',
    severity: 'warning',
    for: '5m',
    // Only without maxmemory: with a limit, RedisMemoryHigh watches the limit instead.
    expr: and(gt(ratio(max(used.select(), SI), max(system.select(), SI)), threshold), eq(max(limit.select(), SI), 0)),
    valueFormat: 'percentage',
    summary: (v) => `Redis ${v.label('instance')} without maxmemory uses ${v.value} of the machine's memory`,
    description: (v) =>
      `Redis behind ${v.label('instance')} has no maxmemory limit and uses ${v.value} of the memory of the machine it runs on (total_system_memory), above ${humanizePercentage(threshold)} (alerts.thresholds.redisSystemMemoryUsage). The kernel OOM killer or the container limit ends it next, losing everything not persisted.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'Redis runs without maxmemory, so nothing stops it from growing until the machine (or its container limit, which Redis cannot see and which may be far lower) runs out. Then Redis is killed, not evicting.',
      causes: ['maxmemory left at 0 (the default).', 'Keys without TTL, so the dataset only grows.', 'A new feature storing much more data.'],
      checks: [
        '`redis-cli INFO memory`: used_memory, total_system_memory, maxmemory (0).',
        'In a container, compare used_memory with the container memory limit, which total_system_memory does not show.',
        'Find the biggest keys: `redis-cli --bigkeys` (off-peak).',
      ],
      fixes: [
        'Set maxmemory below the container or machine memory and pick an eviction policy (allkeys-lru for caches, noeviction for data that must not be lost).',
        'Set TTLs; delete what nothing reads.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(high / (8 * GIB))} of 8 GiB used, no maxmemory`, series: memory(high, 0), activeAtMinutes: 0, labels: { service: R.service, instance: R.instance }, value: high / (8 * GIB) },
      { kind: 'quiet', name: 'as much used, but maxmemory set (RedisMemoryHigh watches it)', series: memory(high, 8 * GIB) },
      { kind: 'quiet', name: '2 GiB of 8 GiB used, no maxmemory', series: memory(2 * GIB, 0) },
    ],
  });
}

function exporterErrorAlert(): AlertDefinition {
  const error = series(redis.redis_exporter_last_scrape_error);
  const up = series(redis.redis_up);
  const ERR = 'ERR unknown command INFO';
  const target = (err: (n: number) => string, reachable: number): InputSeries[] => [input(error, { ...R, err: ERR }, err), input(up, R, steady(reachable))];
  return defineAlert({
    name: 'RedisExporterScrapeError',
    family: 'RedisExporter',
    severity: 'warning',
    for: '10m',
    // While Redis is unreachable every scrape fails; RedisDown says so already.
    expr: andOn(eq(error.select(), 1), eq(up.select(), 1), ['job', 'instance', 'service']),
    valueFormat: 'number',
    summary: (v) => `redis_exporter ${v.label('instance')}: scrapes of Redis fail: ${v.label('err')}`,
    description: (v) =>
      `redis_exporter at ${v.label('instance')} reaches Redis but its last scrapes failed (redis_exporter_last_scrape_error = ${v.value}) for 10 minutes with "${v.label('err')}". Some redis_* series are missing, so the Redis alerts built on them are blind.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'The exporter talks to Redis, but a command it needs fails on every scrape. The metrics from it are missing and the alerts on them cannot fire.',
      causes: [
        'Commands renamed or disabled in redis.conf (`rename-command INFO ""`), or ACLs that deny the exporter\'s user INFO, CONFIG or CLIENT.',
        'A managed Redis that does not implement a command the exporter calls.',
      ],
      checks: ['The err label of redis_exporter_last_scrape_error and the exporter log carry the Redis error text.', 'Try the command by hand: `redis-cli -h <host> INFO`.'],
      fixes: ['Grant the exporter\'s ACL user the commands it needs, or turn off the exporter options that need them.'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'scrapes start failing after 2 minutes',
        series: target(segments({ minutes: 2, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 }), 1),
        activeAtMinutes: 2,
        labels: { ...R, err: ERR },
        value: 1,
      },
      { kind: 'quiet', name: 'scrapes succeed', series: target(steady(0), 1) },
      { kind: 'quiet', name: 'scrapes fail because Redis is down (RedisDown fires instead)', series: target(steady(1), 0) },
    ],
  });
}

function redisDownAlert(): AlertDefinition {
  const up = series(redis.redis_up);
  return defineAlert({
    name: 'RedisDown',
    family: 'RedisDown',
    severity: 'critical',
    for: '1m',
    // `up` stays 1 while the exporter answers; redis_up says whether it reached Redis.
    expr: eq(up.select(), 0),
    valueFormat: 'number',
    summary: (v) => `redis_exporter ${v.label('instance')} cannot reach Redis`,
    description: (v) =>
      `redis_exporter at ${v.label('instance')} (job ${v.label('job')}) could not talk to Redis on its last scrapes (redis_up is ${v.value}). Caching and everything else stored in Redis is unavailable.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { redis_instance: 'instance' },
    runbook: {
      meaning: 'The exporter runs but cannot reach Redis: Redis is down, unreachable, or rejecting the exporter\'s password. All redis_* metrics except redis_up are gone, so the other Redis alerts are blind.',
      causes: [
        'Redis crashed, restarted, or was OOM-killed (check the container memory limit against maxmemory).',
        'Network or DNS between the exporter and Redis is broken.',
        'The Redis password changed and the redisPassword secret was not updated.',
      ],
      checks: [
        'Read the exporter log and `redis_exporter_last_scrape_error`: its err label carries the error text.',
        'Check the Redis pod or container status and restarts; `redis-cli -h <host> PING` from inside the network.',
        'Check whether applications fail (HttpErrorRateHigh) or only slow down without cache (HttpLatencyP95High).',
      ],
      fixes: [
        'Restore Redis; the exporter reconnects by itself and redis_up returns to 1.',
        'If the password changed: `pulumi config set --secret observatory:redisPassword ...` and `pulumi up`.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'Redis stops answering after 3 minutes',
        series: [input(up, R, segments({ minutes: 3, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 }))],
        activeAtMinutes: 3,
        labels: { ...R },
        value: 0,
      },
      { kind: 'quiet', name: 'Redis reachable', series: [input(up, R, steady(1))] },
    ],
  });
}

export const redisAlerts: AlertConcern = {
  group: 'observatory-redis.alerts',
  alerts: (inputs) => [
    memoryAlert(inputs),
    systemMemoryAlert(inputs),
    keyspaceAlert(inputs),
    appCacheAlert(inputs),
    evictionsAlert(),
    clientsAlert(inputs),
    rejectedConnectionsAlert(),
    exporterErrorAlert(),
    redisDownAlert(),
  ],
};
