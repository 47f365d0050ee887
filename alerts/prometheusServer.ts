/**
 * Prometheus's own health, as the Prometheus mixin watches it: samples reaching storage, TSDB
 * compactions and block reloads, its storage volume cutting history short, the connection to
 * Alertmanager and rule groups too slow for their interval. (Scrape targets, rule failures,
 * notification delivery and config reloads are the self-monitoring group, alerts/selfMonitoring.ts.)
 *
 * Some of these can only reach people while Prometheus and Alertmanager still talk: the Watchdog
 * and the dead man's switch behind it are the alarm for a Prometheus that cannot alert at all.
 */
import { gt, increase, le, lt, maxOverTime, rate, round, series, sum } from '../catalog/query';
import * as self from '../catalog/selfMonitoring';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type RunbookText } from './types';

const P = TEST_TARGETS.prometheus;
const SI = ['service', 'instance'] as const;
const PROM = { service: P.service, instance: P.instance } as const;

function notIngesting(): AlertDefinition {
  const appended = series(self.prometheus_tsdb_head_samples_appended_total);
  return defineAlert({
    name: 'PrometheusNotIngestingSamples',
    family: 'PrometheusIngestion',
    severity: 'critical',
    for: '10m',
    expr: le(sum(rate(appended.range('5m')), SI), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')} stores no samples`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} appended ${v.value} samples per second to its TSDB over the last 5 minutes, for 10 minutes. Nothing it scrapes or records is kept: dashboards go blank and alerts evaluate stale data.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Prometheus runs and evaluates rules but writes no samples: scrapes stopped (no targets discovered, all failing) or the TSDB rejects appends. Every dashboard and alert built on fresh data is blind.',
      causes: [
        'Service discovery finds no targets (RBAC for kubernetes_sd, a changed namespace or annotation).',
        'The TSDB volume is full or read-only, so appends fail (see HostDiskSpaceVeryLow, HostFilesystemReadOnly).',
        'Out-of-order or too-old samples rejected after a clock jump (see HostClockSkew).',
      ],
      checks: [
        'Status > Targets in the Prometheus UI: are there targets, are they up?',
        'The Prometheus log for "append failed", "out of bounds" or disk errors.',
        '`prometheus_tsdb_head_samples_appended_total` and `prometheus_target_scrape_pool_targets` over the last hour.',
      ],
      fixes: ['Restore discovery (RBAC, annotations) or free the volume; Prometheus resumes appending by itself.'],
    },
    scenarios: [
      { kind: 'fires', name: 'the appended-samples counter stops', series: [input(appended, { ...P, type: 'float' }, steady(123_456))], activeAtMinutes: 1, labels: PROM, value: 0 },
      { kind: 'quiet', name: '1000 samples appended a minute', series: [input(appended, { ...P, type: 'float' }, counter(1000))] },
    ],
  });
}

const TSDB_RUNBOOK: RunbookText = {
  meaning: 'Prometheus keeps failing to compact its head into blocks or to reload blocks from disk. The head (in memory and WAL) keeps growing, memory use rises, restarts replay more WAL, and retention stops deleting old blocks as planned.',
  causes: [
    'The TSDB volume is full or read-only (see the disk alerts).',
    'A corrupted block on disk (after a crash or an out-of-space event).',
    'Not enough memory for the compaction (an OOM-kill loop during compaction).',
  ],
  checks: [
    'The Prometheus log for "compaction failed" or "reloadBlocks" errors: they name the block directory.',
    'Free space on the TSDB volume: `node_filesystem_avail_bytes` for its mount, or `df -h /prometheus` in the pod.',
    'Restarts and memory of the Prometheus pod or container.',
  ],
  fixes: [
    'Free or grow the volume (`observatory:storage.prometheus`), or lower `observatory:retention`.',
    'Move a corrupted block directory named in the log out of the data directory, then restart Prometheus (its data is lost).',
    'Raise the Prometheus memory limit.',
  ],
};

function tsdbFailing(what: 'compactions' | 'reloads'): AlertDefinition {
  const failures = series(what === 'compactions' ? self.prometheus_tsdb_compactions_failed_total : self.prometheus_tsdb_reloads_failures_total);
  const What = what === 'compactions' ? 'Compactions' : 'Reloads';
  return defineAlert({
    name: `PrometheusTsdb${What}Failing`,
    family: 'PrometheusTsdb',
    severity: 'warning',
    // Prometheus-mixin: any failure in 3 h, for 4 h. Compactions run every 2 h; one retried
    // failure is not a trend.
    for: '4h',
    expr: gt(sum(increase(failures.range('3h')), SI), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')}: ${v.value} TSDB ${what} failed in 3 hours`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} counted ${v.value} failed TSDB ${what} over the last 3 hours, and has kept failing for 4 hours.`,
    dashboard: 'monitoringHealth',
    runbook: TSDB_RUNBOOK,
    scenarios: [
      {
        kind: 'fires',
        // A failing compaction is retried on the next minute's tick.
        name: 'every attempt fails, one a minute',
        series: [input(failures, P, counter(1))],
        activeAtMinutes: 1,
        labels: PROM,
        value: 180,
        // The 3 h window is full of samples from minute 181 (--alert-for fires earlier).
        valueExactFromMinutes: 181,
      },
      { kind: 'quiet', name: 'no failures', series: [input(failures, P, steady(0))], evalAtMinutes: 250 },
      {
        kind: 'quiet',
        name: 'a single failure, then healthy for 3 hours',
        series: [input(failures, P, segments({ minutes: 10, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 }))],
        evalAtMinutes: 260,
      },
    ],
  });
}

/** How long after a deletion by size the alert keeps firing: long enough to be seen next morning. */
const SIZE_RETENTION_WINDOW = '1d';

function retentionBySize(inputs: AlertInputs): AlertDefinition {
  const deletions = series(self.prometheus_tsdb_size_retentions_total);
  const { time, size } = inputs.config.retention;
  return defineAlert({
    name: 'PrometheusStorageRetentionBySize',
    family: 'PrometheusStorage',
    severity: 'warning',
    for: '1m',
    // increase() extrapolates to the window's edges; deletions are whole events.
    expr: gt(round(sum(increase(deletions.range(SIZE_RETENTION_WINDOW)), SI)), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')}: size retention reached, history shorter than ${time}`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} deleted blocks ${v.value} times in the last ${SIZE_RETENTION_WINDOW} because its data reached the size retention (${size}, observatory:retention.size) before the time retention (${time}). Dashboards and SLO windows that reach back further see less history than they say.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: `The Prometheus TSDB volume holds less than the configured ${time} of history: Prometheus reached its size retention (${size}) and deleted its oldest blocks early. Nothing breaks at once, but long SLO windows, 30-day dashboards and capacity trends are computed over less data than they claim.`,
      causes: [
        'More series or samples than the volume was sized for: new applications, higher label cardinality, a shorter scrape interval.',
        'A volume sized too small for the retention time.',
      ],
      checks: [
        'Which jobs grew: `topk(10, count by (job) ({__name__=~".+"}))` (expensive; run once), and `prometheus_tsdb_head_series` over the last weeks.',
        'Stored bytes: `prometheus_tsdb_storage_blocks_bytes` against the retention size.',
      ],
      fixes: [
        'Grow the volume and the size retention together (`observatory:storage.prometheus`, `observatory:retention.size`), then `pulumi up`.',
        'Drop series nobody uses (relabelling) or reduce label cardinality in the applications.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'blocks deleted by size after 30 minutes',
        series: [input(deletions, P, segments({ minutes: 30, from: 4, perMinute: 0 }, { minutes: 0, from: 5, perMinute: 0 }))],
        activeAtMinutes: 30,
        labels: PROM,
        value: 1,
      },
      { kind: 'quiet', name: 'no deletion by size', series: [input(deletions, P, steady(4))], evalAtMinutes: 40 },
    ],
  });
}

function noAlertmanager(): AlertDefinition {
  const discovered = series(self.prometheus_notifications_alertmanagers_discovered);
  return defineAlert({
    name: 'PrometheusNotConnectedToAlertmanager',
    family: 'PrometheusAlertmanagerDiscovery',
    severity: 'critical',
    for: '10m',
    expr: lt(maxOverTime(discovered.range('5m')), 1),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')} knows no Alertmanager`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} has discovered ${v.value} Alertmanagers for 10 minutes: no alert it fires reaches anyone. If you read this, another Prometheus or the dead man's switch told you.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Prometheus has no Alertmanager to send alerts to. Alerts still show in the Prometheus UI but notify no one; the Watchdog heartbeat stops too, so the dead man\'s switch pages.',
      causes: ['The alerting section of prometheus.yml points at a name that does not resolve, or service discovery of Alertmanager fails.', 'Alertmanager is down or was renamed.'],
      checks: ['Status > Runtime & Build Information in the Prometheus UI lists the Alertmanagers.', 'Check the Alertmanager pod or container and its service name.'],
      fixes: ['Restore Alertmanager or fix the alerting configuration, then `pulumi up`.'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'the Alertmanager disappears after 3 minutes',
        series: [input(discovered, P, segments({ minutes: 3, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 }))],
        // max_over_time looks 5 minutes back, left-open (Prometheus 3): the Alertmanager seen at
        // minute 2 counts until just before minute 7.
        activeAtMinutes: 7,
        labels: { ...P },
        value: 0,
      },
      { kind: 'quiet', name: 'one Alertmanager', series: [input(discovered, P, steady(1))] },
      {
        kind: 'quiet',
        name: 'rediscovered within 3 minutes',
        series: [input(discovered, P, segments({ minutes: 3, from: 1, perMinute: 0 }, { minutes: 3, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 }))],
        evalAtMinutes: 20,
      },
    ],
  });
}

function missedEvaluations(): AlertDefinition {
  const missed = series(self.prometheus_rule_group_iterations_missed_total);
  const ruleGroup = '/etc/prometheus/rules/observatory-slo.recording.yml;observatory-slo.recording';
  const labels = { ...P, rule_group: ruleGroup };
  return defineAlert({
    name: 'PrometheusMissedRuleEvaluations',
    family: 'PrometheusRuleEvaluation',
    severity: 'warning',
    for: '15m',
    expr: gt(sum(increase(missed.range('5m')), ['service', 'instance', 'rule_group']), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')}: ${v.value} evaluations of ${v.label('rule_group')} skipped in 5 minutes`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} skipped ${v.value} evaluations of rule group ${v.label('rule_group')} over the last 5 minutes, for 15 minutes, because the previous evaluation was still running. Its alerts fire late and its recordings have gaps.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'A rule group takes longer to evaluate than its interval, so Prometheus skips evaluations. Alerts of the group react late; recorded series have holes that show up as gaps and wrong rates downstream.',
      causes: ['Expensive rules over long ranges (the SLO windows) on more series than before.', 'Prometheus short of CPU, or queries from dashboards competing for it.'],
      checks: [
        '`prometheus_rule_group_last_duration_seconds` against `prometheus_rule_group_interval_seconds` for the group.',
        'Status > Rule health: the evaluation time of each rule; `npm run bench -- rules` measures them.',
      ],
      fixes: ['Give Prometheus more CPU; record expensive sub-expressions once (catalog/recorded.ts).', 'Raise observatory:evaluationInterval if the stack can live with slower alerts.'],
    },
    scenarios: [
      { kind: 'fires', name: 'one evaluation skipped every minute', series: [input(missed, labels, counter(1))], activeAtMinutes: 1, labels: { service: P.service, instance: P.instance, rule_group: ruleGroup }, value: 5, valueExactFromMinutes: 16 },
      { kind: 'quiet', name: 'no evaluation skipped', series: [input(missed, labels, steady(0))] },
      { kind: 'quiet', name: 'two skipped once, then none', series: [input(missed, labels, segments({ minutes: 3, from: 0, perMinute: 0 }, { minutes: 0, from: 2, perMinute: 0 }))], evalAtMinutes: 20 },
    ],
  });
}

export const prometheusServerAlerts: AlertConcern = {
  group: 'observatory-prometheus.alerts',
  alerts: (inputs) => [notIngesting(), tsdbFailing('compactions'), tsdbFailing('reloads'), retentionBySize(inputs), noAlertmanager(), missedEvaluations()],
};
