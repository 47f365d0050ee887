/**
 * The stack watching itself: scrape targets, rule evaluation, notification delivery, config
 * reloads, and the always-firing Watchdog that an external dead man's switch expects to hear from.
 */
import { eq, gt, increase, max, series, sum, vectorOf } from '../catalog/query';
import * as self from '../catalog/selfMonitoring';
import { SERVICE_LABELS } from '../generators/topology';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type InputSeries } from './types';

/** Routed by name to the dead man's switch (alerts/alertmanager.ts), never to people. */
export const WATCHDOG = 'Watchdog';

const P = TEST_TARGETS.prometheus;
const AM = TEST_TARGETS.alertmanager;
const APP = TEST_TARGETS.app;
const up = series(self.up);

function watchdog(): AlertDefinition {
  return defineAlert({
    name: WATCHDOG,
    family: WATCHDOG,
    severity: 'none',
    // A minute of grace after a restart; the dead man's switch tolerates far longer silences.
    for: '1m',
    expr: vectorOf(1),
    labels: { service: SERVICE_LABELS.prometheus },
    valueFormat: 'number',
    summary: () => 'Watchdog: the alerting pipeline is alive',
    description: (v) =>
      `This alert always fires (value ${v.value}). Alertmanager sends it to the dead man's switch, which raises the alarm when it stops arriving: Prometheus, Alertmanager or the path between them is down.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning:
        'The Watchdog firing is the normal state. It exists so that an external dead man\'s switch service (configured in receivers.deadMansSwitch) hears from Alertmanager every minute; that service pages when the heartbeat stops. You only read this runbook when the dead man\'s switch reports a missing heartbeat.',
      causes: [
        'Prometheus is down, or not evaluating rules (crash loop, full disk, OOM kill).',
        'Alertmanager is down, or Prometheus cannot reach it.',
        'Alertmanager cannot reach the dead man\'s switch URL (network egress, expired URL secret).',
      ],
      checks: [
        'Check that Prometheus and Alertmanager run: pod or container status and restarts.',
        'In Prometheus, open Status > Rule health and Alerts: is Watchdog firing?',
        'In Alertmanager, check the Watchdog alert and `alertmanager_notifications_failed_total{integration="webhook"}`.',
      ],
      fixes: [
        'Restart the failing component and fix what killed it (disk, memory limits).',
        'If the URL changed, update the secret: `pulumi config set --secret observatory:deadMansSwitchUrl ...` and `pulumi up`.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: 'always, with no input at all', series: [], activeAtMinutes: 0, labels: {}, value: 1 },
      { kind: 'quiet', name: 'not on the very first evaluation, before its `for` elapsed', series: [], evalAtMinutes: 0 },
    ],
  });
}

function targetDown(): AlertDefinition {
  const two = (first: (n: number) => string, second: (n: number) => string): InputSeries[] => [
    input(up, APP, first),
    input(up, { ...APP, instance: 'api-1:8080' }, second),
  ];
  const goesDown = segments({ minutes: 2, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 });
  return defineAlert({
    name: 'TargetDown',
    family: 'ScrapeTargets',
    severity: 'warning',
    for: '5m',
    expr: eq(up.select(), 0),
    valueFormat: 'number',
    summary: (v) => `${v.label('service')}: scrape target ${v.label('instance')} is down`,
    description: (v) =>
      `Prometheus has failed to scrape ${v.label('instance')} (job ${v.label('job')}, service ${v.label('service')}) for 5 minutes (up = ${v.value}). Its metrics are missing, so alerts that depend on them cannot fire.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'One target does not answer Prometheus\'s scrapes. For an application replica it is usually down or unhealthy; for an exporter, the alerts built on its metrics are blind until it is back.',
      causes: [
        'The process or pod crashed, is restarting, or is stuck (a liveness probe that does not catch it).',
        'The metrics port or path changed (prometheus.io/port or prometheus.io/path annotations, app metricsPath).',
        'A network policy or firewall blocks Prometheus, or the scrape times out because /metrics is too slow.',
      ],
      checks: [
        'Open Prometheus Status > Targets: the error column says why (connection refused, timeout, 404).',
        'Check the pod or container of that instance: status, restarts, logs.',
        'Fetch the metrics by hand from inside the network: `curl http://<instance>/metrics`.',
      ],
      fixes: [
        'Restart or fix the target; correct the port/path annotations or the app\'s metricsPath in the stack config.',
        'If /metrics is slow, reduce label cardinality in the application.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: 'one of two replicas stops answering after 2 minutes', series: two(steady(1), goesDown), activeAtMinutes: 2, labels: { ...APP, instance: 'api-1:8080' }, value: 0 },
      { kind: 'quiet', name: 'both replicas answer', series: two(steady(1), steady(1)) },
    ],
  });
}

function serviceDown(): AlertDefinition {
  const replicas = (a: number, b: number): InputSeries[] => [input(up, APP, steady(a)), input(up, { ...APP, instance: 'api-1:8080' }, steady(b))];
  return defineAlert({
    name: 'ServiceDown',
    family: 'ScrapeTargets',
    severity: 'critical',
    for: '2m',
    expr: eq(max(up.select(), ['service']), 0),
    valueFormat: 'number',
    summary: (v) => `${v.label('service')}: every scrape target is down`,
    description: (v) =>
      `Prometheus cannot scrape any target of service ${v.label('service')} (max of up = ${v.value}). The service is down or unreachable, and every alert on its metrics is blind.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'No instance of the service answers Prometheus. For an application this usually means users cannot reach it either; for an exporter, monitoring of PostgreSQL, Redis or the hosts is gone.',
      causes: [
        'A bad deployment: every replica crashes on start (CrashLoopBackOff) or fails its readiness probe.',
        'A shared dependency the process needs at start-up (config, secret, database) is missing.',
        'The service\'s network path from Prometheus is broken.',
      ],
      checks: [
        'Check the pods or containers of the service: status, restarts, the last lines of their logs.',
        'Check the latest deployment and config change (`pulumi stack history`).',
        'Open Prometheus Status > Targets for the scrape error.',
      ],
      fixes: ['Roll back the deployment or configuration change; restore the missing dependency.'],
    },
    scenarios: [
      { kind: 'fires', name: 'both replicas down', series: replicas(0, 0), activeAtMinutes: 0, labels: { service: APP.service }, value: 0 },
      { kind: 'quiet', name: 'one replica of two still answers', series: replicas(1, 0) },
    ],
  });
}

function ruleFailures(): AlertDefinition {
  const failures = series(self.prometheus_rule_evaluation_failures_total);
  const ruleGroup = '/etc/prometheus/rules/observatory-http.recording.yml;observatory-http.recording';
  const labels = { ...P, rule_group: ruleGroup };
  return defineAlert({
    name: 'PrometheusRuleEvaluationFailures',
    family: 'PrometheusRuleEvaluation',
    severity: 'critical',
    for: '5m',
    expr: gt(sum(increase(failures.range('5m')), ['service', 'instance', 'rule_group']), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')}: ${v.value} rule evaluation failures in ${v.label('rule_group')}`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} failed ${v.value} rule evaluations in the last 5 minutes in group ${v.label('rule_group')}, for 5 minutes now. Alerts and recordings of that group are not being computed.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Rules of a group keep failing to evaluate, so the alerts in it cannot fire and its recorded series have gaps. Every rule file was checked by promtool before deployment, so this is a runtime problem.',
      causes: [
        'A query hits a limit: too many samples (query.max-samples) or a timeout on a large range.',
        'Vector matching errors at runtime: "many-to-many matching not allowed" when a label set that was unique is duplicated (e.g. two exporters for the same service).',
        'Prometheus is overloaded or short of memory.',
      ],
      checks: [
        'Open Prometheus Status > Rule health: the failing rule shows its last error.',
        'Check the Prometheus log for "Evaluating rule failed" with the rule and error.',
        'Check `prometheus_rule_group_last_duration_seconds` against `prometheus_rule_group_interval_seconds` for overload.',
      ],
      fixes: [
        'Remove the duplicate series that break matching (scrape config, relabelling), or fix the rule in catalog/ and re-render.',
        'Give Prometheus more memory or CPU if it is overloaded.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: 'every evaluation of a group fails (4 a minute)', series: [input(failures, labels, counter(4))], activeAtMinutes: 1, labels: { service: P.service, instance: P.instance, rule_group: ruleGroup }, value: 20, valueExactFromMinutes: 5 },
      { kind: 'quiet', name: 'a single failure, then healthy', series: [input(failures, labels, segments({ minutes: 3, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 }))], evalAtMinutes: 10 },
    ],
  });
}

function notificationFailures(): AlertDefinition {
  const failed = series(self.alertmanager_notifications_failed_total);
  const labels = { ...AM, integration: 'slack' };
  return defineAlert({
    name: 'AlertmanagerNotificationsFailing',
    family: 'AlertmanagerNotifications',
    severity: 'critical',
    for: '5m',
    expr: gt(sum(increase(failed.range('5m')), ['service', 'instance', 'integration']), 0),
    valueFormat: 'number',
    summary: (v) => `Alertmanager ${v.label('instance')}: ${v.value} ${v.label('integration')} notifications failed`,
    description: (v) =>
      `Alertmanager at ${v.label('instance')} gave up on ${v.value} notifications to ${v.label('integration')} in the last 5 minutes, and has kept failing for 5 minutes. Alerts routed there are not reaching anyone.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Alertmanager cannot deliver notifications through one integration even after retrying. Alerts routed only there are lost; if this alert reaches you, another integration still works.',
      causes: [
        'The receiver secret is wrong or revoked: Slack webhook URL, PagerDuty routing key, SMTP password.',
        'No network egress from the cluster to the integration (proxy, firewall, DNS).',
        'The integration is having an outage or rate-limits us.',
      ],
      checks: [
        'Read the Alertmanager log: failed notifications are logged with the integration and the HTTP status or error.',
        'Compare `alertmanager_notifications_total` and `alertmanager_notifications_failed_total` per integration.',
        'Test the secret by hand, e.g. `curl -X POST -d \'{"text":"test"}\' <slack webhook URL>`.',
      ],
      fixes: [
        'Rotate the secret (`pulumi config set --secret observatory:slackWebhookUrl ...`, `pagerdutyRoutingKey`, `smtpPassword`) and `pulumi up`.',
        'Open egress to the integration\'s endpoint.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: 'two Slack notifications fail every minute', series: [input(failed, labels, counter(2))], activeAtMinutes: 1, labels: { service: AM.service, instance: AM.instance, integration: 'slack' }, value: 10, valueExactFromMinutes: 5 },
      { kind: 'quiet', name: 'no failures', series: [input(failed, labels, steady(0))] },
    ],
  });
}

function reloadFailed(component: 'Prometheus' | 'Alertmanager'): AlertDefinition {
  const metric = component === 'Prometheus' ? self.prometheus_config_last_reload_successful : self.alertmanager_config_last_reload_successful;
  const target = component === 'Prometheus' ? P : AM;
  const reload = series(metric);
  return defineAlert({
    name: `${component}ConfigReloadFailed`,
    family: `${component}ConfigReload`,
    severity: 'warning',
    for: '10m',
    expr: eq(reload.select(), 0),
    valueFormat: 'number',
    summary: (v) => `${component} ${v.label('instance')}: configuration reload failed`,
    description: (v) =>
      `The last configuration reload of ${component} at ${v.label('instance')} failed (${metric.name} = ${v.value}) 10 minutes ago or more. It keeps running the previous configuration; the change you deployed is not active.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: `${component} was asked to reload its configuration and rejected the new one. It keeps the last good configuration, so nothing breaks yet, but the deployed change is not in effect and the next restart may fail to start.`,
      causes: [
        'A configuration edited by hand in the cluster or volume instead of rendered by Observatory.',
        component === 'Prometheus' ? 'A rule file or scrape config that is not valid for the running Prometheus version.' : 'A receiver or route that is not valid for the running Alertmanager version.',
        'A file the configuration references (rules, secrets, templates) is missing in the container.',
      ],
      checks: [
        `Read the ${component} log: the reload error names the file and line.`,
        component === 'Prometheus' ? 'Run `promtool check config` on the deployed prometheus.yml.' : 'Run `amtool check-config` on the deployed alertmanager.yml.',
        'Compare the deployed file with generated/<stack>/ (`npm run render -- --check`).',
      ],
      fixes: ['Deploy the rendered configuration again with `pulumi up`; never edit it in place.', 'Fix the source in catalog/, alerts/ or the stack config, re-render and deploy.'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'a reload fails after 2 minutes',
        series: [input(reload, target, segments({ minutes: 2, from: 1, perMinute: 0 }, { minutes: 0, from: 0, perMinute: 0 }))],
        activeAtMinutes: 2,
        labels: { ...target },
        value: 0,
      },
      { kind: 'quiet', name: 'reloads succeed', series: [input(reload, target, steady(1))] },
    ],
  });
}

export const selfMonitoringAlerts: AlertConcern = {
  group: 'observatory-self.alerts',
  alerts: () => [watchdog(), targetDown(), serviceDown(), ruleFailures(), notificationFailures(), reloadFailed('Prometheus'), reloadFailed('Alertmanager')],
};
