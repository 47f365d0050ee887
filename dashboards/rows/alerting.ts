/**
 * Alert delivery (Monitoring health): alerts reaching Alertmanager and notifications leaving it.
 * An alert that fires but never notifies anyone is the failure this row exists for.
 */
import { healthMapping, lowerThresholds, statPanel, timeseriesPanel, type Row } from '../common';
import { min, rate, series, sum } from '../../catalog/query';
import * as self from '../../catalog/selfMonitoring';
import { rateUnit, valueUnit } from '../units';

export function alertmanagerConfigReload() {
  return statPanel({
    title: 'Alertmanager config reload',
    description: 'Whether Alertmanager loaded its last configuration; a failed reload keeps the old routes and receivers.',
    unit: valueUnit(self.alertmanager_config_last_reload_successful),
    targets: [{ expr: min(series(self.alertmanager_config_last_reload_successful).select()), legend: 'alertmanager' }],
    thresholds: lowerThresholds(1),
    mappings: [healthMapping('OK', 'FAILED')],
    width: 6,
  });
}

export function notificationsSent() {
  return timeseriesPanel({
    title: 'Alertmanager notifications sent',
    description: 'Notifications Alertmanager attempted per second, by integration (slack, pagerduty, email, webhook, ...).',
    unit: rateUnit(self.alertmanager_notifications_total),
    targets: [{ expr: sum(rate(series(self.alertmanager_notifications_total).range('$__rate_interval')), ['integration']), legend: '{{integration}}' }],
    min: 0,
  });
}

export function notificationsFailed() {
  return timeseriesPanel({
    title: 'Alertmanager notifications failed',
    description: 'Notifications that could not be delivered per second, by integration: check the receiver credentials and URL.',
    unit: rateUnit(self.alertmanager_notifications_failed_total),
    targets: [{ expr: sum(rate(series(self.alertmanager_notifications_failed_total).range('$__rate_interval')), ['integration']), legend: '{{integration}}' }],
    min: 0,
  });
}

export function alertsByState() {
  return timeseriesPanel({
    title: 'Alerts in Alertmanager by state',
    description: 'Alerts Alertmanager holds: active (notifying), suppressed (silenced or inhibited), unprocessed.',
    unit: valueUnit(self.alertmanager_alerts),
    targets: [{ expr: sum(series(self.alertmanager_alerts).select(), ['state']), legend: '{{state}}' }],
    min: 0,
  });
}

export function prometheusToAlertmanager() {
  return timeseriesPanel({
    title: 'Alerts Prometheus could not deliver',
    description: 'Errors sending alerts from Prometheus to Alertmanager, and alerts dropped because of them, per second.',
    unit: rateUnit(self.prometheus_notifications_errors_total),
    targets: [
      { expr: sum(rate(series(self.prometheus_notifications_errors_total).range('$__rate_interval'))), legend: 'send errors' },
      { expr: sum(rate(series(self.prometheus_notifications_dropped_total).range('$__rate_interval'))), legend: 'dropped' },
    ],
    min: 0,
  });
}

export function alertingRow(): Row {
  return { title: 'Alerting', panels: [notificationsSent(), notificationsFailed(), alertsByState(), prometheusToAlertmanager()] };
}
