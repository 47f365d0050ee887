/**
 * Rule evaluation health (Monitoring health): a failing or slow rule group silently stops the
 * recordings dashboards read and the alerts that page, so it gets its own row.
 */
import { durationSeconds } from '../../catalog/duration';
import { max, min, mul, rate, series, sum } from '../../catalog/query';
import * as self from '../../catalog/selfMonitoring';
import type { StackConfig } from '../../stacks/config/schema';
import { healthMapping, lowerThresholds, statPanel, timeseriesPanel, upperThresholds, warningThreshold, type Row } from '../common';
import { PER_MINUTE_UNIT, valueUnit } from '../units';

export function prometheusConfigReload() {
  return statPanel({
    title: 'Prometheus config reload',
    description: 'Whether the last configuration reload succeeded; a failed one keeps running the old rules and scrape config.',
    unit: valueUnit(self.prometheus_config_last_reload_successful),
    targets: [{ expr: min(series(self.prometheus_config_last_reload_successful).select()), legend: 'prometheus' }],
    thresholds: lowerThresholds(1),
    mappings: [healthMapping('OK', 'FAILED')],
    width: 6,
  });
}

export function evaluationFailures() {
  return timeseriesPanel({
    title: 'Rule evaluation failures',
    description: 'Failed rule evaluations per rule group and minute. Any failure means a recording or alert is missing (PrometheusRuleEvaluationFailures).',
    unit: PER_MINUTE_UNIT,
    targets: [{ expr: mul(sum(rate(series(self.prometheus_rule_evaluation_failures_total).range('$__rate_interval')), ['rule_group']), 60), legend: '{{rule_group}}' }],
    // Any failure is one too many; the line sits just above zero.
    thresholds: upperThresholds(0.01),
    min: 0,
    width: 8,
  });
}

export function groupDuration(config: StackConfig) {
  return timeseriesPanel({
    title: 'Rule group evaluation duration',
    description: `How long each rule group's last evaluation took. The line is evaluationInterval (${config.evaluationInterval}): a group slower than it misses evaluations.`,
    unit: valueUnit(self.prometheus_rule_group_last_duration_seconds),
    targets: [{ expr: max(series(self.prometheus_rule_group_last_duration_seconds).select(), ['rule_group']), legend: '{{rule_group}}' }],
    thresholds: upperThresholds(durationSeconds(config.evaluationInterval)),
    min: 0,
    width: 8,
  });
}

export function missedIterations() {
  return timeseriesPanel({
    title: 'Missed rule group iterations',
    description: 'Evaluations skipped per minute because the previous one was still running (PrometheusMissedRuleEvaluations).',
    unit: PER_MINUTE_UNIT,
    targets: [{ expr: mul(sum(rate(series(self.prometheus_rule_group_iterations_missed_total).range('$__rate_interval')), ['rule_group']), 60), legend: '{{rule_group}}' }],
    thresholds: warningThreshold(0.01),
    min: 0,
    width: 8,
  });
}

export function rulesRow(config: StackConfig): Row {
  return { title: 'Rules', panels: [evaluationFailures(), groupDuration(config), missedIterations()] };
}
