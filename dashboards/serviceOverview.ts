/** Service overview & SLOs: the four golden signals per service, its SLOs and error budget. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as app from '../catalog/application';
import { ALERTS } from '../catalog';
import { series } from '../catalog/query';
import type { StackConfig } from '../stacks/config/schema';
import { baseDashboard } from './base';
import { COLORS, DATASOURCE, withRows } from './common';
import { goldenSignalsRow } from './rows/golden';
import { saturationRow } from './rows/saturation';
import { burnRateRow, sloRow } from './rows/slo';
import { uptimeRow } from './rows/uptime';
import { labelValuesVariable, SERVICE } from './variables';

export function serviceOverviewDashboard(config: StackConfig): dashboard.DashboardBuilder {
  const t = config.alerts.thresholds;
  const builder = baseDashboard('serviceOverview', config, 'Latency, traffic, errors and saturation per service, with SLO targets and the error budget left.').withVariable(
    labelValuesVariable('service', series(app.http_requests_total), 'service', {}, { label: 'Service', description: 'Applications that serve HTTP.' }),
  );
  const rows = [sloRow(config), goldenSignalsRow(t), saturationRow(t), burnRateRow(config)];
  return withRows(builder.annotation(firingAlerts()), config.uptime.enabled ? [...rows, uptimeRow(config)] : rows);
}

/**
 * Alerts of the selected services as annotations on every panel: a latency bump next to the
 * moment HttpLatencyP95High started, without leaving the dashboard. From Prometheus's ALERTS
 * series, so it shows what the rules decided (pending excluded), whether or not Alertmanager
 * notified anyone.
 */
export function firingAlerts(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name('Firing alerts')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor(COLORS.critical)
    .expr(ALERTS.select({ alertstate: 'firing', service: SERVICE }).toString())
    .step('60s')
    .titleFormat('{{alertname}}')
    .textFormat('{{severity}} alert for {{service}}')
    .tagKeys('severity,family');
}
