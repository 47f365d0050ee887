/** redis_exporter metrics (names as exposed by redis_exporter 1.45, the version the stack deploys). */
import { defineMetric } from './types';

export const redis_up = defineMetric({
  name: 'redis_up', type: 'gauge', unit: 'boolean', source: 'redis_exporter', labels: {},
  help: '1 when the exporter could talk to Redis on its last scrape, else 0.',
});
export const redis_memory_used_bytes = defineMetric({
  name: 'redis_memory_used_bytes', type: 'gauge', unit: 'bytes', source: 'redis_exporter', labels: {},
  help: 'Memory Redis has allocated (used_memory).',
});
export const redis_memory_max_bytes = defineMetric({
  name: 'redis_memory_max_bytes', type: 'gauge', unit: 'bytes', source: 'redis_exporter', labels: {},
  help: 'The maxmemory setting; 0 means no limit, so ratios against it must guard the zero.',
});
export const redis_total_system_memory_bytes = defineMetric({
  name: 'redis_total_system_memory_bytes', type: 'gauge', unit: 'bytes', source: 'redis_exporter', labels: {},
  help: 'Memory of the machine Redis runs on (total_system_memory; not a container limit). Exposed because the stack sets REDIS_EXPORTER_INCL_SYSTEM_METRICS.',
});
export const redis_commands_processed_total = defineMetric({
  name: 'redis_commands_processed_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Commands processed by the server.',
});
export const redis_commands_total = defineMetric({
  name: 'redis_commands_total', type: 'counter', unit: 'count', source: 'redis_exporter',
  labels: { cmd: { help: 'Redis command name.' } },
  help: 'Calls per Redis command.',
});
export const redis_keyspace_hits_total = defineMetric({
  name: 'redis_keyspace_hits_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Successful key lookups.',
});
export const redis_keyspace_misses_total = defineMetric({
  name: 'redis_keyspace_misses_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Failed key lookups.',
});
export const redis_connected_clients = defineMetric({
  name: 'redis_connected_clients', type: 'gauge', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Client connections (excluding replicas).',
});
export const redis_evicted_keys_total = defineMetric({
  name: 'redis_evicted_keys_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Keys evicted because of the maxmemory limit.',
});
export const redis_expired_keys_total = defineMetric({
  name: 'redis_expired_keys_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Keys removed because their TTL expired.',
});
export const redis_config_maxclients = defineMetric({
  name: 'redis_config_maxclients', type: 'gauge', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'The maxclients setting: connections beyond it are rejected.',
});
export const redis_rejected_connections_total = defineMetric({
  name: 'redis_rejected_connections_total', type: 'counter', unit: 'count', source: 'redis_exporter', labels: {},
  help: 'Connections refused because maxclients was reached.',
});
export const redis_exporter_last_scrape_error = defineMetric({
  name: 'redis_exporter_last_scrape_error', type: 'gauge', unit: 'boolean', source: 'redis_exporter',
  labels: { err: { help: 'Text of the last scrape error; empty when the scrape succeeded.' } },
  help: '1 when the last scrape of Redis failed, with the error text in the err label.',
});
export const redis_db_keys = defineMetric({
  name: 'redis_db_keys', type: 'gauge', unit: 'count', source: 'redis_exporter',
  labels: { db: { help: 'Logical database, e.g. db0.' } },
  help: 'Keys per logical database.',
});

export const redisMetrics = [
  redis_up,
  redis_memory_used_bytes,
  redis_memory_max_bytes,
  redis_total_system_memory_bytes,
  redis_commands_processed_total,
  redis_commands_total,
  redis_keyspace_hits_total,
  redis_keyspace_misses_total,
  redis_connected_clients,
  redis_evicted_keys_total,
  redis_expired_keys_total,
  redis_db_keys,
  redis_config_maxclients,
  redis_rejected_connections_total,
  redis_exporter_last_scrape_error,
] as const;
