/**
 * The alerting artifacts of EVERY stack, checked with the real tools at the pinned versions
 * (promtool and amtool from toolchain/build.ts; a missing tool fails the test):
 *   promtool check rules   every rules file in generated/<stack>/prometheus/rules/
 *   promtool check config  generated/<stack>/prometheus/prometheus.yml (see checkableCopy)
 *   promtool test rules    unit tests generated from the alert definitions (alerts/unitTests.ts)
 *   amtool check-config    generated/<stack>/alertmanager/alertmanager.yml as deployed
 * plus the same for a stack with every override set, the humanize emulation against Prometheus's
 * own template functions, and the notification templates through `amtool template render`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ALERTMANAGER_CONFIG_PATH, NOTIFICATION_TEMPLATES, buildAlertmanagerConfig } from '../../alerts/alertmanager';
import { humanize, humanizeDuration, humanizePercentage } from '../../alerts/humanize';
import { resolveAlerts } from '../../alerts/index';
import { RULES_DIR } from '../../alerts/ruleFiles';
import { buildAlertTestFiles, expectedAnnotations, type PromtoolTestFile } from '../../alerts/unitTests';
import { getCatalog } from '../../catalog';
import { compareWithDisk, listFiles } from '../../render/renderFiles';
import { writeStacks } from '../../render/stagedWrite';
import type { Artifact, RenderContext, RenderOptions } from '../../generators/artifact';
import { renderStack } from '../../render/renderStack';
import { listStacks, loadStackConfigFile } from '../../stacks/config/fromYaml';
import type { StackConfig } from '../../stacks/config/schema';
import { secretPlaceholder, type SecretKey } from '../../stacks/config/secrets';
import { config, REPO, tempDir } from '../helpers';
import { requireTool, runTool } from '../tools';

/** promtool runs every alert's scenarios over up to a few simulated hours: allow for slow CI machines (staging took 225 s on a 2-core machine under heavy load). */
const PROMTOOL_TEST_TIMEOUT = 480_000;

/** Syntactically real secret values: amtool parses URLs, so placeholders alone cannot be checked. */
const TEST_SECRETS: Partial<Record<SecretKey, string>> = {
  slackWebhookUrl: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  pagerdutyRoutingKey: 'R0000000000000000000000000000000',
  smtpPassword: 'smtp-test-password',
  deadMansSwitchUrl: 'https://hc-ping.com/00000000-0000-0000-0000-000000000000',
};

function ctxOf(c: StackConfig, options: RenderOptions = {}): RenderContext {
  return { config: c, catalog: getCatalog(), options };
}

function ruleFilesIn(dir: string): string[] {
  return listFiles(path.join(dir, RULES_DIR)).map((f) => path.join(dir, RULES_DIR, f));
}

/**
 * prometheus.yml exactly as rendered (kubernetes_sd_configs included: the pinned build has
 * Kubernetes discovery), with rule_files pointed at the rendered rules so check config checks
 * them too.
 */
function checkableCopy(stackDir: string, work: string): string {
  const cfg = yaml.load(fs.readFileSync(path.join(stackDir, 'prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[] };
  cfg.rule_files = [path.join(stackDir, RULES_DIR, '*.yml')];
  const file = path.join(work, 'prometheus.yml');
  fs.writeFileSync(file, yaml.dump(cfg));
  return file;
}

/** Writes the unit tests for ctx into work/ and runs them against the rules in stackDir. */
function runAlertUnitTests(ctx: RenderContext, stackDir: string, work: string, onlyGroup?: string): { code: number; output: string; files: PromtoolTestFile[] } {
  const files = buildAlertTestFiles(ctx, (group) => path.join(stackDir, RULES_DIR, `${group}.yml`)).filter((f) => onlyGroup === undefined || f.name === `${onlyGroup}.test.yml`);
  const paths = files.map((f) => {
    const p = path.join(work, f.name);
    fs.writeFileSync(p, f.content);
    return p;
  });
  return { ...runTool('promtool', ['test', 'rules', ...paths]), files: files.map((f) => yaml.load(f.content) as PromtoolTestFile) };
}

/** Alert names in the rendered rule files. */
function alertNamesIn(stackDir: string): string[] {
  return ruleFilesIn(stackDir).flatMap((f) =>
    (yaml.load(fs.readFileSync(f, 'utf8')) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))),
  );
}

function expectEveryAlertTested(alertNames: readonly string[], files: readonly PromtoolTestFile[]): void {
  const checks = files.flatMap((f) => f.tests.flatMap((t) => t.alert_rule_test));
  for (const name of alertNames) {
    const mine = checks.filter((c) => c.alertname === name);
    expect(mine.some((c) => c.exp_alerts.length > 0 && Object.keys(c.exp_alerts[0].exp_annotations).length === 4), `${name} has a firing test with annotations`).toBe(true);
    expect(mine.some((c) => c.exp_alerts.length === 0), `${name} has a test where it must not fire`).toBe(true);
  }
}

function amtoolCheck(content: string, work: string): { code: number; output: string } {
  const file = path.join(work, 'alertmanager.yml');
  fs.writeFileSync(file, content);
  return runTool('amtool', ['check-config', file]);
}

describe.each(listStacks(REPO))('stack %s: generated files pass the real tools', (stack) => {
  const stackDir = path.join(REPO, 'generated', stack);
  const cfg = loadStackConfigFile(REPO, stack);
  const ctx = ctxOf(cfg);

  it('generated/ matches the sources (so the tools check what is shipped)', () => {
    expect(compareWithDisk(stackDir, renderStack(cfg))).toEqual([]);
  });

  it('promtool check rules accepts every rules file', () => {
    requireTool('promtool');
    const files = ruleFilesIn(stackDir);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const r = runTool('promtool', ['check', 'rules', ...files]);
    expect(r.output).not.toContain('FAILED');
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
  });

  it('promtool check config accepts prometheus.yml and the rule files it loads', () => {
    const work = tempDir(`promcfg-${stack}`);
    const r = runTool('promtool', ['check', 'config', checkableCopy(stackDir, work)]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${ruleFilesIn(stackDir).length} rule files found`);
  });

  it('promtool test rules: every alert fires on its inputs (labels, annotations, `for`) and stays quiet on others', () => {
    const work = tempDir(`promtest-${stack}`);
    const r = runAlertUnitTests(ctx, stackDir, work);
    expect(r.output).not.toContain('FAILED');
    expect(r.code, r.output).toBe(0);
    expectEveryAlertTested(alertNamesIn(stackDir), r.files);
  }, PROMTOOL_TEST_TIMEOUT);

  it('amtool check-config accepts alertmanager.yml as deployed, which differs from generated/ only in secrets', () => {
    const work = tempDir(`amcfg-${stack}`);
    const deployed = renderStack(cfg, { secrets: TEST_SECRETS }).find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content;
    let asGenerated = deployed;
    for (const [key, value] of Object.entries(TEST_SECRETS)) asGenerated = asGenerated.split(value).join(secretPlaceholder(key as SecretKey));
    expect(asGenerated).toBe(fs.readFileSync(path.join(stackDir, ALERTMANAGER_CONFIG_PATH), 'utf8'));
    const r = amtoolCheck(deployed, work);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
    expect(r.output).toContain(`${buildAlertmanagerConfig(ctx).receivers.length} receivers`);
  });
});

describe('a stack with every override set passes the real tools too', () => {
  const raw = {
    target: 'docker',
    alerts: {
      thresholds: { latencyP95Critical: 0.75, latencyP95Warning: 0.3, latencyP99Warning: 2, errorRatioCritical: 0.1, errorRatioWarning: 0.02, dbPoolUsage: 0.7, dbQueryMeanWarning: 0.25, dbQueryMeanCritical: 1, redisMemoryUsage: 0.85, cacheHitRatioMin: 0.5, hostCpuUsage: 0.9, hostMemoryUsage: 0.95, minRequestRate: 20,
        diskFreeFillingWarning: 0.5, diskFreeFillingCritical: 0.25, diskFillHoursWarning: 48, diskFillHoursCritical: 6, diskFreeWarning: 0.1, diskFreeCritical: 0.04,
        dbRollbackRatio: 0.2, dbMinTransactionRate: 5, dbDeadlocksPerMinute: 2, dbCacheHitRatioMin: 0.95, dbMinBlockRate: 500, dbMinQueryRate: 1,
        cacheMinLookupRate: 50, redisClientsUsage: 0.8, redisSystemMemoryUsage: 0.75,
        hostNetworkErrorRatio: 0.05, hostClockOffsetSeconds: 0.2 },
      severities: { HostCpuHigh: 'info', TargetDown: 'critical' },
      runbookBaseUrl: 'https://wiki.corp.internal/runbooks',
    },
    slo: { availabilityObjective: 0.999, latencyObjective: 0.95, latencyThresholdSeconds: 0.3 },
    receivers: {
      slack: { channel: '#ops' },
      pagerduty: { enabled: true },
      email: { to: 'sre@corp.internal', from: 'am@corp.internal', smarthost: 'smtp.corp.internal:587', username: 'am' },
      deadMansSwitch: { enabled: true },
    },
  };
  const overridden = config(raw);

  async function renderTo(options: RenderOptions): Promise<{ dir: string; artifacts: Artifact[] }> {
    const out = tempDir('override');
    const artifacts = renderStack(overridden, options);
    await writeStacks(out, [{ stack: 'stack', artifacts }]);
    return { dir: path.join(out, 'stack'), artifacts };
  }

  it.each([
    ['real `for` durations', {}],
    ['--alert-for 30s (what the live test renders)', { alertForOverride: '30s' }],
  ])('%s: check rules, check config, unit tests, check-config', async (_name, options: RenderOptions) => {
    const { dir } = await renderTo(options);
    const work = tempDir('override-work');
    const rules = runTool('promtool', ['check', 'rules', ...ruleFilesIn(dir)]);
    expect(rules.code, rules.output).toBe(0);
    const conf = runTool('promtool', ['check', 'config', checkableCopy(dir, work)]);
    expect(conf.code, conf.output).toBe(0);
    const tests = runAlertUnitTests(ctxOf(overridden, options), dir, work);
    expect(tests.code, tests.output).toBe(0);
    expectEveryAlertTested(alertNamesIn(dir), tests.files);
    if (options.alertForOverride) {
      const fors = ruleFilesIn(dir).flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/^\s+for: (.+)$/gm)].map((m) => m[1]));
      expect(new Set(fors)).toEqual(new Set(['30s']));
    }
    const am = amtoolCheck(renderStack(overridden, { ...options, secrets: TEST_SECRETS }).find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content, work);
    expect(am.code, am.output).toBe(0);
  }, PROMTOOL_TEST_TIMEOUT);

  it('the unit tests notice a rule that does not match its definition', async () => {
    // Render the rules with one threshold, test them with another: promtool must fail.
    const { dir } = await renderTo({});
    const work = tempDir('override-mismatch');
    const other = config({ ...raw, alerts: { ...raw.alerts, thresholds: { ...raw.alerts.thresholds, hostCpuUsage: 0.5 } } });
    const r = runAlertUnitTests(ctxOf(other), dir, work, 'observatory-host.alerts');
    expect(r.files).toHaveLength(1);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/FAILED:\s+name: HostCpuHigh/);
  }, PROMTOOL_TEST_TIMEOUT);
});

describe('annotation text agrees with Prometheus', () => {
  it('humanize, humanizeDuration and humanizePercentage match their Go originals (promtool is the oracle)', () => {
    const values = [0, 0.15625, 0.15635, 0.15645, 0.7375, 0.0512, 0.945, 1, 3.5, 21.6, 90, 737.5, 1234, 9999.5, 180000, 1234567, 2e9, 0.00001234];
    const work = tempDir('humanize');
    const text = (v: number) => `${humanize(v)}|${humanizeDuration(v)}|${humanizePercentage(v)}`;
    const rules = { groups: [{ name: 'humanize', rules: values.map((v, i) => ({ alert: `Humanize${i}`, expr: `vector(${v})`, annotations: { text: '{{ $value | humanize }}|{{ $value | humanizeDuration }}|{{ $value | humanizePercentage }}' } })) }] };
    fs.writeFileSync(path.join(work, 'rules.yml'), yaml.dump(rules));
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: [], alert_rule_test: values.map((v, i) => ({ eval_time: '0m', alertname: `Humanize${i}`, exp_alerts: [{ exp_labels: {}, exp_annotations: { text: text(v) } }] })) }],
    };
    fs.writeFileSync(path.join(work, 'tests.yml'), yaml.dump(tests));
    const r = runTool('promtool', ['test', 'rules', path.join(work, 'tests.yml')]);
    expect(r.code, r.output).toBe(0);
  });
});

describe('notification templates', () => {
  it('render with amtool for a real alert', () => {
    const c = config();
    const alert = resolveAlerts(ctxOf(c)).find((a) => a.def.name === 'HttpErrorRateHigh')!;
    const fires = alert.def.scenarios.find((s) => s.kind === 'fires')!;
    if (fires.kind !== 'fires') throw new Error('unreachable');
    const labels: Record<string, string> = { ...fires.labels, ...alert.labels, alertname: alert.def.name };
    const annotations = expectedAnnotations(alert, fires.labels, fires.value);
    const data = {
      receiver: 'critical',
      status: 'firing',
      alerts: [{ status: 'firing', labels, annotations, startsAt: '2025-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus:9090/graph', fingerprint: '0123456789abcdef' }],
      groupLabels: { alertname: alert.def.name, service: labels.service },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: 'http://alertmanager:9093',
    };
    const work = tempDir('amtemplate');
    fs.writeFileSync(path.join(work, 'data.json'), JSON.stringify(data));
    fs.writeFileSync(path.join(work, 'none.tmpl'), '');
    const render = (template: string) => runTool('amtool', ['template', 'render', `--template.glob=${path.join(work, 'none.tmpl')}`, `--template.data=${path.join(work, 'data.json')}`, `--template.text=${template}`]);
    const title = render(NOTIFICATION_TEMPLATES.TITLE);
    expect(title.code, title.output).toBe(0);
    expect(title.output.trim()).toBe('[FIRING:1] HttpErrorRateHigh (api)');
    const text = render(NOTIFICATION_TEMPLATES.TEXT);
    expect(text.code, text.output).toBe(0);
    expect(text.output).toContain(`*critical* ${annotations.summary}`);
    // The dashboard opens on the alert's service, an hour either side of when it started (2025-01-01T00:00:00Z).
    const atStart = `${annotations.dashboard_url}&time=1735689600000&time.window=7200000`;
    expect(annotations.dashboard_url).toContain('?orgId=1&var-service=api');
    expect(text.output).toContain(`<${annotations.runbook_url}|Runbook> | <${atStart}|Dashboard>`);
    const link = render(NOTIFICATION_TEMPLATES.FIRST_DASHBOARD);
    expect(link.output.trim()).toBe(atStart);
    const pd = buildAlertmanagerConfig(ctxOf(c)).receivers.find((r) => r.name === 'critical')!.pagerduty_configs![0];
    for (const t of [pd.description, ...pd.links.map((l) => l.href)]) expect(render(t).code).toBe(0);
    expect(render(pd.description).output.trim()).toBe(`HttpErrorRateHigh (api): ${annotations.summary}`);

    // A group of several alerts with different summaries (CommonAnnotations is empty then), and its resolution.
    const second = { ...data.alerts[0], annotations: { ...annotations, summary: 'second summary' }, fingerprint: 'fedcba9876543210' };
    const many = { ...data, alerts: [data.alerts[0], second], commonAnnotations: {} };
    fs.writeFileSync(path.join(work, 'data.json'), JSON.stringify(many));
    expect(render(pd.description).output.trim()).toBe(`HttpErrorRateHigh (api): 2 firing, first: ${annotations.summary}`);
    const resolved = { ...data, status: 'resolved', alerts: [{ ...data.alerts[0], status: 'resolved', endsAt: '2025-01-01T01:00:00Z' }] };
    fs.writeFileSync(path.join(work, 'data.json'), JSON.stringify(resolved));
    const done = render(pd.description);
    expect(done.code, done.output).toBe(0);
    expect(done.output.trim()).toBe('HttpErrorRateHigh (api): resolved');
  });
});

describe('routing, checked by amtool on the rendered alertmanager.yml', () => {
  it.each(listStacks(REPO))('stack %s: every severity and an unknown one reach a receiver; the Watchdog reaches only the dead man\'s switch', (stack) => {
    const cfg = loadStackConfigFile(REPO, stack);
    const am = buildAlertmanagerConfig(ctxOf(cfg, { secrets: TEST_SECRETS }));
    const work = tempDir(`amroutes-${stack}`);
    const file = path.join(work, 'alertmanager.yml');
    fs.writeFileSync(file, renderStack(cfg, { secrets: TEST_SECRETS }).find((a) => a.path === ALERTMANAGER_CONFIG_PATH)!.content);
    const route = (...labels: string[]) => {
      const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
      expect(r.code, r.output).toBe(0);
      return r.output.split('\n').filter((l) => l && !l.startsWith('Warning:')).join(',');
    };
    const people = am.receivers.filter((r) => r.name !== 'blackhole' && r.name !== 'deadmansswitch').map((r) => r.name);
    const expected = people.length > 0 ? 'a people\'s receiver' : 'blackhole';
    for (const severity of ['critical', 'warning', 'info', 'page-me']) {
      const got = route('alertname=SomeAlert', 'service=api', `severity=${severity}`);
      if (expected === 'blackhole') expect(got).toBe('blackhole');
      else expect(people, `severity=${severity} went to ${got}`).toContain(got);
    }
    expect(route('alertname=Watchdog', 'severity=none', 'service=prometheus')).toBe(cfg.receivers.deadMansSwitch?.enabled ? 'deadmansswitch' : 'blackhole');
  });
});
