/**
 * The "Queries" row of Database & Redis: what an SRE otherwise runs by hand in psql (seeds 000, 001
 * and 003, docs/dashboards.md lists which command each panel replaces). Statements come from
 * pg_stat_statements through postgres_exporter's stat_statements collector, tables and unused
 * indexes from the stack's top-N queries (generators/postgresQueries.ts). Every panel shows the
 * top PANEL_TOP_N of what the exporter exports, and the exporter exports only the top
 * exporters.postgres.limits of each: the cost in series is bounded whatever the database holds.
 */
import * as pg from '../../catalog/postgres';
import { add, joinLabels, max, rate, ratio, series, sum, topk, type Query } from '../../catalog/query';
import type { MetricSpec } from '../../catalog/types';
import type { StackConfig } from '../../stacks/config/schema';
import { statPanel, timeseriesPanel, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { DATABASE, PG_INSTANCE } from '../variables';

/** How many statements, tables and indexes a panel shows ("top 10" in the seeds' queries). */
export const PANEL_TOP_N = 10;

const selected = { instance: PG_INSTANCE, datname: DATABASE };
const STATEMENT = ['datname', 'queryid'] as const;
const TABLE = ['datname', 'schemaname', 'relname'] as const;

type StatementCounter = MetricSpec<string, 'user' | 'datname' | 'queryid'>;

function perStatement(spec: StatementCounter): Query<'datname' | 'queryid'> {
  return sum(rate(series(spec).range('$__rate_interval', selected)), [...STATEMENT]);
}

/** The statement text joined in from pg_stat_statements_query_id (value 1) by queryid. */
function withText(q: Query<'datname' | 'queryid'>): Query<'datname' | 'queryid' | 'query'> {
  const text = max(series(pg.pg_stat_statements_query_id).select({ instance: PG_INSTANCE }), ['queryid', 'query']);
  return joinLabels(q, text, ['queryid'], ['query']);
}

function perTable(spec: MetricSpec<string, 'datname' | 'schemaname' | 'relname' | 'server'>): Query<'datname' | 'schemaname' | 'relname'> {
  return sum(rate(series(spec).range('$__rate_interval', selected)), [...TABLE]);
}

function topN(limit: number): number {
  return Math.min(PANEL_TOP_N, limit);
}

export function statementsByTotalTime(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.statements);
  return timeseriesPanel({
    title: 'Top statements by total time',
    description: `The ${n} statements that spent the most time executing, in seconds per second (pg_stat_statements total_exec_time; 100% is one backend busy all the time). The exporter exports the top exporters.postgres.limits.statements (${config.exporters.postgres.limits.statements}) statements by total time since the last pg_stat_statements_reset().`,
    unit: rateUnit(pg.pg_stat_statements_seconds_total),
    targets: [{ expr: topk(n, withText(perStatement(pg.pg_stat_statements_seconds_total))), legend: '{{datname}}: {{query}}' }],
    min: 0,
    width: 12,
  });
}

export function statementsByMeanTime(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.statements);
  return timeseriesPanel({
    title: 'Top statements by mean time',
    description: `The ${n} exported statements with the longest mean execution time over $__rate_interval (time / calls); statements not called in the window are left out.`,
    unit: valueUnit(pg.pg_stat_statements_seconds_total),
    targets: [{ expr: topk(n, withText(ratio(perStatement(pg.pg_stat_statements_seconds_total), perStatement(pg.pg_stat_statements_calls_total)))), legend: '{{datname}}: {{query}}' }],
    min: 0,
    width: 12,
  });
}

export function statementCalls(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.statements);
  return timeseriesPanel({
    title: 'Top statements by calls',
    description: `The ${n} exported statements executed most often, per second.`,
    unit: rateUnit(pg.pg_stat_statements_calls_total),
    targets: [{ expr: topk(n, withText(perStatement(pg.pg_stat_statements_calls_total))), legend: '{{datname}}: {{query}}' }],
    min: 0,
    width: 8,
  });
}

export function statementRows(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.statements);
  return timeseriesPanel({
    title: 'Top statements by rows',
    description: `The ${n} exported statements that return or change the most rows per second; many rows per call suggests a missing LIMIT or pagination.`,
    unit: rateUnit(pg.pg_stat_statements_rows_total),
    targets: [{ expr: topk(n, withText(perStatement(pg.pg_stat_statements_rows_total))), legend: '{{datname}}: {{query}}' }],
    min: 0,
    width: 8,
  });
}

export function topStatementsShare(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.statements);
  const time = perStatement(pg.pg_stat_statements_seconds_total);
  return statPanel({
    title: `Share of statement time in the top ${n}`,
    description: `Time of the ${n} busiest statements as a share of the time of all exported statements (the top ${config.exporters.postgres.limits.statements}, exporters.postgres.limits.statements). Near 100%: a few statements are worth optimising; low: the load is spread out.`,
    unit: RATIO_UNIT,
    targets: [{ expr: ratio(sum(topk(n, time)), sum(time)), legend: 'top ' + n }],
    min: 0,
    max: 1,
    width: 8,
  });
}

export function tablesBySequentialRows(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.tables);
  return timeseriesPanel({
    title: 'Tables by rows read in sequential scans',
    description: `The ${n} tables whose sequential scans read the most rows per second (pg_stat_user_tables seq_tup_read): the cost of a missing index. The exporter exports the top exporters.postgres.limits.tables (${config.exporters.postgres.limits.tables}) by rows read sequentially since the stats reset.`,
    unit: rateUnit(pg.pg_table_seq_rows_read_total),
    targets: [{ expr: topk(n, perTable(pg.pg_table_seq_rows_read_total)), legend: '{{datname}} {{schemaname}}.{{relname}}' }],
    min: 0,
    width: 8,
  });
}

export function sequentialScanShare() {
  const seq = perTable(pg.pg_table_seq_scans_total);
  return timeseriesPanel({
    title: 'Sequential share of table scans',
    description: 'Sequential scans as a share of all scans (sequential + index) of each exported table. Near 100% on a large table: queries find no usable index.',
    unit: RATIO_UNIT,
    targets: [{ expr: ratio(seq, add(seq, perTable(pg.pg_table_index_scans_total))), legend: '{{datname}} {{schemaname}}.{{relname}}' }],
    min: 0,
    max: 1,
    width: 8,
  });
}

export function sequentiallyReadTableSize() {
  return timeseriesPanel({
    title: 'Size of the tables read sequentially',
    description: 'Disk space (without indexes) of the exported tables: a sequential scan reads all of it.',
    unit: valueUnit(pg.pg_table_size_bytes),
    targets: [{ expr: max(series(pg.pg_table_size_bytes).select(selected), [...TABLE]), legend: '{{datname}} {{schemaname}}.{{relname}}' }],
    min: 0,
    width: 8,
  });
}

export function unusedIndexes(config: StackConfig) {
  const n = topN(config.exporters.postgres.limits.indexes);
  return timeseriesPanel({
    title: 'Unused indexes (zero scans since the stats reset)',
    description: `The ${n} largest non-unique indexes no query has scanned since the statistics were last reset (pg_stat_user_indexes idx_scan = 0): they cost disk and slow every write. Check replicas and rare jobs (month-end reports) before dropping one. Exported: the largest exporters.postgres.limits.indexes (${config.exporters.postgres.limits.indexes}).`,
    unit: valueUnit(pg.pg_unused_index_size_bytes),
    targets: [{ expr: topk(n, max(series(pg.pg_unused_index_size_bytes).select(selected), [...TABLE, 'indexrelname'])), legend: '{{datname}} {{schemaname}}.{{relname}}: {{indexrelname}}' }],
    min: 0,
    width: 8,
  });
}

export function statementsRow(config: StackConfig): Row {
  return {
    title: 'Queries',
    panels: [
      statementsByTotalTime(config),
      statementsByMeanTime(config),
      statementCalls(config),
      statementRows(config),
      topStatementsShare(config),
      tablesBySequentialRows(config),
      sequentialScanShare(),
      sequentiallyReadTableSize(),
      unusedIndexes(config),
    ],
  };
}
