/**
 * Application-side database panels (API Performance): how often each service queries which table,
 * and how long those queries take as the application sees them (pool wait included).
 */
import * as app from '../../catalog/application';
import { histogram, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { timeseriesPanel, upperThresholds, type Row } from '../common';
import { rateUnit, valueUnit } from '../units';
import { SERVICE } from '../variables';

const dbDuration = histogram(app.db_query_duration_seconds);

export function queryRate() {
  return timeseriesPanel({
    title: 'Database query rate by operation and table',
    description: 'Queries per second (recording service_operation_table:db_queries:rate5m, 5m window).',
    unit: rateUnit(app.db_queries_total),
    targets: [{ expr: sum(recorded.dbQueryRate.select({ service: SERVICE }), ['operation', 'table']), legend: '{{operation}} {{table}}' }],
    width: 8,
  });
}

export function queryMeanLatency(t: Thresholds) {
  return timeseriesPanel({
    title: 'Database query mean latency by operation and table',
    description:
      'Mean query latency (recording service_operation_table:db_query_duration_seconds:mean_rate5m). ' +
      'Thresholds: alerts.thresholds.dbQueryMeanWarning / dbQueryMeanCritical, as in the slow-query alerts.',
    unit: valueUnit(dbDuration.spec),
    targets: [{ expr: recorded.dbQueryMean.select({ service: SERVICE }), legend: '{{service}} {{operation}} {{table}}' }],
    thresholds: upperThresholds(t.dbQueryMeanCritical, t.dbQueryMeanWarning),
    width: 8,
  });
}

export function queryP95Latency() {
  return timeseriesPanel({
    title: 'Database query p95 latency by operation and table',
    description:
      'p95 query latency, the slow tail the mean hides (recording ' +
      'service_operation_table:db_query_duration_seconds:histogram_quantile_rate5m, 5m window, all instances of the service).',
    unit: valueUnit(dbDuration.spec),
    targets: [{ expr: recorded.dbQueryQuantile.select({ service: SERVICE, quantile: '0.95' }), legend: '{{service}} {{operation}} {{table}}' }],
    width: 8,
  });
}

export function databaseQueriesRow(t: Thresholds): Row {
  return { title: 'Database queries', panels: [queryRate(), queryMeanLatency(t), queryP95Latency()] };
}
