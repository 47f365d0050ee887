/**
 * postgres_exporter metrics (names and labels as exposed by the release the stack deploys, see
 * stacks/versions.ts; test/fixtures/exporters/ holds what it exposes). pg_stat_database counters
 * keep PostgreSQL's column names, so they break the `_total` rule by design. Since 0.12 the
 * pg_stat_database and database-size collectors no longer add a `server` label; the settings and
 * pg_stat_activity queries still do.
 */
import { defineMetric, type LabelSpec } from './types';

const datname: LabelSpec = { help: 'Database name.' };
const datid: LabelSpec = { help: 'Database OID. A row with datid="0" and datname="" holds shared objects.' };
const server: LabelSpec = { help: 'host:port of the PostgreSQL server, taken from the exporter DSN.' };
const PG_COUNTER = { 'counter-without-total': 'postgres_exporter names pg_stat_database counters after the view columns' } as const;

function statDatabaseCounter<const N extends string>(name: N, help: string) {
  return defineMetric({ name, type: 'counter', unit: 'count', help, source: 'postgres_exporter', labels: { datname, datid }, namingExceptions: PG_COUNTER });
}

export const pg_up = defineMetric({
  name: 'pg_up', type: 'gauge', unit: 'boolean', source: 'postgres_exporter', labels: {},
  help: '1 when the exporter could connect to PostgreSQL on its last scrape, else 0.',
});
export const pg_stat_database_numbackends = defineMetric({
  name: 'pg_stat_database_numbackends', type: 'gauge', unit: 'count', source: 'postgres_exporter', labels: { datname, datid },
  help: 'Backends currently connected to this database.',
});
export const pg_stat_database_xact_commit = statDatabaseCounter('pg_stat_database_xact_commit', 'Transactions committed.');
export const pg_stat_database_xact_rollback = statDatabaseCounter('pg_stat_database_xact_rollback', 'Transactions rolled back.');
export const pg_stat_database_blks_hit = statDatabaseCounter('pg_stat_database_blks_hit', 'Disk blocks found in the buffer cache.');
export const pg_stat_database_blks_read = statDatabaseCounter('pg_stat_database_blks_read', 'Disk blocks read from disk.');
export const pg_stat_database_tup_returned = statDatabaseCounter('pg_stat_database_tup_returned', 'Rows returned by queries.');
export const pg_stat_database_tup_fetched = statDatabaseCounter('pg_stat_database_tup_fetched', 'Rows fetched by queries.');
export const pg_stat_database_tup_inserted = statDatabaseCounter('pg_stat_database_tup_inserted', 'Rows inserted.');
export const pg_stat_database_tup_updated = statDatabaseCounter('pg_stat_database_tup_updated', 'Rows updated.');
export const pg_stat_database_tup_deleted = statDatabaseCounter('pg_stat_database_tup_deleted', 'Rows deleted.');
export const pg_stat_database_deadlocks = statDatabaseCounter('pg_stat_database_deadlocks', 'Deadlocks detected.');
export const pg_settings_max_connections = defineMetric({
  name: 'pg_settings_max_connections', type: 'gauge', unit: 'count', source: 'postgres_exporter', labels: { server },
  help: 'The max_connections server setting.',
});
export const pg_settings_superuser_reserved_connections = defineMetric({
  name: 'pg_settings_superuser_reserved_connections', type: 'gauge', unit: 'count', source: 'postgres_exporter', labels: { server },
  help: 'Connection slots of max_connections reserved for superusers; applications can use the rest.',
});
export const pg_database_size_bytes = defineMetric({
  name: 'pg_database_size_bytes', type: 'gauge', unit: 'bytes', source: 'postgres_exporter', labels: { datname },
  help: 'Disk space used by the database.',
});
export const pg_stat_activity_count = defineMetric({
  name: 'pg_stat_activity_count', type: 'gauge', unit: 'count', source: 'postgres_exporter',
  labels: {
    datname,
    server,
    state: { help: 'Backend state.', values: ['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'fastpath function call', 'disabled'] },
    usename: { help: 'Role the backend is connected as.' },
    application_name: { help: 'application_name the client set (empty when it set none).' },
    backend_type: { help: 'client backend, autovacuum worker, walsender, ... (PostgreSQL 10+).' },
    wait_event_type: { help: 'What the backend waits on (Lock, IO, Client, ...); empty when it is not waiting.' },
    wait_event: { help: 'The wait event name; empty when the backend is not waiting.' },
  },
  help: 'Connections by database and state (from pg_stat_activity).',
  namingExceptions: { 'reserved-suffix': 'postgres_exporter names it after its pg_stat_activity query; it is a gauge, not a histogram count' },
});
export const pg_exporter_last_scrape_error = defineMetric({
  name: 'pg_exporter_last_scrape_error', type: 'gauge', unit: 'boolean', source: 'postgres_exporter', labels: {},
  help: '1 when the last scrape of PostgreSQL resulted in an error.',
});

export const postgresMetrics = [
  pg_up,
  pg_stat_database_numbackends,
  pg_stat_database_xact_commit,
  pg_stat_database_xact_rollback,
  pg_stat_database_blks_hit,
  pg_stat_database_blks_read,
  pg_stat_database_tup_returned,
  pg_stat_database_tup_fetched,
  pg_stat_database_tup_inserted,
  pg_stat_database_tup_updated,
  pg_stat_database_tup_deleted,
  pg_stat_database_deadlocks,
  pg_settings_max_connections,
  pg_settings_superuser_reserved_connections,
  pg_database_size_bytes,
  pg_stat_activity_count,
  pg_exporter_last_scrape_error,
] as const;
