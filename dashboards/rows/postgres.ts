/**
 * PostgreSQL server panels (Database & Redis), from postgres_exporter. pg_stat_database has a
 * shared-objects row with datname=""; the $database variable never selects it (its All value is
 * `.+`), so per-database panels show real databases only.
 */
import * as pg from '../../catalog/postgres';
import { max, mul, rate, series, sum, type Query } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import type { MetricSpec } from '../../catalog/types';
import { gaugePanel, healthMapping, lowerThresholds, statPanel, timeseriesPanel, upperThresholds, warningThreshold, type Row } from '../common';
import { PER_MINUTE_UNIT, RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { DATABASE, PG_INSTANCE } from '../variables';

const perDatabase = { instance: PG_INSTANCE, datname: DATABASE };

function perDatabaseRate(spec: MetricSpec<string, 'datname' | 'datid'>): Query<'datname'> {
  return sum(rate(series(spec).range('$__rate_interval', perDatabase)), ['datname']);
}

export function postgresUp() {
  return statPanel({
    title: 'PostgreSQL up',
    description: 'Whether postgres_exporter reached PostgreSQL on its last scrape (pg_up). `up` stays 1 while the database is down, so this is the real check.',
    unit: valueUnit(pg.pg_up),
    targets: [{ expr: series(pg.pg_up).select({ instance: PG_INSTANCE }), legend: '{{instance}}' }],
    thresholds: lowerThresholds(1),
    mappings: [healthMapping('UP', 'DOWN')],
    width: 4,
  });
}

export function connectionPoolUsage(t: Thresholds) {
  return gaugePanel({
    title: 'Connection pool usage',
    description: 'Backends in use as a share of max_connections (recording service_instance:pg_connections:usage_ratio). Threshold: alerts.thresholds.dbPoolUsage.',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.pgConnectionUsage.select({ instance: PG_INSTANCE }), legend: '{{instance}}' }],
    thresholds: upperThresholds(t.dbPoolUsage),
    min: 0,
    max: 1,
    width: 4,
  });
}

export function connectionsVsMax() {
  return timeseriesPanel({
    title: 'Connections vs max_connections',
    description: 'Backends connected to any database against the max_connections setting.',
    unit: valueUnit(pg.pg_stat_database_numbackends),
    targets: [
      { expr: sum(series(pg.pg_stat_database_numbackends).select({ instance: PG_INSTANCE }), ['instance']), legend: 'connections {{instance}}' },
      { expr: max(series(pg.pg_settings_max_connections).select({ instance: PG_INSTANCE }), ['instance']), legend: 'max_connections {{instance}}' },
    ],
    min: 0,
    width: 16,
  });
}

export function connectionsByState() {
  return timeseriesPanel(
    {
      title: 'Connections by state',
      description: 'Connections by pg_stat_activity state; many "idle in transaction" ones hold locks and pool slots.',
      unit: valueUnit(pg.pg_stat_activity_count),
      targets: [{ expr: sum(series(pg.pg_stat_activity_count).select(perDatabase), ['state']), legend: '{{state}}' }],
      width: 8,
    },
    { stacked: true },
  );
}

export function transactions() {
  return timeseriesPanel({
    title: 'Transactions',
    description: 'Commits and rollbacks per second per database. A rising rollback share usually means application errors.',
    unit: rateUnit(pg.pg_stat_database_xact_commit),
    targets: [
      { expr: perDatabaseRate(pg.pg_stat_database_xact_commit), legend: '{{datname}} commits' },
      { expr: perDatabaseRate(pg.pg_stat_database_xact_rollback), legend: '{{datname}} rollbacks' },
    ],
    width: 8,
  });
}

export function bufferCacheHitRatio(t: Thresholds) {
  return timeseriesPanel({
    title: 'Buffer cache hit ratio',
    description: 'Share of block reads served from shared buffers (recording service_instance:pg_buffer_cache_hits:ratio_rate5m). Threshold: alerts.thresholds.dbCacheHitRatioMin (PostgresCacheHitRatioLow).',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.pgBufferHitRatio.select({ instance: PG_INSTANCE }), legend: '{{instance}}' }],
    thresholds: lowerThresholds(t.dbCacheHitRatioMin),
    min: 0,
    max: 1,
    width: 8,
  });
}

const ROW_COUNTERS = [
  ['returned', pg.pg_stat_database_tup_returned],
  ['fetched', pg.pg_stat_database_tup_fetched],
  ['inserted', pg.pg_stat_database_tup_inserted],
  ['updated', pg.pg_stat_database_tup_updated],
  ['deleted', pg.pg_stat_database_tup_deleted],
] as const;

export function rowActivity() {
  return timeseriesPanel({
    title: 'Row activity',
    description: 'Rows returned, fetched, inserted, updated and deleted per second, over the selected databases.',
    unit: rateUnit(pg.pg_stat_database_tup_returned),
    targets: ROW_COUNTERS.map(([what, spec]) => ({ expr: sum(rate(series(spec).range('$__rate_interval', perDatabase))), legend: what })),
    width: 8,
  });
}

export function deadlocks(t: Thresholds) {
  return timeseriesPanel({
    title: 'Deadlocks',
    // Per minute rather than an increase() per $__rate_interval, whose height changed with the zoom.
    description: 'Deadlocks PostgreSQL detected (and resolved by aborting a transaction) per minute. Threshold: alerts.thresholds.dbDeadlocksPerMinute (PostgresDeadlocks).',
    unit: PER_MINUTE_UNIT,
    targets: [{ expr: mul(perDatabaseRate(pg.pg_stat_database_deadlocks), 60), legend: '{{datname}}' }],
    thresholds: warningThreshold(t.dbDeadlocksPerMinute),
    min: 0,
    width: 8,
  });
}

export function databaseSize() {
  return timeseriesPanel({
    title: 'Database size',
    description: 'Disk space used per database.',
    unit: valueUnit(pg.pg_database_size_bytes),
    targets: [{ expr: max(series(pg.pg_database_size_bytes).select(perDatabase), ['datname']), legend: '{{datname}}' }],
    width: 8,
  });
}

export function postgresRow(t: Thresholds): Row {
  return {
    title: 'PostgreSQL',
    panels: [postgresUp(), connectionPoolUsage(t), connectionsVsMax(), connectionsByState(), transactions(), databaseSize(), bufferCacheHitRatio(t), rowActivity(), deadlocks(t)],
  };
}

