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

// ---- statements, tables, indexes (issue 15) ------------------------------------------------------
// The stat_statements collector (--collector.stat_statements, with include_query) exports the
// top exporters.postgres.limits.statements statements by total time; pg_table_* and
// pg_unused_index_* come from the stack's own bounded queries (generators/postgresQueries.ts).

const statementLabels = {
  user: { help: 'Role that ran the statement.' },
  datname,
  queryid: { help: 'pg_stat_statements queryid: a hash of the normalised statement; join pg_stat_statements_query_id on it for the text.' },
} as const;
const STATEMENT_LIMIT_NOTE = 'Only the statements with the most total time since the last pg_stat_statements_reset(), up to exporters.postgres.limits.statements.';

export const pg_stat_statements_calls_total = defineMetric({
  name: 'pg_stat_statements_calls_total', type: 'counter', unit: 'count', source: 'postgres_exporter', labels: statementLabels,
  help: `Times the statement was executed. ${STATEMENT_LIMIT_NOTE}`,
});
export const pg_stat_statements_seconds_total = defineMetric({
  name: 'pg_stat_statements_seconds_total', type: 'counter', unit: 'seconds', source: 'postgres_exporter', labels: statementLabels,
  help: `Time spent executing the statement (total_exec_time). ${STATEMENT_LIMIT_NOTE}`,
});
export const pg_stat_statements_rows_total = defineMetric({
  name: 'pg_stat_statements_rows_total', type: 'counter', unit: 'count', source: 'postgres_exporter', labels: statementLabels,
  help: `Rows the statement retrieved or affected. ${STATEMENT_LIMIT_NOTE}`,
});
export const pg_stat_statements_query_id = defineMetric({
  name: 'pg_stat_statements_query_id', type: 'counter', unit: 'info', source: 'postgres_exporter',
  labels: {
    queryid: statementLabels.queryid,
    query: { help: 'The normalised statement text (constants replaced by $1, $2, ...), cut to 120 characters.' },
  },
  help: 'Always 1: maps a queryid to its statement text (--collector.stat_statements.include_query).',
  namingExceptions: { 'counter-without-total': 'postgres_exporter exposes the queryid-to-text mapping as a counter that is always 1' },
});

const tableLabels = {
  datname,
  schemaname: { help: 'Schema of the table.' },
  relname: { help: 'Table name.' },
  server,
} as const;
const TABLE_LIMIT_NOTE = 'Only the tables with the most rows read by sequential scans, up to exporters.postgres.limits.tables.';
export const pg_table_seq_scans_total = defineMetric({
  name: 'pg_table_seq_scans_total', type: 'counter', unit: 'count', source: 'postgres_exporter', labels: tableLabels,
  help: `Sequential scans started on the table (pg_stat_user_tables.seq_scan). ${TABLE_LIMIT_NOTE}`,
});
export const pg_table_seq_rows_read_total = defineMetric({
  name: 'pg_table_seq_rows_read_total', type: 'counter', unit: 'count', source: 'postgres_exporter', labels: tableLabels,
  help: `Live rows read by sequential scans (pg_stat_user_tables.seq_tup_read). ${TABLE_LIMIT_NOTE}`,
});
export const pg_table_index_scans_total = defineMetric({
  name: 'pg_table_index_scans_total', type: 'counter', unit: 'count', source: 'postgres_exporter', labels: tableLabels,
  help: `Index scans started on the table (pg_stat_user_tables.idx_scan). ${TABLE_LIMIT_NOTE}`,
});
export const pg_table_size_bytes = defineMetric({
  name: 'pg_table_size_bytes', type: 'gauge', unit: 'bytes', source: 'postgres_exporter', labels: tableLabels,
  help: `Disk space of the table without its indexes (pg_table_size). ${TABLE_LIMIT_NOTE}`,
});
export const pg_unused_index_size_bytes = defineMetric({
  name: 'pg_unused_index_size_bytes', type: 'gauge', unit: 'bytes', source: 'postgres_exporter',
  labels: { ...tableLabels, indexrelname: { help: 'Index name.' } },
  help: 'Disk space of an index with zero scans since the statistics were last reset (unique indexes excluded: they enforce constraints). The largest ones, up to exporters.postgres.limits.indexes.',
});
export const pg_scrape_collector_success = defineMetric({
  name: 'pg_scrape_collector_success', type: 'gauge', unit: 'boolean', source: 'postgres_exporter',
  labels: { collector: { help: 'postgres_exporter collector, e.g. stat_statements, database, locks.' } },
  help: '1 when the collector succeeded on the last scrape; stat_statements fails while pg_stat_statements is not loaded or not created.',
});
export const pg_exporter_user_queries_load_error = defineMetric({
  name: 'pg_exporter_user_queries_load_error', type: 'gauge', unit: 'boolean', source: 'postgres_exporter',
  labels: { filename: { help: 'The queries file (--extend.query-path).' }, hashsum: { help: 'SHA-256 of the file as loaded.' } },
  help: '1 when the stack\'s queries file (tables, unused indexes) could not be loaded or parsed.',
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
  pg_stat_statements_calls_total,
  pg_stat_statements_seconds_total,
  pg_stat_statements_rows_total,
  pg_stat_statements_query_id,
  pg_table_seq_scans_total,
  pg_table_seq_rows_read_total,
  pg_table_index_scans_total,
  pg_table_size_bytes,
  pg_unused_index_size_bytes,
  pg_scrape_collector_success,
  pg_exporter_user_queries_load_error,
] as const;
