/** Service overview & SLOs: the four golden signals per service, its SLOs and error budget. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as app from '../catalog/application';
import { series } from '../catalog/query';
import type { StackConfig } from '../stacks/config/schema';
import { baseDashboard } from './base';
import { withRows } from './common';
import { goldenSignalsRow } from './rows/golden';
import { saturationRow } from './rows/saturation';
import { burnRateRow, sloRow } from './rows/slo';
import { labelValuesVariable } from './variables';

export function serviceOverviewDashboard(config: StackConfig): dashboard.DashboardBuilder {
  const t = config.alerts.thresholds;
  const builder = baseDashboard('serviceOverview', config, 'Latency, traffic, errors and saturation per service, with SLO targets and the error budget left.').withVariable(
    labelValuesVariable('service', series(app.http_requests_total), 'service', {}, { label: 'Service', description: 'Applications that serve HTTP.' }),
  );
  return withRows(builder, [sloRow(config), goldenSignalsRow(t), saturationRow(t), burnRateRow(config)]);
}
