/**
 * Alert generation without external tools: overrides, links, labels, runbooks, routing, secrets
 * and the division guard. test/tools/alerting.test.ts runs promtool and amtool on the results.
 */
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ALERTMANAGER_CONFIG_PATH, buildAlertmanagerConfig, type AlertmanagerConfig } from '../alerts/alertmanager';
import { humanize, humanizeDuration, humanizePercentage, goG } from '../alerts/humanize';
import { FAMILY_LABEL, resolveAlerts } from '../alerts/index';
import { renderRuleGroup, type PromRuleGroup } from '../alerts/ruleFiles';
import { RUNBOOK_INDEX, runbookPath } from '../alerts/runbooks';
import { getCatalog } from '../catalog';
import { checkGuardedDivision, unguardedDivisions } from '../catalog/checkDivision';
import { DASHBOARD_UIDS } from '../dashboards/uids';
import type { Artifact, RenderContext, RenderOptions } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import type { StackConfig } from '../stacks/config/schema';
import { SECRET_KEYS, secretPlaceholder } from '../stacks/config/secrets';
import { baseRaw, config, errorOf } from './helpers';

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

function ctxOf(c: StackConfig, options: RenderOptions = {}): RenderContext {
  return { config: c, catalog: getCatalog(), options };
}

function alertRules(artifacts: readonly Artifact[]) {
  return artifacts
    .filter((a) => a.path.startsWith('prometheus/rules/'))
    .flatMap((a) => (yaml.load(a.content) as RuleFile).groups.flatMap((g) => g.rules))
    .filter((r) => r.alert !== undefined);
}

function amConfig(artifacts: readonly Artifact[]): AlertmanagerConfig {
  return yaml.load(artifacts.find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content) as AlertmanagerConfig;
}

describe('alert rules', () => {
  const artifacts = renderStack(config());
  const rules = alertRules(artifacts);

  it('covers every signal the issue asks for', () => {
    const names = rules.map((r) => r.alert);
    for (const n of [
      'HttpLatencyP95High', 'HttpLatencyP95Elevated', 'HttpLatencyP99Elevated', 'HttpErrorRateHigh', 'HttpErrorRateElevated',
      'PostgresConnectionsHigh', 'DatabaseQueriesSlow', 'DatabaseQueriesVerySlow', 'PostgresDeadlocks', 'PostgresDown',
      'RedisMemoryHigh', 'RedisKeyspaceHitRateLow', 'CacheHitRateLow', 'RedisEvictions', 'RedisDown',
      'HostCpuHigh', 'HostMemoryHigh', 'TargetDown', 'SloAvailabilityBurn1h', 'SloAvailabilityBurn3d', 'SloLatencyBurn6h',
      'Watchdog', 'PrometheusRuleEvaluationFailures', 'AlertmanagerNotificationsFailing', 'PrometheusConfigReloadFailed',
      'HostDiskFillingUp', 'HostDiskFillingUpFast', 'HostDiskSpaceLow', 'HostDiskSpaceVeryLow', 'HostInodesFillingUp', 'HostInodesFillingUpFast',
      'HostInodesLow', 'HostInodesVeryLow', 'HostFilesystemReadOnly',
      'PostgresConnectionsExhausted', 'PostgresTooManyRollbacks', 'PostgresCacheHitRatioLow', 'PostgresExporterScrapeError',
      'HostNetworkReceiveErrors', 'HostNetworkTransmitErrors', 'HostClockSkew', 'HostClockNotSynchronising',
      'PrometheusNotIngestingSamples', 'PrometheusTsdbCompactionsFailing', 'PrometheusTsdbReloadsFailing', 'PrometheusStorageRetentionBySize',
      'PrometheusNotConnectedToAlertmanager', 'PrometheusMissedRuleEvaluations',
      'RedisSystemMemoryHigh', 'RedisClientsHigh', 'RedisRejectingConnections', 'RedisExporterScrapeError',
    ]) expect(names).toContain(n);
    expect(new Set(names).size).toBe(names.length);
  });

  it('every alert has severity, family, for, summary, description, runbook and dashboard links, and a service', () => {
    const c = config();
    for (const r of rules) {
      expect(r.labels?.severity, r.alert).toMatch(/^(critical|warning|info|none)$/);
      expect(r.labels?.[FAMILY_LABEL], r.alert).toBeTruthy();
      expect(r.for, r.alert).toMatch(/^[0-9]+[smhd]$/);
      expect(Object.keys(r.annotations ?? {}).sort(), r.alert).toEqual(['dashboard_url', 'description', 'runbook_url', 'summary']);
      expect(r.annotations!.runbook_url).toBe(`${c.alerts.runbookBaseUrl}/${r.alert}.md`);
      const [base, query] = r.annotations!.dashboard_url.split('?');
      expect(Object.values(DASHBOARD_UIDS).map((uid) => `${c.grafana.rootUrl}/d/${uid}`)).toContain(base);
      const [org, ...vars] = query.split('&');
      expect(org, r.alert).toBe('orgId=1');
      for (const v of vars) expect(v, r.alert).toMatch(/^var-[a-z_]+=\{\{ \$labels\.[a-z_]+ \| urlquery \}\}$/);
    }
    // Descriptions show the humanized value through Prometheus's template functions.
    expect(rules.filter((r) => !/\{\{ \$value \| humanize(Duration|Percentage)? \}\}/.test(r.annotations!.description))).toEqual([]);
  });

  it('expressions that aggregate keep `service`, others add it as a rule label', () => {
    for (const a of resolveAlerts(ctxOf(config()))) {
      const carries = (a.def.expr.labels as readonly string[]).includes('service') || a.labels.service !== undefined;
      expect(carries, a.def.name).toBe(true);
    }
    const host = rules.find((r) => r.alert === 'HostCpuHigh')!;
    expect(host.labels?.service).toBe('node');
  });

  it('thresholds and severities come from the stack config', () => {
    const c = config({ alerts: { thresholds: { latencyP95Critical: 0.75, errorRatioWarning: 0.02, redisMemoryUsage: 0.8, minRequestRate: 2 }, severities: { HostCpuHigh: 'info', PostgresDeadlocks: 'critical' } } });
    const r = alertRules(renderStack(c));
    const by = (n: string) => r.find((x) => x.alert === n)!;
    // Latency and 5xx alerts only for services with at least minRequestRate requests/s.
    const busy = 'and on (service) service:http_requests:rate5m >= 2';
    expect(by('HttpLatencyP95High').expr).toBe(`service:http_request_duration_seconds:histogram_quantile_rate5m{quantile="0.95"} > 0.75 ${busy}`);
    expect(by('HttpLatencyP95High').annotations!.description).toContain('750ms');
    expect(by('HttpLatencyP95High').annotations!.description).toContain('at more than 2 requests/s');
    expect(by('HttpErrorRateElevated').expr).toBe(`service:http_request_errors:ratio_rate5m > 0.02 ${busy}`);
    expect(by('RedisMemoryHigh').annotations!.description).toContain('above 80%');
    expect(by('HostCpuHigh').labels?.severity).toBe('info');
    expect(by('PostgresDeadlocks').labels?.severity).toBe('critical');
    expect(by('HttpLatencyP95Elevated').expr).toContain('> 0.2 ');
  });

  it('rejects severity overrides for unknown alerts and for the Watchdog', () => {
    expect(errorOf(() => renderStack(config({ alerts: { severities: { HighLatency: 'warning' } } }))).message).toMatch(
      /^stack prod: observatory:alerts\.severities\.HighLatency: no alert is named HighLatency \(alerts: AlertmanagerConfigReloadFailed, /,
    );
    expect(errorOf(() => renderStack(config({ alerts: { severities: { Watchdog: 'critical' } } }))).message).toBe(
      "stack prod: observatory:alerts.severities.Watchdog: the Watchdog is routed by name to the dead man's switch; its severity cannot be changed",
    );
  });

  it('rejects thresholds and SLOs an alert could never cross', () => {
    expect(errorOf(() => renderStack(config({ alerts: { thresholds: { latencyP95Critical: 10, latencyP95Warning: 0.2, latencyP99Warning: 10 } } }))).message).toBe(
      'stack prod: observatory:alerts.thresholds.latencyP95Critical: (10) must lie within the http_request_duration_seconds buckets [0.005, 10); a quantile cannot be compared with a bound outside them',
    );
    expect(errorOf(() => renderStack(config({ alerts: { thresholds: { dbPoolUsage: 1 } } }))).message).toBe(
      'stack prod: observatory:alerts.thresholds.dbPoolUsage: (1) must be below 1: connections cannot exceed max_connections',
    );
    expect(errorOf(() => renderStack(config({ slo: { availabilityObjective: 0.9 } }))).message).toBe(
      'stack prod: observatory:slo.availabilityObjective: (0.9) leaves an error budget of 10%; the 14.4x burn-rate alert would need more than 100% of requests to fail. Use an objective above 0.9306',
    );
  });

  it('one target-absence alert per configured app and exporter job, on the job the scrape config writes', () => {
    const absence = (c: StackConfig) => alertRules(renderStack(c)).filter((r) => r.expr.startsWith('absent('));
    const app2 = { name: 'checkout', image: 'registry.example.com/checkout:2.0.0', port: 8080 };
    const k8s = absence(config({ apps: [(baseRaw().apps as object[])[0], app2], exporters: { postgres: { enabled: false } } }));
    expect(k8s.map((r) => [r.alert, r.expr, r.labels?.severity])).toEqual([
      ['ApiTargetsMissing', 'absent(up{job="apps",service="api"})', 'critical'],
      ['CheckoutTargetsMissing', 'absent(up{job="apps",service="checkout"})', 'critical'],
      ['AlertmanagerTargetsMissing', 'absent(up{job="alertmanager",service="alertmanager"})', 'critical'],
      ['RedisExporterTargetsMissing', 'absent(up{job="redis-exporter",service="redis"})', 'critical'],
      ['NodeExporterTargetsMissing', 'absent(up{job="node-exporter",service="node"})', 'critical'],
      ['BlackboxExporterTargetsMissing', 'absent(up{job="blackbox-exporter",service="blackbox"})', 'critical'],
    ]);
    const docker = absence(config({ target: 'docker' }));
    expect(docker.find((r) => r.alert === 'ApiTargetsMissing')!.expr).toBe('absent(up{job="app-api",service="api"})');
    // An app named like an exporter job is refused by the config checks before any alert exists.
    expect(errorOf(() => renderStack(config({ apps: [{ ...app2, name: 'redis-exporter' }] }))).message).toBe(
      'stack prod: observatory:apps[0].name: "redis-exporter" is the name of a monitoring service; pick another name',
    );
    expect(errorOf(() => renderStack(config({ apps: [{ ...app2, name: 'shop-api' }, { ...app2, name: 'shop--api' }] }))).message).toBe(
      'stack prod: observatory:apps[1].name: "shop--api" needs the alert name ShopApiTargetsMissing, which app "shop-api" already uses; rename the app',
    );
  });

  it('NodeExporterTargetsMissing on kubernetes: the runbook leads with the host-port clash on the configured port, and the job keeps only it', () => {
    const moved = config({ exporters: { node: { port: 9110 } } });
    const artifacts = renderStack(moved);
    const page = artifacts.find((a) => a.path === runbookPath('NodeExporterTargetsMissing'))!.content;
    expect(page).toContain('Port 9110 is taken on the nodes\' host network by another node_exporter');
    expect(page).toContain('grep -w 9110');
    expect(page).toContain('`observatory:exporters.node.port`');
    // node_exporter runs in its own namespace, <namespace>-node-exporter by default.
    expect(page).toContain('`kubectl -n observatory-node-exporter get pods -l app.kubernetes.io/name=node-exporter -o wide`');
    expect(page).toContain('namespace observatory-node-exporter must enforce `privileged`');
    const promYml = artifacts.find((a) => a.path === 'prometheus/prometheus.yml')!.content;
    expect(promYml).toContain('regex: "9110"');
    // docker runs one node_exporter on the stack network: no host port to clash on
    const dockerPage = renderStack(config({ target: 'docker' }, 'dev')).find((a) => a.path === runbookPath('NodeExporterTargetsMissing'))!.content;
    expect(dockerPage).not.toContain('host network');
  });

  it('SLO alerts pair a long and a short window per BURN_RATE_WINDOWS row, against the budget', () => {
    const page = rules.find((r) => r.alert === 'SloAvailabilityBurn1h')!;
    expect(page.expr).toBe('service:slo_availability_errors:ratio_rate1h / 0.005 > 14.4 and service:slo_availability_errors:ratio_rate5m / 0.005 > 14.4');
    expect(page.labels).toEqual({ family: 'SloAvailabilityBurn', severity: 'critical' });
    const ticket = rules.find((r) => r.alert === 'SloLatencyBurn3d')!;
    expect(ticket.expr).toContain('service:slo_latency_errors:ratio_rate3d / 0.01 > 1 and ');
    expect(ticket.expr).toContain('service:slo_latency_errors:ratio_rate6h');
    expect(ticket.for).toBe('3h');
    expect(ticket.labels?.severity).toBe('warning');
  });

  it('alertForOverride replaces the `for` of every alert and nothing else', () => {
    const c = config();
    const normal = renderStack(c);
    const short = renderStack(c, { alertForOverride: '30s' });
    const shortRules = alertRules(short);
    expect(shortRules.length).toBe(rules.length);
    expect(shortRules.filter((r) => r.for !== '30s')).toEqual([]);
    expect(new Set(rules.map((r) => r.for)).size).toBeGreaterThan(3);
    // Same rules otherwise, and recording rules untouched.
    expect(shortRules.map((r) => ({ ...r, for: undefined }))).toEqual(rules.map((r) => ({ ...r, for: undefined })));
    const changed = short.filter((a, i) => a.content !== normal[i].content).map((a) => a.path);
    expect(changed.every((p) => /^prometheus\/rules\/.*\.alerts\.yml$|^runbooks\//.test(p)), changed.join(', ')).toBe(true);
  });
});

describe('division guard', () => {
  it.each([
    ['a / b', ['b']],
    ['(a) / ((b) > (0))', []],
    ['a / (b >= 0)', ['(b >= 0)']],
    ['a / (b > bool 0)', ['(b > bool 0)']],
    ['a / clamp_min(b, 1)', []],
    ['a / clamp_min(b, 0)', ['clamp_min(b, 0)']],
    ['a / 0.005', []],
    ['a / 0', ['0']],
    ['a / on(x) (b >= 1)', []],
    ['a / (0 < b)', ['(0 < b)']],
    ['sum(rate(x[$__rate_interval])) / sum(rate(y[$__rate_interval]))', ['sum(rate(y[5m]))']],
  ])('%s', (expr, divisors) => {
    expect(unguardedDivisions(expr).map((d) => d.divisor)).toEqual(divisors);
  });

  it('holds for every rendered rule of every stack shape', () => {
    for (const c of [config(), config({ target: 'docker', receivers: {} })]) {
      for (const a of renderStack(c).filter((x) => x.path.startsWith('prometheus/rules/'))) {
        for (const g of (yaml.load(a.content) as RuleFile).groups) for (const r of g.rules) expect(unguardedDivisions(r.expr), r.alert ?? r.record).toEqual([]);
      }
    }
  });

  it('is enforced when rule files are rendered', () => {
    const bad: PromRuleGroup = { name: 'bad', rules: [{ alert: 'Bad', expr: 'sum(redis_memory_used_bytes) / sum(redis_memory_max_bytes) > 0.9' }] };
    expect(errorOf(() => renderRuleGroup(ctxOf(config()), bad)).message).toBe(
      'rule group bad, alert Bad: divides by sum(redis_memory_max_bytes), which can be zero; use ratio() (divisor > 0), clamp_min(x, c > 0) or a non-zero constant, in: sum(redis_memory_used_bytes) / sum(redis_memory_max_bytes) > 0.9',
    );
    expect(() => checkGuardedDivision('x / (y > 0)', 'here')).not.toThrow();
  });
});

describe('humanize (Go template functions)', () => {
  it.each([
    [0.5, '0.5'], [737.5, '737.5'], [1234567, '1.235e+06'], [0.00001234, '1.234e-05'], [100, '100'], [0.15625, '0.1562'], [0.15635, '0.1563'], [0.15645, '0.1565'], [9999.5, '1e+04'],
  ])('goG(%s) is %s', (v, s) => expect(goG(v)).toBe(s));
  it('humanize, humanizeDuration, humanizePercentage', () => {
    expect([humanize(0), humanize(1234), humanize(0.0125), humanize(21.6), humanize(2e9)]).toEqual(['0', '1.234k', '12.5m', '21.6', '2G']);
    expect([humanizeDuration(0.7375), humanizeDuration(3.5), humanizeDuration(90), humanizeDuration(180000), humanizeDuration(0)]).toEqual(['737.5ms', '3.5s', '1m 30s', '2d 2h 0m 0s', '0s']);
    expect([humanizePercentage(0.1), humanizePercentage(0.0512), humanizePercentage(0.945)]).toEqual(['10%', '5.12%', '94.5%']);
  });
});

describe('runbooks', () => {
  const c = config({ alerts: { runbookBaseUrl: 'https://runbooks.corp.internal/prod/' } });
  const artifacts = renderStack(c);
  const alerts = resolveAlerts(ctxOf(c));

  it('one page per alert, linked from the rule, plus an index', () => {
    for (const a of alerts) {
      const page = artifacts.find((x) => x.path === runbookPath(a.def.name));
      expect(page, a.def.name).toBeDefined();
      expect(a.runbookUrl).toBe(`https://runbooks.corp.internal/prod/${a.def.name}.md`);
      for (const heading of ['## What it means', '## Likely causes', '## First checks', '## How to fix']) expect(page!.content).toContain(heading);
      expect(page!.content).toContain(a.def.expr.toString());
      expect(page!.content).toContain(`| Severity | \`${a.severity}\` |`);
    }
    const index = artifacts.find((x) => x.path === RUNBOOK_INDEX)!.content;
    expect(index.split('\n').filter((l) => l.startsWith('| ['))).toHaveLength(alerts.length);
    expect(artifacts.filter((x) => x.path.startsWith('runbooks/'))).toHaveLength(alerts.length + 1);
  });

  it('pages show the stack\'s thresholds and severity overrides', () => {
    const custom = renderStack(config({ alerts: { thresholds: { hostCpuUsage: 0.95 }, severities: { HostCpuHigh: 'critical' } } }));
    const page = custom.find((x) => x.path === runbookPath('HostCpuHigh'))!.content;
    expect(page).toContain('above 95%');
    expect(page).toContain('| Severity | `critical` |');
  });

  it('runbookBaseUrl defaults to the committed runbooks (outside prod) and must be http(s)', () => {
    expect(config({ alerts: { runbookBaseUrl: undefined } }, 'staging').alerts.runbookBaseUrl).toBe('https://github.com/observatory-demo/observatory/blob/main/generated/staging/runbooks');
    expect(errorOf(() => config({ alerts: { runbookBaseUrl: 'ftp://x/y' } })).message).toBe('stack prod: observatory:alerts.runbookBaseUrl: must be an http(s) URL');
  });
});

describe('alertmanager.yml', () => {
  const full = config({
    receivers: {
      slack: { channel: '#alerts' },
      pagerduty: { enabled: true },
      email: { to: 'sre@corp.internal', from: 'am@corp.internal', smarthost: 'smtp.corp.internal:587', username: 'am' },
      deadMansSwitch: { enabled: true },
    },
  });

  it('routes by severity, groups by alertname and service, and sends the Watchdog to the dead man\'s switch', () => {
    const am = buildAlertmanagerConfig(ctxOf(full));
    expect(am.route.group_by).toEqual(['alertname', 'service']);
    expect(am.route.routes!.map((r) => [r.matchers, r.receiver])).toEqual([
      [['alertname="Watchdog"'], 'deadmansswitch'],
      [['severity="critical"'], 'critical'],
      [['severity="warning"'], 'warning'],
      [['severity="info"'], 'info'],
    ]);
    expect(am.route.routes![0].repeat_interval).toBe('1m');
    const critical = am.receivers.find((r) => r.name === 'critical')!;
    expect([critical.pagerduty_configs?.length, critical.slack_configs?.length]).toEqual([1, 1]);
    expect(am.receivers.find((r) => r.name === 'warning')!.slack_configs![0].channel).toBe('#alerts');
    expect(am.receivers.find((r) => r.name === 'info')!.email_configs![0].to).toBe('sre@corp.internal');
    expect(am.route.receiver).toBe('warning');
    expect(am.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['family', 'service'] },
      { source_matchers: ['severity="critical"', 'family=~"HttpErrorRate|SloAvailabilityBurn"'], target_matchers: ['severity="warning"', 'family=~"HttpErrorRate|SloAvailabilityBurn"'], equal: ['service'] },
      { source_matchers: ['severity="critical"', 'family="HttpErrorRate"'], target_matchers: ['severity="critical"', 'family="SloAvailabilityBurn"'], equal: ['service'] },
      { source_matchers: ['severity="critical"', 'family=~"HttpLatencyP95|HttpLatencyP99|SloLatencyBurn"'], target_matchers: ['severity="warning"', 'family=~"HttpLatencyP95|HttpLatencyP99|SloLatencyBurn"'], equal: ['service'] },
      { source_matchers: ['severity="critical"', 'family=~"HttpLatencyP95|HttpLatencyP99"'], target_matchers: ['severity="critical"', 'family="SloLatencyBurn"'], equal: ['service'] },
    ]);
  });

  it('sends what no severity route takes to a people\'s receiver: the least urgent one configured', () => {
    const root = (receivers: Record<string, unknown>) => buildAlertmanagerConfig(ctxOf(config({ receivers }))).route.receiver;
    expect(root({})).toBe('blackhole');
    expect(root({ pagerduty: { enabled: true } })).toBe('critical');
    expect(root({ email: { to: 'sre@corp.internal', from: 'am@corp.internal', smarthost: 'smtp.corp.internal:587', username: 'am' } })).toBe('info');
    expect(root({ slack: { channel: '#ops' }, pagerduty: { enabled: true } })).toBe('warning');
  });

  it('links each alert\'s dashboard with the variables of its own target', () => {
    const rules = alertRules(renderStack(config()));
    const link = (name: string) => rules.find((r) => r.alert === name)!.annotations!.dashboard_url.split('?')[1];
    expect(link('TargetDown')).toBe('orgId=1&var-job={{ $labels.job | urlquery }}&var-instance={{ $labels.instance | urlquery }}');
    expect(link('HttpErrorRateHigh')).toBe('orgId=1&var-service={{ $labels.service | urlquery }}');
    expect(link('PostgresDeadlocks')).toBe('orgId=1&var-pg_instance={{ $labels.instance | urlquery }}&var-database={{ $labels.datname | urlquery }}');
    expect(link('RedisDown')).toBe('orgId=1&var-redis_instance={{ $labels.instance | urlquery }}');
    // node-exporter is not one of the services the overview lists: no variable rather than an empty dashboard.
    expect(link('HostDiskFillingUp')).toBe('orgId=1');
  });

  it('configures only the receivers the stack enables', () => {
    const none = buildAlertmanagerConfig(ctxOf(config({ receivers: {} })));
    expect(none.receivers).toEqual([{ name: 'blackhole' }]);
    expect(none.route.routes).toEqual([{ receiver: 'blackhole', matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' }]);
    expect(none.global).toEqual({ resolve_timeout: '5m' });
    const slackOnly = buildAlertmanagerConfig(ctxOf(config({ receivers: { slack: { channel: '#ops' } } })));
    expect(slackOnly.receivers.map((r) => r.name)).toEqual(['blackhole', 'critical', 'warning']);
    expect(slackOnly.receivers.find((r) => r.name === 'critical')!.pagerduty_configs).toBeUndefined();
    expect(slackOnly.route.routes!.map((r) => r.receiver)).toEqual(['blackhole', 'critical', 'warning']);
  });

  it('holds secret placeholders unless the secrets are given, and nothing else differs', () => {
    const secrets = { slackWebhookUrl: 'https://hooks.slack.com/services/T1/B1/abc', pagerdutyRoutingKey: 'pd-key-123', smtpPassword: 's3cret', deadMansSwitchUrl: 'https://hc-ping.com/uuid' };
    const placeholders = renderStack(full).find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content;
    const real = renderStack(full, { secrets }).find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content;
    for (const [key, value] of Object.entries(secrets)) {
      expect(placeholders).toContain(secretPlaceholder(key as keyof typeof secrets));
      expect(placeholders).not.toContain(value);
      expect(real).toContain(value);
    }
    let back = real;
    for (const [key, value] of Object.entries(secrets)) back = back.split(value).join(secretPlaceholder(key as keyof typeof secrets));
    expect(back).toBe(placeholders);
    expect(SECRET_KEYS).toContain('deadMansSwitchUrl');
    expect(amConfig(renderStack(full)).global.slack_api_url).toBe('${secret:slackWebhookUrl}');
  });
});
