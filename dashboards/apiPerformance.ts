/** API Performance: what the application's users experience, by route, and what it costs downstream. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as app from '../catalog/application';
import { series } from '../catalog/query';
import type { StackConfig } from '../stacks/config/schema';
import { baseDashboard } from './base';
import { withRows } from './common';
import { cacheRow } from './rows/cache';
import { connectionsRow } from './rows/connections';
import { databaseQueriesRow } from './rows/database';
import { errorsRow, latencyRow, trafficRow } from './rows/http';
import { redisOperationsRow } from './rows/redis';
import { labelValuesVariable, SERVICE } from './variables';

const requests = series(app.http_requests_total);

export function apiPerformanceDashboard(config: StackConfig): dashboard.DashboardBuilder {
  const t = config.alerts.thresholds;
  const builder = baseDashboard('apiPerformance', config, 'Request rate, errors and latency by route, and the database, Redis and cache work behind them.')
    .withVariable(labelValuesVariable('service', requests, 'service', {}, { label: 'Service', description: 'Applications that serve HTTP.' }))
    .withVariable(labelValuesVariable('route', requests, 'route', { service: SERVICE }, { label: 'Route', description: 'Route templates of the selected services.' }))
    .withVariable(labelValuesVariable('instance', requests, 'instance', { service: SERVICE }, { label: 'Instance', description: 'Replicas of the selected services (filters the per-instance panels).' }));
  return withRows(builder, [trafficRow(), errorsRow(t), latencyRow(t), databaseQueriesRow(t), redisOperationsRow(), cacheRow(config), connectionsRow()]);
}
