/** Monitoring health: is the monitoring itself working (scrapes, rules, alert delivery)? */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { series } from '../catalog/query';
import * as self from '../catalog/selfMonitoring';
import type { StackConfig } from '../stacks/config/schema';
import { baseDashboard } from './base';
import { withRows } from './common';
import { alertingRow, alertmanagerConfigReload } from './rows/alerting';
import { remoteWriteRow } from './rows/remoteWrite';
import { prometheusConfigReload, rulesRow } from './rows/rules';
import { remoteWriteConfigs } from '../generators/remoteWrite';
import { targetsDown, targetsRow, targetsUp } from './rows/targets';
import { JOB, labelValuesVariable } from './variables';

export function monitoringHealthDashboard(config: StackConfig): dashboard.DashboardBuilder {
  const up = series(self.up);
  const builder = baseDashboard('monitoringHealth', config, 'Scrape targets, rule evaluation and alert delivery of the monitoring stack itself.')
    .withVariable(labelValuesVariable('job', up, 'job', {}, { label: 'Job', description: 'Scrape jobs.' }))
    .withVariable(labelValuesVariable('instance', up, 'instance', { job: JOB }, { label: 'Instance', description: 'Targets of the selected jobs.' }));
  return withRows(builder, [
    { title: 'Status', panels: [targetsUp(), targetsDown(), prometheusConfigReload(), alertmanagerConfigReload()] },
    targetsRow(config),
    rulesRow(config),
    alertingRow(),
    // Only where Prometheus remote-writes: the row would be empty (and the dashboard of a single-node stack unchanged).
    ...(remoteWriteConfigs(config).length > 0 ? [remoteWriteRow(config)] : []),
  ]);
}
