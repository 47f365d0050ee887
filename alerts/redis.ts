/**
 * Redis and cache alerts: memory against maxmemory, hit ratios (Redis keyspace and the
 * applications' own caches), evictions, and whether redis_exporter can reach Redis at all.
 */
import * as app from '../catalog/application';
import { ObservatoryError } from '../catalog/errors';
import { eq, gt, lt, rate, series, sum } from '../catalog/query';
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
function lookups(ratio: number): { hits: number; misses: number; value: number } {
  const total = 10_000;
  const hits = Math.round(total * ratio);
  return { hits, misses: total - hits, value: hits / total };
}

function hitRatioScenarios(threshold: number, traffic: (hits: number, misses: number) => InputSeries[], labels: Record<string, string>): AlertScenario[] {
  const low = lookups(threshold / 2);
  const good = lookups((threshold + 1) / 2);
  return [
    { kind: 'fires', name: `${humanizePercentage(low.value)} of lookups hit`, series: traffic(low.hits, low.misses), activeAtMinutes: 1, labels, value: low.value },
    { kind: 'quiet', name: `${humanizePercentage(good.value)} of lookups hit`, series: traffic(good.hits, good.misses) },
    { kind: 'quiet', name: 'no lookups at all (no ratio rather than 0%)', series: traffic(0, 0) },
  ];
}

const HIT_RATIO_CHECKS = [
  'Compare lookups with writes: a hit ratio falling while traffic is steady often follows a deployment that changed cache keys.',
  'Check evictions (`redis_evicted_keys_total`) and memory: a full cache evicts entries before they are read again.',
  'Check TTLs of the cached entries (`redis-cli TTL <key>` on a sample) against how often they are read.',
];

function keyspaceAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.cacheHitRatioMin;
  const traffic = (hits: number, misses: number): InputSeries[] => [
    input(series(redis.redis_keyspace_hits_total), R, counter(hits)),
    input(series(redis.redis_keyspace_misses_total), R, counter(misses)),
  ];
  return defineAlert({
    name: 'RedisKeyspaceHitRateLow',
    family: 'RedisKeyspaceHitRate',
    severity: 'warning',
    for: '10m',
    expr: lt(recorded.redisKeyspaceHitRatio.select(), threshold),
    valueFormat: 'percentage',
    summary: (v) => `Redis ${v.label('instance')}: only ${v.value} of key lookups hit`,
    description: (v) =>
      `Only ${v.value} of key lookups on Redis behind ${v.label('instance')} found the key over the last 5 minutes, below ${humanizePercentage(threshold)} (alerts.thresholds.cacheHitRatioMin). Misses fall through to the database.`,
    dashboard: 'databaseRedis',
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
    scenarios: hitRatioScenarios(threshold, traffic, { service: R.service, instance: R.instance }),
  });
}

function appCacheAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.cacheHitRatioMin;
  const labels = { ...APP, cache: 'feed' } as const;
  const traffic = (hits: number, misses: number): InputSeries[] => [
    input(series(app.cache_hits_total), labels, counter(hits)),
    input(series(app.cache_misses_total), labels, counter(misses)),
  ];
  return defineAlert({
    name: 'CacheHitRateLow',
    family: 'CacheHitRate',
    severity: 'warning',
    for: '10m',
    expr: lt(recorded.cacheHitRatio.select(), threshold),
    valueFormat: 'percentage',
    summary: (v) => `${v.label('service')}: only ${v.value} of ${v.label('cache')} cache lookups hit`,
    description: (v) =>
      `Only ${v.value} of lookups in the ${v.label('cache')} cache of service ${v.label('service')} hit over the last 5 minutes, below ${humanizePercentage(threshold)} (alerts.thresholds.cacheHitRatioMin).`,
    dashboard: 'apiPerformance',
    runbook: {
      meaning: 'The application\'s own cache (cache_hits_total / cache_misses_total) rarely finds what it looks for, so requests do the expensive work behind it, usually database queries.',
      causes: [
        'Cache invalidation that is too eager (every write clears large parts of the cache).',
        'TTLs too short for the access pattern, or keys that include request-specific parts (timestamps, session ids).',
        'The cache backend (Redis) evicting entries under memory pressure, or restarted.',
        'A new traffic pattern: many distinct keys read once each (crawlers, exports).',
      ],
      checks: ['See which caches dropped: `service_cache:cache_hits:ratio_rate5m{service="<service>"}`.', ...HIT_RATIO_CHECKS],
      fixes: [
        'Review the invalidation logic and key design of the affected cache; add versioning instead of mass deletes.',
        'Adjust TTLs to the read frequency of the data.',
        'Give Redis more memory if entries are evicted before reuse.',
      ],
    },
    scenarios: hitRatioScenarios(threshold, traffic, { service: APP.service, cache: 'feed' }),
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
  alerts: (inputs) => [memoryAlert(inputs), keyspaceAlert(inputs), appCacheAlert(inputs), evictionsAlert(), redisDownAlert()],
};
