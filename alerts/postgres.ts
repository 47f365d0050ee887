/**
 * Database alerts: query latency as the applications see it (db_query_duration_seconds), and
 * PostgreSQL's own state from postgres_exporter (connections, deadlocks, reachability).
 */
import * as app from '../catalog/application';
import { ObservatoryError } from '../catalog/errors';
import * as pg from '../catalog/postgres';
import { eq, gt, histogram, increase, round, series, sum } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import type { ThresholdKey } from '../catalog/thresholds';
import { humanizeDuration, humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type RunbookText } from './types';

const APP = TEST_TARGETS.app;
const PG = TEST_TARGETS.postgres;
const SERVER = 'postgres:5432';
const APP_DB = { datname: 'app', datid: '16384' } as const;

const SLOW_QUERY_RUNBOOK: RunbookText = {
  meaning:
    'Queries of one statement kind on one table take longer on average than the threshold, as measured by the application (pool wait included). Requests that run them are slow too.',
  causes: [
    'A missing or unused index: a sequential scan over a table that has grown.',
    'Lock contention: long transactions or `idle in transaction` sessions holding row or table locks.',
    'Connection pool exhaustion: time waiting for a connection counts as query time here.',
    'An N+1 pattern or an unpaginated query returning far more rows than needed.',
    'Resource pressure on the database server (CPU, I/O, a low buffer cache hit ratio).',
  ],
  checks: [
    'See which tables and statements are slow: `service_operation_table:db_query_duration_seconds:mean_rate5m`.',
    'If the pg_stat_statements extension is enabled, list the slowest statements: `SELECT query, calls, mean_exec_time FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10;`.',
    'Run `EXPLAIN (ANALYZE, BUFFERS)` on the slow statement and look for sequential scans and row estimates far from the actual counts.',
    'Look for blocking sessions: `SELECT pid, state, wait_event_type, now() - xact_start AS age, query FROM pg_stat_activity WHERE state <> \'idle\' ORDER BY age DESC;`.',
    'Check connection usage (PostgresConnectionsHigh) and the buffer cache hit ratio (`service_instance:pg_buffer_cache_hits:ratio_rate5m`) on the Database & Redis dashboard.',
  ],
  fixes: [
    'Add the missing index (`CREATE INDEX CONCURRENTLY` avoids blocking writes), then confirm with `EXPLAIN ANALYZE`.',
    'Fix N+1 queries with joins or batched loads; paginate large result sets.',
    'End or fix the long transactions that hold locks.',
    'Cache hot reads in Redis; scale the database if it is saturated.',
  ],
};

function slowQueryScenarios(threshold: number): AlertScenario[] {
  const duration = histogram(app.db_query_duration_seconds);
  const labels = { ...APP, operation: 'select', table: 'orders' } as const;
  const perMinute = 120;
  const queries = (meanSeconds: number) => [
    input(duration.sum, labels, counter(perMinute * meanSeconds)),
    input(duration.count, labels, counter(perMinute)),
  ];
  return [
    { kind: 'fires', name: `queries take ${threshold * 2} s on average`, series: queries(threshold * 2), activeAtMinutes: 1, labels: { service: APP.service, operation: 'select', table: 'orders' }, value: threshold * 2 },
    { kind: 'quiet', name: `queries take ${threshold / 2} s on average`, series: queries(threshold / 2) },
  ];
}

function slowQueryAlert(inputs: AlertInputs, opts: { name: string; key: ThresholdKey; severity: 'critical' | 'warning' }): AlertDefinition {
  const threshold = inputs.thresholds[opts.key];
  return defineAlert({
    name: opts.name,
    family: 'DatabaseQueryLatency',
    severity: opts.severity,
    for: '5m',
    expr: gt(recorded.dbQueryMean.select(), threshold),
    valueFormat: 'duration',
    summary: (v) => `${v.label('service')}: ${v.label('operation')} on ${v.label('table')} takes ${v.value} on average`,
    description: (v) =>
      `${v.label('operation')} queries on table ${v.label('table')} by service ${v.label('service')} took ${v.value} on average over the last 5 minutes, above the ${opts.severity} threshold of ${humanizeDuration(threshold)} (alerts.thresholds.${opts.key}).`,
    dashboard: 'databaseRedis',
    runbook: SLOW_QUERY_RUNBOOK,
    scenarios: slowQueryScenarios(threshold),
  });
}

function connectionsAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.dbPoolUsage;
  if (threshold >= 1) {
    throw new ObservatoryError(`stack ${inputs.config.stack}: observatory:alerts.thresholds.dbPoolUsage`, `(${threshold}) must be below 1: connections cannot exceed max_connections`);
  }
  const maxConnections = 200;
  const backends = (ratio: number) => [
    input(series(pg.pg_stat_database_numbackends), { ...PG, ...APP_DB }, steady(Math.round(maxConnections * ratio))),
    input(series(pg.pg_stat_database_numbackends), { ...PG, datname: '', datid: '0' }, steady(0)),
    input(series(pg.pg_settings_max_connections), { ...PG, server: SERVER }, steady(maxConnections)),
  ];
  const high = Math.round(maxConnections * Math.min(1, threshold + (1 - threshold) / 2)) / maxConnections;
  return defineAlert({
    name: 'PostgresConnectionsHigh',
    family: 'PostgresConnections',
    severity: 'warning',
    for: '5m',
    expr: gt(recorded.pgConnectionUsage.select(), threshold),
    valueFormat: 'percentage',
    summary: (v) => `PostgreSQL ${v.label('instance')} uses ${v.value} of max_connections`,
    description: (v) =>
      `Backends connected to the PostgreSQL server behind ${v.label('instance')} use ${v.value} of its max_connections, above ${humanizePercentage(threshold)} (alerts.thresholds.dbPoolUsage). When none are left, new connections fail with "too many clients".`,
    dashboard: 'databaseRedis',
    runbook: {
      meaning: 'Most of PostgreSQL\'s connection slots are in use. Once max_connections is reached, every new connection (application pods starting, migrations, psql) is refused.',
      causes: [
        'Application pods scaled out: each replica opens its own pool, so pool size x replicas can exceed the server limit.',
        'Connection leaks: connections checked out and never returned, visible as `idle` or `idle in transaction` sessions piling up.',
        'Slow queries holding connections longer, so pools grow to their maximum.',
      ],
      checks: [
        'Count sessions by state and application: `SELECT application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2 ORDER BY 3 DESC;`.',
        'Compare with the pool size configured in the applications times the number of replicas (HPA current replicas).',
        'Look for old `idle in transaction` sessions: `SELECT pid, now() - state_change AS idle_for, query FROM pg_stat_activity WHERE state = \'idle in transaction\' ORDER BY 2 DESC;`.',
      ],
      fixes: [
        'Lower the per-pod pool size, or put a connection pooler (PgBouncer) in front of PostgreSQL.',
        'Terminate leaked sessions (`SELECT pg_terminate_backend(pid)`) and fix the leak in the application.',
        'Raise max_connections only together with the server\'s memory (each connection costs work_mem and process overhead).',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${Math.round(high * 100)}% of connections in use`, series: backends(high), activeAtMinutes: 0, labels: { service: PG.service, instance: PG.instance }, value: high },
      { kind: 'quiet', name: `${Math.round((threshold / 2) * 100)}% of connections in use`, series: backends(threshold / 2) },
    ],
  });
}

function deadlocksAlert(): AlertDefinition {
  const deadlocks = series(pg.pg_stat_database_deadlocks);
  // Shared-objects row (datid 0, datname "") is not a database anyone connects to.
  // round(): the count of deadlocks is a whole number; increase() alone reads 1 as 1.25.
  const expr = gt(round(sum(increase(deadlocks.range('5m', { datname: { ne: '' } })), ['service', 'instance', 'datname'])), 0);
  const labels = { ...PG, ...APP_DB };
  return defineAlert({
    name: 'PostgresDeadlocks',
    family: 'PostgresDeadlocks',
    severity: 'warning',
    for: '1m',
    expr,
    valueFormat: 'number',
    summary: (v) => `PostgreSQL ${v.label('instance')}: ${v.value} deadlocks in database ${v.label('datname')}`,
    description: (v) =>
      `PostgreSQL behind ${v.label('instance')} detected ${v.value} deadlocks in database ${v.label('datname')} over the last 5 minutes. Each one aborted a transaction with an error the application had to handle.`,
    dashboard: 'databaseRedis',
    runbook: {
      meaning: 'Two or more transactions waited for locks the other held; PostgreSQL aborted one of them (SQLSTATE 40P01). The application saw an error, and retried or failed the request.',
      causes: [
        'Transactions that update the same rows in different orders.',
        'Long transactions that hold row locks while doing slow work (remote calls inside a transaction).',
        'Foreign keys without an index on the referencing column, which widen lock scopes.',
      ],
      checks: [
        'Read the PostgreSQL log: each deadlock is logged with the two statements and the lock types involved.',
        'Check for long-running transactions in `pg_stat_activity` and for HTTP 5xx errors at the same time.',
        'Check lock waits: `SELECT mode, count(*) FROM pg_locks WHERE NOT granted GROUP BY 1;`.',
      ],
      fixes: [
        'Update rows in a consistent order (e.g. sorted by primary key) in every code path.',
        'Keep transactions short; move remote calls out of them.',
        'Retry transactions that fail with SQLSTATE 40P01.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'one deadlock after 10 quiet minutes',
        series: [input(deadlocks, labels, segments({ minutes: 11, from: 3, perMinute: 0 }, { minutes: 0, from: 4, perMinute: 0 }))],
        activeAtMinutes: 11,
        labels: { service: PG.service, instance: PG.instance, datname: 'app' },
        value: 1,
      },
      { kind: 'quiet', name: 'the deadlock counter stays flat', series: [input(deadlocks, labels, steady(3))], evalAtMinutes: 20 },
      {
        kind: 'quiet',
        name: 'deadlocks on the shared-objects row are ignored',
        series: [input(deadlocks, { ...PG, datname: '', datid: '0' }, counter(1))],
        evalAtMinutes: 20,
      },
    ],
  });
}

function postgresDownAlert(): AlertDefinition {
  const up = series(pg.pg_up);
  return defineAlert({
    name: 'PostgresDown',
    family: 'PostgresDown',
    severity: 'critical',
    for: '1m',
    // `up` stays 1 while the exporter answers; pg_up says whether it reached PostgreSQL.
    expr: eq(up.select(), 0),
    valueFormat: 'number',
    summary: (v) => `postgres_exporter ${v.label('instance')} cannot reach PostgreSQL`,
    description: (v) =>
      `postgres_exporter at ${v.label('instance')} (job ${v.label('job')}) could not connect to PostgreSQL on its last scrapes (pg_up is ${v.value}). Applications that need the database are likely failing.`,
    dashboard: 'databaseRedis',
    runbook: {
      meaning: 'The exporter is running but cannot connect to PostgreSQL: the database is down, unreachable, or refusing the exporter\'s credentials. Every pg_* metric except pg_up has disappeared, so the other database alerts are blind.',
      causes: [
        'PostgreSQL is down or restarting (crash, failover, maintenance).',
        'Network path or DNS from the exporter to the database is broken.',
        'The postgresDsn secret is wrong or the monitoring user\'s password changed.',
        'max_connections is exhausted, so the exporter\'s connection is refused.',
      ],
      checks: [
        'Read the exporter log: the connection error names the cause (connection refused, authentication failed, too many clients).',
        'Check the applications: HTTP 5xx (HttpErrorRateHigh) means users are affected.',
        'Try the DSN from inside the cluster: `psql "$DSN" -c "select 1"`.',
      ],
      fixes: [
        'Restore PostgreSQL (restart, fail over) and confirm pg_up returns to 1; the exporter reconnects by itself.',
        'If credentials changed, update the secret: `pulumi config set --secret observatory:postgresDsn ...` and `pulumi up`.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'PostgreSQL stops answering after 3 minutes',
        series: [input(up, PG, segments({ minutes: 3, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 }))],
        activeAtMinutes: 3,
        labels: { ...PG },
        value: 0,
      },
      { kind: 'quiet', name: 'PostgreSQL reachable', series: [input(up, PG, steady(1))] },
    ],
  });
}

export const postgresAlerts: AlertConcern = {
  group: 'observatory-postgres.alerts',
  alerts: (inputs) => [
    slowQueryAlert(inputs, { name: 'DatabaseQueriesSlow', key: 'dbQueryMeanWarning', severity: 'warning' }),
    slowQueryAlert(inputs, { name: 'DatabaseQueriesVerySlow', key: 'dbQueryMeanCritical', severity: 'critical' }),
    connectionsAlert(inputs),
    deadlocksAlert(),
    postgresDownAlert(),
  ],
};
