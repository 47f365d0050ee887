/**
 * Database alerts: query latency as the applications see it (db_query_duration_seconds), and
 * PostgreSQL's own state from postgres_exporter (connections, deadlocks, reachability).
 */
import * as app from '../catalog/application';
import { ObservatoryError } from '../catalog/errors';
import * as pg from '../catalog/postgres';
import { add, and, andOn, eq, ge, gt, histogram, lt, mul, rate, ratio, series, sum } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import type { ThresholdKey } from '../catalog/thresholds';
import { humanizeDuration, humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type InputSeries, type RunbookText } from './types';

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

function slowQueryScenarios(threshold: number, minRate: number): AlertScenario[] {
  const duration = histogram(app.db_query_duration_seconds);
  const labels = { ...APP, operation: 'select', table: 'orders' } as const;
  // Above minRate from the first minute: a fresh counter's 5m rate starts at a fifth.
  const perMinute = Math.max(120, Math.ceil(minRate * 300 * 2));
  const queries = (meanSeconds: number, n = perMinute) => [
    input(duration.sum, labels, counter(n * meanSeconds)),
    input(duration.count, labels, counter(n)),
  ];
  return [
    { kind: 'fires', name: `queries take ${threshold * 2} s on average`, series: queries(threshold * 2), activeAtMinutes: 1, labels: { service: APP.service, operation: 'select', table: 'orders' }, value: threshold * 2 },
    { kind: 'quiet', name: `queries take ${threshold / 2} s on average`, series: queries(threshold / 2) },
    { kind: 'quiet', name: `queries take ${threshold * 2} s, but below dbMinQueryRate`, series: queries(threshold * 2, (minRate * 60) / 4) },
  ];
}

function slowQueryAlert(inputs: AlertInputs, opts: { name: string; key: ThresholdKey; severity: 'critical' | 'warning' }): AlertDefinition {
  const threshold = inputs.thresholds[opts.key];
  const minRate = inputs.thresholds.dbMinQueryRate;
  return defineAlert({
    name: opts.name,
    family: 'DatabaseQueryLatency',
    severity: opts.severity,
    for: '5m',
    // The traffic guard counts the queries the mean is taken over (the histogram's _count).
    expr: and(gt(recorded.dbQueryMean.select(), threshold), ge(sum(rate(histogram(app.db_query_duration_seconds).count.range('5m')), ['service', 'operation', 'table']), minRate)),
    valueFormat: 'duration',
    summary: (v) => `${v.label('service')}: ${v.label('operation')} on ${v.label('table')} takes ${v.value} on average`,
    description: (v) =>
      `${v.label('operation')} queries on table ${v.label('table')} by service ${v.label('service')} took ${v.value} on average over the last 5 minutes, above the ${opts.severity} threshold of ${humanizeDuration(threshold)} (alerts.thresholds.${opts.key}), at more than ${minRate} queries/s (alerts.thresholds.dbMinQueryRate).`,
    dashboard: 'databaseRedis',
    runbook: SLOW_QUERY_RUNBOOK,
    scenarios: slowQueryScenarios(threshold, minRate),
  });
}

const MAX_CONNECTIONS = 200;
const RESERVED_CONNECTIONS = 3;
/** Slots applications may use: max_connections minus superuser_reserved_connections. */
const USABLE_CONNECTIONS = MAX_CONNECTIONS - RESERVED_CONNECTIONS;

function connectionInputs(backends: number): InputSeries[] {
  return [
    input(series(pg.pg_stat_database_numbackends), { ...PG, ...APP_DB }, steady(backends)),
    input(series(pg.pg_stat_database_numbackends), { ...PG, datname: '', datid: '0' }, steady(0)),
    input(series(pg.pg_settings_max_connections), { ...PG, server: SERVER }, steady(MAX_CONNECTIONS)),
    input(series(pg.pg_settings_superuser_reserved_connections), { ...PG, server: SERVER }, steady(RESERVED_CONNECTIONS)),
  ];
}

function connectionsAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.dbPoolUsage;
  if (threshold >= 1) {
    throw new ObservatoryError(`stack ${inputs.config.stack}: observatory:alerts.thresholds.dbPoolUsage`, `(${threshold}) must be below 1: connections cannot exceed max_connections`);
  }
  const backends = (ratio: number) => connectionInputs(Math.round(USABLE_CONNECTIONS * ratio));
  const high = Math.round(USABLE_CONNECTIONS * Math.min(1, threshold + (1 - threshold) / 2)) / USABLE_CONNECTIONS;
  return defineAlert({
    name: 'PostgresConnectionsHigh',
    family: 'PostgresConnections',
    severity: 'warning',
    for: '5m',
    expr: gt(recorded.pgConnectionUsage.select(), threshold),
    valueFormat: 'percentage',
    summary: (v) => `PostgreSQL ${v.label('instance')} uses ${v.value} of its connection slots`,
    description: (v) =>
      `Backends connected to the PostgreSQL server behind ${v.label('instance')} use ${v.value} of the slots applications may use (max_connections minus superuser_reserved_connections), above ${humanizePercentage(threshold)} (alerts.thresholds.dbPoolUsage). When none are left, new connections fail with "remaining connection slots are reserved".`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
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
      { kind: 'fires', name: `${Math.round(high * 100)}% of usable connections in use`, series: backends(high), activeAtMinutes: 0, labels: { service: PG.service, instance: PG.instance }, value: high },
      { kind: 'quiet', name: `${Math.round((threshold / 2) * 100)}% of usable connections in use`, series: backends(threshold / 2) },
    ],
  });
}

const CONNECTIONS_RUNBOOK_CHECKS = [
  'Count sessions by state and application: `SELECT application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2 ORDER BY 3 DESC;`.',
  'Compare with the pool size configured in the applications times the number of replicas (HPA current replicas).',
];

function connectionsExhaustedAlert(): AlertDefinition {
  return defineAlert({
    name: 'PostgresConnectionsExhausted',
    family: 'PostgresConnections',
    severity: 'critical',
    // postgres-mixin waits 1m too: a pool that refills after a restart passes quickly.
    for: '1m',
    expr: ge(recorded.pgConnectionUsage.select(), 1),
    valueFormat: 'percentage',
    summary: (v) => `PostgreSQL ${v.label('instance')}: no connection slots left for applications`,
    description: (v) =>
      `Backends connected to the PostgreSQL server behind ${v.label('instance')} fill ${v.value} of max_connections minus superuser_reserved_connections. Every new connection that is not a superuser's is refused: pods that start, reconnect or scale out cannot reach the database.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
    runbook: {
      meaning: 'PostgreSQL has no connection slot left that an application may use; only superusers can still connect, into the reserved slots. New pods, reconnecting pools and migrations fail with "remaining connection slots are reserved for non-replication superuser connections".',
      causes: [
        'More application replicas than the server was sized for: pool size x replicas exceeds the usable slots (the HPA scaled out).',
        'Connection leaks or sessions stuck `idle in transaction`.',
        'A slow database holding connections longer, so every pool grows to its maximum.',
      ],
      checks: [
        ...CONNECTIONS_RUNBOOK_CHECKS,
        'Connect as a superuser (the reserved slots exist for this) and look for the oldest sessions: `SELECT pid, usename, application_name, state, now() - backend_start AS age FROM pg_stat_activity ORDER BY age DESC LIMIT 20;`.',
      ],
      fixes: [
        'Terminate idle or leaked sessions: `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = \'idle in transaction\' AND now() - state_change > interval \'10 minutes\';`.',
        'Lower the per-pod pool size or the HPA maximum, or put PgBouncer in front of PostgreSQL.',
        'Raise max_connections only together with the server\'s memory.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${USABLE_CONNECTIONS} backends: every slot but the ${RESERVED_CONNECTIONS} reserved ones`, series: connectionInputs(USABLE_CONNECTIONS), activeAtMinutes: 0, labels: { service: PG.service, instance: PG.instance }, value: 1 },
      { kind: 'quiet', name: `${USABLE_CONNECTIONS - 1} backends: one usable slot left`, series: connectionInputs(USABLE_CONNECTIONS - 1) },
    ],
  });
}

function deadlocksAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.dbDeadlocksPerMinute;
  const deadlocks = series(pg.pg_stat_database_deadlocks);
  // Shared-objects row (datid 0, datname "") is not a database anyone connects to.
  const perMinute = mul(sum(rate(deadlocks.range('5m', { datname: { ne: '' } })), ['service', 'instance', 'datname']), 60);
  const labels = { ...PG, ...APP_DB };
  // A 5m rate of a fresh counter is a fifth of the steady rate after one minute: 10x the threshold exceeds it at once.
  const many = 10 * threshold;
  return defineAlert({
    name: 'PostgresDeadlocks',
    family: 'PostgresDeadlocks',
    severity: 'warning',
    // Like postgres-mixin: more than a few a minute, for 5 minutes. A single deadlock is retried and logged.
    for: '5m',
    expr: gt(perMinute, threshold),
    valueFormat: 'number',
    summary: (v) => `PostgreSQL ${v.label('instance')}: ${v.value} deadlocks a minute in database ${v.label('datname')}`,
    description: (v) =>
      `PostgreSQL behind ${v.label('instance')} detected ${v.value} deadlocks a minute in database ${v.label('datname')} over the last 5 minutes, more than ${threshold} (alerts.thresholds.dbDeadlocksPerMinute), for 5 minutes. Each one aborted a transaction with an error the application had to handle.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance', database: 'datname' },
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
        name: `${many} deadlocks a minute`,
        series: [input(deadlocks, labels, counter(many))],
        activeAtMinutes: 1,
        labels: { service: PG.service, instance: PG.instance, datname: 'app' },
        value: many,
        valueExactFromMinutes: 6,
      },
      {
        kind: 'quiet',
        name: 'one deadlock after 10 quiet minutes (retried, not an incident)',
        series: [input(deadlocks, labels, segments({ minutes: 11, from: 3, perMinute: 0 }, { minutes: 0, from: 4, perMinute: 0 }))],
        evalAtMinutes: 16,
      },
      { kind: 'quiet', name: 'the deadlock counter stays flat', series: [input(deadlocks, labels, steady(3))], evalAtMinutes: 20 },
      {
        kind: 'quiet',
        name: 'deadlocks on the shared-objects row are ignored',
        series: [input(deadlocks, { ...PG, datname: '', datid: '0' }, counter(many))],
        evalAtMinutes: 20,
      },
    ],
  });
}

const BY_DATABASE = ['service', 'instance', 'datname'] as const;
/** pg_stat_database rows of real databases, not the shared-objects row. */
const DATABASES = { datname: { ne: '' } } as const;

function rollbacksAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.dbRollbackRatio;
  const minRate = inputs.thresholds.dbMinTransactionRate;
  const rollbacks = series(pg.pg_stat_database_xact_rollback);
  const commits = series(pg.pg_stat_database_xact_commit);
  const rb = sum(rate(rollbacks.range('5m', DATABASES)), BY_DATABASE);
  const all = add(rb, sum(rate(commits.range('5m', DATABASES)), BY_DATABASE));
  const traffic = (perMinute: number, share: number): InputSeries[] => [
    input(rollbacks, { ...PG, ...APP_DB }, counter(perMinute * share)),
    input(commits, { ...PG, ...APP_DB }, counter(perMinute * (1 - share))),
  ];
  // Above minRate from the first minute (a fresh counter's 5m rate starts at a fifth).
  const busy = Math.max(600, Math.ceil(minRate * 300 * 2));
  const many = Math.min(threshold * 3, (threshold + 1) / 2);
  return defineAlert({
    name: 'PostgresTooManyRollbacks',
    family: 'PostgresRollbacks',
    severity: 'warning',
    for: '5m',
    expr: and(gt(ratio(rb, all), threshold), ge(all, minRate)),
    valueFormat: 'percentage',
    summary: (v) => `PostgreSQL ${v.label('instance')}: ${v.value} of transactions in ${v.label('datname')} roll back`,
    description: (v) =>
      `${v.value} of the transactions in database ${v.label('datname')} behind ${v.label('instance')} rolled back over the last 5 minutes, above ${humanizePercentage(threshold)} (alerts.thresholds.dbRollbackRatio), at more than ${minRate} transactions/s (alerts.thresholds.dbMinTransactionRate).`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance', database: 'datname' },
    runbook: {
      meaning: 'Many transactions end in ROLLBACK instead of COMMIT: work is started and thrown away. Usually the application hits errors inside transactions (constraint violations, serialization failures, timeouts) and aborts them.',
      causes: [
        'Application errors inside transactions: unique or foreign key violations, failed validations after the first write.',
        'Serialization failures or deadlocks under concurrency (see PostgresDeadlocks), retried by the application.',
        'statement_timeout or lock_timeout cancelling statements.',
        'A framework that opens a transaction per request and rolls back read-only ones (harmless, but hides real problems).',
      ],
      checks: [
        'Read the PostgreSQL log for the errors just before the rollbacks (`log_min_error_statement`).',
        'Compare with HTTP 5xx (HttpErrorRateElevated) and DatabaseQueriesSlow at the same time.',
        'Per database: `sum by (datname) (rate(pg_stat_database_xact_rollback[5m]))` against `rate(pg_stat_database_xact_commit[5m])`.',
      ],
      fixes: [
        'Fix the failing statements in the application; validate before writing.',
        'Retry serialization failures with backoff; shorten transactions.',
        'If rollbacks are by design (read-only transactions), raise alerts.thresholds.dbRollbackRatio for the stack.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(many)} of ${busy} transactions a minute roll back`, series: traffic(busy, many), activeAtMinutes: 1, labels: { service: PG.service, instance: PG.instance, datname: 'app' }, value: many },
      { kind: 'quiet', name: `${humanizePercentage(threshold / 2)} roll back`, series: traffic(busy, threshold / 2) },
      { kind: 'quiet', name: `half roll back, but below ${minRate} transactions/s`, series: traffic((minRate * 60) / 4, 0.5) },
      { kind: 'quiet', name: 'no transactions at all (no ratio rather than NaN)', series: traffic(0, 0.5) },
    ],
  });
}

function cacheHitAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.dbCacheHitRatioMin;
  const minRate = inputs.thresholds.dbMinBlockRate;
  const si = ['service', 'instance'] as const;
  const hit = series(pg.pg_stat_database_blks_hit);
  const read = series(pg.pg_stat_database_blks_read);
  const lookups = add(sum(rate(hit.range('5m')), si), sum(rate(read.range('5m')), si));
  const traffic = (perMinute: number, share: number): InputSeries[] => [
    input(hit, { ...PG, ...APP_DB }, counter(Math.round(perMinute * share))),
    input(read, { ...PG, ...APP_DB }, counter(Math.round(perMinute * (1 - share)))),
  ];
  const busy = Math.max(60_000, Math.ceil(minRate * 300 * 2));
  const low = threshold / 2;
  const lowValue = Math.round(busy * low) / (Math.round(busy * low) + Math.round(busy * (1 - low)));
  return defineAlert({
    name: 'PostgresCacheHitRatioLow',
    family: 'PostgresCacheHitRatio',
    severity: 'warning',
    for: '10m',
    expr: and(lt(recorded.pgBufferHitRatio.select(), threshold), ge(lookups, minRate)),
    valueFormat: 'percentage',
    summary: (v) => `PostgreSQL ${v.label('instance')}: only ${v.value} of block reads hit the buffer cache`,
    description: (v) =>
      `Only ${v.value} of the blocks PostgreSQL behind ${v.label('instance')} read over the last 5 minutes came from shared buffers, below ${humanizePercentage(threshold)} (alerts.thresholds.dbCacheHitRatioMin), at more than ${minRate} block reads/s (alerts.thresholds.dbMinBlockRate). The rest came from the OS cache or disk.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
    runbook: {
      meaning: 'PostgreSQL reads many blocks that are not in shared_buffers. Those reads come from the OS page cache at best and from disk at worst; query latency rises with them.',
      causes: [
        'The working set grew beyond shared_buffers (data growth, a new feature reading old data).',
        'Sequential scans over large tables (a missing index) pushing hot pages out of the cache.',
        'A restart: the cache is cold and warms up over minutes to hours.',
        'Analytics or backup jobs reading everything once.',
      ],
      checks: [
        'Which tables are read from disk: `SELECT relname, heap_blks_read, heap_blks_hit FROM pg_statio_user_tables ORDER BY heap_blks_read DESC LIMIT 10;`.',
        'Sequential scans: `SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 10;`.',
        'Compare with DatabaseQueriesSlow and the shared_buffers setting (`SHOW shared_buffers;`).',
      ],
      fixes: [
        'Add the index that turns the sequential scan into an index scan.',
        'Raise shared_buffers (about a quarter of the server memory is the usual start) together with the memory limit.',
        'Move analytics reads to a replica.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(low)} of ${busy} block reads a minute hit`, series: traffic(busy, low), activeAtMinutes: 1, labels: { service: PG.service, instance: PG.instance }, value: lowValue },
      { kind: 'quiet', name: `${humanizePercentage((threshold + 1) / 2)} hit`, series: traffic(busy, (threshold + 1) / 2) },
      { kind: 'quiet', name: `half hit, but below ${minRate} block reads/s`, series: traffic((minRate * 60) / 4, 0.5) },
    ],
  });
}

function exporterErrorAlert(): AlertDefinition {
  const error = series(pg.pg_exporter_last_scrape_error);
  const up = series(pg.pg_up);
  const target = (err: (n: number) => string, reachable: number): InputSeries[] => [input(error, PG, err), input(up, PG, steady(reachable))];
  return defineAlert({
    name: 'PostgresExporterScrapeError',
    family: 'PostgresExporter',
    severity: 'warning',
    for: '10m',
    // While PostgreSQL is unreachable every scrape fails; PostgresDown says so already.
    expr: and(eq(error.select(), 1), eq(up.select(), 1)),
    valueFormat: 'number',
    summary: (v) => `postgres_exporter ${v.label('instance')}: queries against PostgreSQL fail`,
    description: (v) =>
      `postgres_exporter at ${v.label('instance')} reaches PostgreSQL but its last scrapes ended in an error (pg_exporter_last_scrape_error = ${v.value}) for 10 minutes. Some pg_* series are missing, so the database alerts built on them are blind.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
    runbook: {
      meaning: 'The exporter connects to PostgreSQL but one of its queries fails on every scrape. The metrics of that query are missing; alerts on them (connections, deadlocks, cache hits) cannot fire.',
      causes: [
        'The monitoring user lacks a privilege (pg_monitor role) for a view the exporter reads.',
        'A PostgreSQL upgrade renamed a column or view the exporter version does not know.',
        'statement_timeout set for the monitoring user below what the queries need.',
      ],
      checks: [
        'Read the exporter log: the failing query and the PostgreSQL error are logged on every scrape.',
        'Check which collectors fail: `pg_scrape_collector_success == 0` on the exporter\'s /metrics.',
      ],
      fixes: [
        'Grant the monitoring user `pg_monitor` (`GRANT pg_monitor TO <user>;`).',
        'Upgrade the exporter image (stacks/versions.ts) to one that knows the PostgreSQL version.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'scrapes start failing after 2 minutes',
        series: target(segments({ minutes: 2, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 }), 1),
        activeAtMinutes: 2,
        labels: { ...PG },
        value: 1,
      },
      { kind: 'quiet', name: 'scrapes succeed', series: target(steady(0), 1) },
      { kind: 'quiet', name: 'scrapes fail because PostgreSQL is down (PostgresDown fires instead)', series: target(steady(1), 0) },
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
    dashboardVariables: { pg_instance: 'instance' },
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

/** The one PostgreSQL setting and the grant the statement statistics need (docs/deploying.md). */
export const PG_STAT_STATEMENTS_SETUP = "shared_preload_libraries = 'pg_stat_statements' in postgresql.conf (restart), `CREATE EXTENSION pg_stat_statements;` in the database the exporter connects to, and `GRANT pg_monitor TO <exporter user>;`";

function statStatementsAlert(): AlertDefinition {
  const collector = series(pg.pg_scrape_collector_success);
  const up = series(pg.pg_up);
  const target = (success: (n: number) => string, reachable: number): InputSeries[] => [
    input(collector, { ...PG, collector: 'stat_statements' }, success),
    input(up, PG, steady(reachable)),
  ];
  return defineAlert({
    name: 'PostgresStatStatementsUnavailable',
    family: 'PostgresExporter',
    severity: 'warning',
    for: '5m',
    // While PostgreSQL is unreachable every collector fails; PostgresDown says so already.
    expr: andOn(eq(collector.select({ collector: 'stat_statements' }), 0), eq(up.select(), 1), ['job', 'instance', 'service']),
    valueFormat: 'number',
    summary: (v) => `${v.label('instance')}: pg_stat_statements is not available, the Queries panels are empty`,
    description: (v) =>
      `postgres_exporter at ${v.label('instance')} reaches PostgreSQL, but its stat_statements collector fails (pg_scrape_collector_success ${v.value}): the pg_stat_statements extension is not loaded or not created. Needed: ${PG_STAT_STATEMENTS_SETUP}. The exporter log names the error.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
    runbook: {
      meaning:
        'The statement statistics (the Queries row of the Database & Redis dashboard: slowest statements, calls, rows) come from the pg_stat_statements extension, which this PostgreSQL does not provide to the exporter. Nothing else is affected; the slow-query investigation falls back to a psql session.',
      causes: [
        '`shared_preload_libraries` does not include pg_stat_statements (the error says "pg_stat_statements must be loaded via shared_preload_libraries"); changing it needs a restart.',
        'The extension was never created in the database the exporter connects to (`relation "pg_stat_statements" does not exist`).',
        'A managed PostgreSQL where the extension must be enabled in the provider\'s parameter group first.',
      ],
      checks: [
        'Read the exporter log: `collector failed name=stat_statements` carries PostgreSQL\'s error.',
        'In psql as the exporter\'s user: `SHOW shared_preload_libraries;` and `SELECT * FROM pg_extension WHERE extname = \'pg_stat_statements\';`.',
        'Check the grant: `SELECT pg_has_role(current_user, \'pg_monitor\', \'member\');` (without it other roles\' statements show no queryid).',
      ],
      fixes: [
        'Add `pg_stat_statements` to shared_preload_libraries in postgresql.conf (keep any libraries already listed) and restart PostgreSQL.',
        'Then, in the exporter\'s database: `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;` and `GRANT pg_monitor TO <exporter user>;`.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'the collector fails from minute 2 (extension missing)',
        series: target(segments({ minutes: 2, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 }), 1),
        activeAtMinutes: 2,
        labels: { ...PG, collector: 'stat_statements' },
        value: 0,
      },
      { kind: 'quiet', name: 'the collector succeeds', series: target(steady(1), 1) },
      { kind: 'quiet', name: 'every collector fails because PostgreSQL is down (PostgresDown fires instead)', series: target(steady(0), 0) },
    ],
  });
}

function queriesFileAlert(): AlertDefinition {
  const loadError = series(pg.pg_exporter_user_queries_load_error);
  const FILE = { ...PG, filename: '/etc/postgres_exporter/queries.yaml', hashsum: 'e3b0c44298fc1c149afbf4c8996fb924' } as const;
  return defineAlert({
    name: 'PostgresExporterQueriesFileError',
    family: 'PostgresExporter',
    severity: 'warning',
    for: '5m',
    expr: eq(loadError.select(), 1),
    valueFormat: 'number',
    summary: (v) => `postgres_exporter ${v.label('instance')} cannot load ${v.label('filename')}`,
    description: (v) =>
      `postgres_exporter at ${v.label('instance')} could not load or parse its queries file ${v.label('filename')} (pg_exporter_user_queries_load_error ${v.value}), so the table and unused-index series (pg_table_*, pg_unused_index_size_bytes) are missing and their panels are empty.`,
    dashboard: 'databaseRedis',
    dashboardVariables: { pg_instance: 'instance' },
    runbook: {
      meaning: 'The stack ships postgres_exporter a rendered queries file (postgres-exporter/queries.yaml) for the tables with the most sequential reads and the unused indexes. The exporter did not load it.',
      causes: ['The file is missing in the container (a volume or upload that did not apply).', 'The file was edited by hand and no longer parses.'],
      checks: ['The exporter log names the file and the parse error.', 'Compare the file in the container with generated/<stack>/postgres-exporter/queries.yaml.'],
      fixes: ['Re-deploy with `pulumi up` so the rendered file is shipped again; never edit it in place.'],
    },
    scenarios: [
      { kind: 'fires', name: 'the file does not load', series: [input(loadError, FILE, steady(1))], activeAtMinutes: 0, labels: FILE, value: 1 },
      { kind: 'quiet', name: 'the file loads', series: [input(loadError, FILE, steady(0))] },
    ],
  });
}

export const postgresAlerts: AlertConcern = {
  group: 'observatory-postgres.alerts',
  alerts: (inputs) => [
    slowQueryAlert(inputs, { name: 'DatabaseQueriesSlow', key: 'dbQueryMeanWarning', severity: 'warning' }),
    slowQueryAlert(inputs, { name: 'DatabaseQueriesVerySlow', key: 'dbQueryMeanCritical', severity: 'critical' }),
    connectionsAlert(inputs),
    connectionsExhaustedAlert(),
    deadlocksAlert(inputs),
    rollbacksAlert(inputs),
    cacheHitAlert(inputs),
    exporterErrorAlert(),
    postgresDownAlert(),
    statStatementsAlert(),
    queriesFileAlert(),
  ],
};
