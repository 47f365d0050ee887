/**
 * Series Prometheus and Alertmanager expose about themselves, plus the synthetic series Prometheus
 * writes for every scrape (`up`, `scrape_duration_seconds`). Used by the Monitoring health
 * dashboard and the alerts that watch the stack itself.
 */
import { defineMetric, type LabelSpec } from './types';

const ruleGroup: LabelSpec = { help: 'Rule file and group, as file;group.' };
const integration: LabelSpec = { help: 'Notifier kind (slack, pagerduty, email, webhook, ...).' };

export const up = defineMetric({
  name: 'up', type: 'gauge', unit: 'boolean', source: 'prometheus', labels: {},
  help: '1 when the last scrape of the target succeeded, else 0 (written by Prometheus).',
});
export const scrape_duration_seconds = defineMetric({
  name: 'scrape_duration_seconds', type: 'gauge', unit: 'seconds', source: 'prometheus', labels: {},
  help: 'How long the last scrape of the target took (written by Prometheus).',
});
export const scrape_samples_scraped = defineMetric({
  name: 'scrape_samples_scraped', type: 'gauge', unit: 'count', source: 'prometheus', labels: {},
  help: 'Samples the last scrape of the target returned (written by Prometheus).',
});
/** Series Prometheus writes for every target itself: no program's /metrics exposes them. */
export const SCRAPE_SERIES_NAMES: ReadonlySet<string> = new Set([up.name, scrape_duration_seconds.name, scrape_samples_scraped.name]);

export const prometheus_rule_evaluation_failures_total = defineMetric({
  name: 'prometheus_rule_evaluation_failures_total', type: 'counter', unit: 'count', source: 'prometheus',
  labels: { rule_group: ruleGroup },
  help: 'Rule evaluations that failed.',
});
export const prometheus_rule_group_last_duration_seconds = defineMetric({
  name: 'prometheus_rule_group_last_duration_seconds', type: 'gauge', unit: 'seconds', source: 'prometheus',
  labels: { rule_group: ruleGroup },
  help: 'Duration of the last evaluation of the rule group.',
});
export const prometheus_rule_group_interval_seconds = defineMetric({
  name: 'prometheus_rule_group_interval_seconds', type: 'gauge', unit: 'seconds', source: 'prometheus',
  labels: { rule_group: ruleGroup },
  help: 'Configured evaluation interval of the rule group.',
});
export const prometheus_rule_group_iterations_missed_total = defineMetric({
  name: 'prometheus_rule_group_iterations_missed_total', type: 'counter', unit: 'count', source: 'prometheus',
  labels: { rule_group: ruleGroup },
  help: 'Rule group evaluations skipped because the previous one was still running.',
});
export const prometheus_config_last_reload_successful = defineMetric({
  name: 'prometheus_config_last_reload_successful', type: 'gauge', unit: 'boolean', source: 'prometheus', labels: {},
  help: '1 when the last configuration reload succeeded.',
});
export const prometheus_notifications_errors_total = defineMetric({
  name: 'prometheus_notifications_errors_total', type: 'counter', unit: 'count', source: 'prometheus',
  labels: { alertmanager: { help: 'Alertmanager URL.' } },
  help: 'Errors sending alert notifications to Alertmanager.',
});
export const prometheus_notifications_dropped_total = defineMetric({
  name: 'prometheus_notifications_dropped_total', type: 'counter', unit: 'count', source: 'prometheus',
  labels: { alertmanager: { help: 'The Alertmanager the alerts were meant for (Prometheus 3.x).' } },
  help: 'Alerts dropped because of errors when sending them to Alertmanager.',
});
export const prometheus_tsdb_head_series = defineMetric({
  name: 'prometheus_tsdb_head_series', type: 'gauge', unit: 'count', source: 'prometheus', labels: {},
  help: 'Series in the head block (active series).',
});
export const prometheus_tsdb_head_samples_appended_total = defineMetric({
  name: 'prometheus_tsdb_head_samples_appended_total', type: 'counter', unit: 'count', source: 'prometheus',
  labels: { type: { help: 'Sample type.', values: ['float', 'histogram'] } },
  help: 'Samples appended to the head block: scraped and recorded samples reaching storage.',
});
export const prometheus_tsdb_compactions_failed_total = defineMetric({
  name: 'prometheus_tsdb_compactions_failed_total', type: 'counter', unit: 'count', source: 'prometheus', labels: {},
  help: 'Compactions of head or blocks that failed.',
});
export const prometheus_tsdb_reloads_failures_total = defineMetric({
  name: 'prometheus_tsdb_reloads_failures_total', type: 'counter', unit: 'count', source: 'prometheus', labels: {},
  help: 'Times the TSDB failed to reload its blocks from disk.',
});
export const prometheus_tsdb_size_retentions_total = defineMetric({
  name: 'prometheus_tsdb_size_retentions_total', type: 'counter', unit: 'count', source: 'prometheus', labels: {},
  help: 'Times blocks were deleted because the TSDB exceeded its size retention (storage.tsdb.retention.size).',
});
export const prometheus_tsdb_storage_blocks_bytes = defineMetric({
  name: 'prometheus_tsdb_storage_blocks_bytes', type: 'gauge', unit: 'bytes', source: 'prometheus', labels: {},
  help: 'Bytes the persisted blocks use on the TSDB volume.',
});
export const prometheus_notifications_alertmanagers_discovered = defineMetric({
  name: 'prometheus_notifications_alertmanagers_discovered', type: 'gauge', unit: 'count', source: 'prometheus', labels: {},
  help: 'Alertmanagers Prometheus has discovered and sends alerts to.',
});
export const alertmanager_notifications_total = defineMetric({
  name: 'alertmanager_notifications_total', type: 'counter', unit: 'count', source: 'alertmanager',
  labels: { integration },
  help: 'Notifications Alertmanager attempted.',
});
export const alertmanager_notifications_failed_total = defineMetric({
  name: 'alertmanager_notifications_failed_total', type: 'counter', unit: 'count', source: 'alertmanager',
  labels: { integration, reason: { help: 'Why delivery failed (clientError, serverError, other), Alertmanager 0.27+.' } },
  help: 'Notifications that failed to be delivered.',
});
export const alertmanager_config_last_reload_successful = defineMetric({
  name: 'alertmanager_config_last_reload_successful', type: 'gauge', unit: 'boolean', source: 'alertmanager', labels: {},
  help: '1 when the last configuration reload succeeded.',
});
export const alertmanager_alerts = defineMetric({
  name: 'alertmanager_alerts', type: 'gauge', unit: 'count', source: 'alertmanager',
  labels: { state: { help: 'Alert state.', values: ['active', 'suppressed', 'unprocessed'] } },
  help: 'Alerts Alertmanager currently holds, by state.',
});

export const selfMonitoringMetrics = [
  up,
  scrape_duration_seconds,
  scrape_samples_scraped,
  prometheus_rule_evaluation_failures_total,
  prometheus_rule_group_last_duration_seconds,
  prometheus_rule_group_interval_seconds,
  prometheus_rule_group_iterations_missed_total,
  prometheus_config_last_reload_successful,
  prometheus_notifications_errors_total,
  prometheus_notifications_dropped_total,
  prometheus_tsdb_head_series,
  prometheus_tsdb_head_samples_appended_total,
  prometheus_tsdb_compactions_failed_total,
  prometheus_tsdb_reloads_failures_total,
  prometheus_tsdb_size_retentions_total,
  prometheus_tsdb_storage_blocks_bytes,
  prometheus_notifications_alertmanagers_discovered,
  alertmanager_notifications_total,
  alertmanager_notifications_failed_total,
  alertmanager_config_last_reload_successful,
  alertmanager_alerts,
] as const;
