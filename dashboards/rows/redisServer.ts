/**
 * Redis server panels (Database & Redis), from redis_exporter. Redis reports maxmemory 0 when no
 * limit is set: the usage ratio then has no series (catalog/recorded.ts guards the division), and
 * these panels say "no limit" instead of showing nothing or dividing by zero.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as redis from '../../catalog/redis';
import { max, mul, or, rate, series, sub, sum, topk } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { COLORS, healthMapping, lowerThresholds, statPanel, timeseriesPanel, upperThresholds, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { REDIS_INSTANCE } from '../variables';

const instance = { instance: REDIS_INSTANCE };
const NO_LIMIT = 'no limit';

/** Shows `text` for the value `value` (e.g. 0 bytes of maxmemory -> "no limit"). */
function valueText(value: number, text: string): dashboard.ValueMapping {
  return { type: dashboard.MappingType.ValueToText, options: { [String(value)]: { text, color: COLORS.info, index: 0 } } };
}

export function redisUp() {
  return statPanel({
    title: 'Redis up',
    description: 'Whether redis_exporter reached Redis on its last scrape (redis_up). `up` stays 1 while Redis is down, so this is the real check.',
    unit: valueUnit(redis.redis_up),
    targets: [{ expr: series(redis.redis_up).select(instance), legend: '{{instance}}' }],
    thresholds: lowerThresholds(1),
    mappings: [healthMapping('UP', 'DOWN')],
    width: 4,
  });
}

export function memoryUsage(t: Thresholds) {
  const maxBytes = max(series(redis.redis_memory_max_bytes).select(instance), ['service', 'instance']);
  return statPanel({
    title: 'Memory used of maxmemory',
    description:
      'used_memory as a share of maxmemory (recording service_instance:redis_memory:usage_ratio). ' +
      `Shows "${NO_LIMIT}" when maxmemory is 0: Redis then grows until the host or container runs out of memory. ` +
      'Threshold: alerts.thresholds.redisMemoryUsage.',
    unit: RATIO_UNIT,
    // The ratio has a series only where maxmemory > 0; elsewhere fill in -1, which reads "no limit".
    targets: [{ expr: or(recorded.redisMemoryUsage.select(instance), sub(mul(maxBytes, 0), 1)), legend: '{{instance}}' }],
    thresholds: upperThresholds(t.redisMemoryUsage),
    mappings: [valueText(-1, NO_LIMIT)],
    width: 4,
  });
}

export function memoryLimit() {
  return statPanel({
    title: 'maxmemory',
    description: `The maxmemory setting; "${NO_LIMIT}" when it is 0.`,
    unit: valueUnit(redis.redis_memory_max_bytes),
    targets: [{ expr: max(series(redis.redis_memory_max_bytes).select(instance), ['instance']), legend: '{{instance}}' }],
    mappings: [valueText(0, NO_LIMIT)],
    width: 4,
  });
}

export function connectedClients() {
  return timeseriesPanel({
    title: 'Connected clients',
    description: 'Client connections to Redis (replicas excluded) against maxclients, past which connections are rejected. RedisClientsHigh fires at alerts.thresholds.redisClientsUsage of maxclients.',
    unit: valueUnit(redis.redis_connected_clients),
    targets: [
      { expr: series(redis.redis_connected_clients).select(instance), legend: '{{instance}}' },
      { expr: series(redis.redis_config_maxclients).select(instance), legend: '{{instance}} maxclients' },
    ],
    min: 0,
  });
}

export function memoryUsedVsLimit() {
  return timeseriesPanel({
    title: 'Memory used vs maxmemory',
    description: 'Memory Redis has allocated against maxmemory. A maxmemory line at 0 means no limit is set.',
    unit: valueUnit(redis.redis_memory_used_bytes),
    targets: [
      { expr: series(redis.redis_memory_used_bytes).select(instance), legend: 'used {{instance}}' },
      { expr: series(redis.redis_memory_max_bytes).select(instance), legend: 'maxmemory {{instance}} (0 = no limit)' },
    ],
    min: 0,
  });
}

export function commandThroughput() {
  return timeseriesPanel({
    title: 'Command throughput',
    description: 'Commands Redis processes per second, from every client (the exporter included).',
    unit: rateUnit(redis.redis_commands_processed_total),
    targets: [{ expr: sum(rate(series(redis.redis_commands_processed_total).range('$__rate_interval', instance)), ['instance']), legend: '{{instance}}' }],
  });
}

export function topCommands() {
  return timeseriesPanel({
    title: 'Top commands',
    description: 'The five busiest commands per second (Redis 7 names subcommands as config|get).',
    unit: rateUnit(redis.redis_commands_total),
    targets: [{ expr: topk(5, sum(rate(series(redis.redis_commands_total).range('$__rate_interval', instance)), ['cmd'])), legend: '{{cmd}}' }],
  });
}

export function keyspaceHitRatio(t: Thresholds) {
  return timeseriesPanel({
    title: 'Keyspace hit ratio',
    description: 'Share of key lookups that found the key (recording service_instance:redis_keyspace_hits:ratio_rate5m). Threshold: alerts.thresholds.cacheHitRatioMin (RedisKeyspaceHitRateLow).',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.redisKeyspaceHitRatio.select(instance), legend: '{{instance}}' }],
    thresholds: lowerThresholds(t.cacheHitRatioMin),
    min: 0,
    max: 1,
  });
}

export function evictedAndExpiredKeys() {
  return timeseriesPanel({
    title: 'Evicted and expired keys',
    description: 'Keys evicted because of maxmemory, and keys removed because their TTL passed, per second.',
    unit: rateUnit(redis.redis_evicted_keys_total),
    targets: [
      { expr: sum(rate(series(redis.redis_evicted_keys_total).range('$__rate_interval', instance)), ['instance']), legend: 'evicted {{instance}}' },
      { expr: sum(rate(series(redis.redis_expired_keys_total).range('$__rate_interval', instance)), ['instance']), legend: 'expired {{instance}}' },
    ],
  });
}

export function keys() {
  return timeseriesPanel({
    title: 'Keys',
    description: 'Keys stored, over all logical databases.',
    unit: valueUnit(redis.redis_db_keys),
    targets: [{ expr: sum(series(redis.redis_db_keys).select(instance), ['instance']), legend: '{{instance}}' }],
    min: 0,
  });
}

export function redisServerRow(t: Thresholds): Row {
  return {
    title: 'Redis',
    panels: [redisUp(), memoryUsage(t), memoryLimit(), connectedClients(), memoryUsedVsLimit(), commandThroughput(), topCommands(), keyspaceHitRatio(t), evictedAndExpiredKeys(), keys()],
  };
}
