/** The live stack's derived configs: prometheus.yml, alertmanager.yml and the live stack file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderPrometheusConfig } from '../generators/prometheusConfig';
import { deriveLiveAlertmanagerConfig, RECEIVER_HEADER } from '../live/alertmanagerConfig';
import { deriveLivePrometheusConfig } from '../live/prometheusConfig';
import { renderedAddresses } from '../live/stack';
import { LIVE_RECEIVERS, liveStackFile } from '../live/stackFile';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { config, errorOf, REPO, cleanedTempDir } from './helpers';
import { runTool } from './tools';

/** Scratch directories, removed after this file's tests. */
const tempDir = cleanedTempDir();

const dev = loadStackConfigFile(REPO, 'dev');
const renderedDev = renderPrometheusConfig(dev);

const ADDRESSES = {
  'localhost:9090': '127.0.0.1:41000',
  'alertmanager:9093': '127.0.0.1:41001',
  'postgres-exporter:9187': '127.0.0.1:41002',
  'redis-exporter:9121': '127.0.0.1:41003',
  'node-exporter:9100': '127.0.0.1:41004',
  'shop-api-0:8080': '127.0.0.1:41005',
  'shop-api-1:8080': '127.0.0.1:41006',
  'blackbox-exporter:9115': '127.0.0.1:41007',
  // The probes' address of the app (every replica answers to it) and the live https endpoint.
  'shop-api:8080': '127.0.0.1:41005',
  'tls-demo:8443': '127.0.0.1:41008',
};

interface PromDoc {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
}

describe('deriveLivePrometheusConfig', () => {
  const derived = yaml.load(deriveLivePrometheusConfig(renderedDev, { addresses: ADDRESSES, interval: '2s', ruleFiles: '/run/rules/*.yml' })) as PromDoc;
  const original = yaml.load(renderedDev) as PromDoc;

  it('rewrites every target to its local address and keeps jobs, order and labels', () => {
    expect(derived.scrape_configs.map((j) => j.job_name)).toEqual(original.scrape_configs.map((j) => j.job_name));
    const app = derived.scrape_configs.find((j) => j.job_name === 'app-shop-api')!;
    expect(app.static_configs).toEqual([{ targets: ['127.0.0.1:41005', '127.0.0.1:41006'], labels: { service: 'shop-api' } }]);
    const redis = derived.scrape_configs.find((j) => j.job_name === 'redis-exporter')!;
    expect(redis.static_configs[0]).toEqual({ targets: ['127.0.0.1:41003'], labels: { service: 'redis' } });
    expect(derived.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:41001']);
  });

  it('probes the local processes: URL targets keep scheme and path, the blackbox address is the local one, the timeout fits the interval', () => {
    const uptime = derived.scrape_configs.find((j) => j.job_name === 'uptime')! as PromDoc['scrape_configs'][number] & { relabel_configs: { target_label: string; replacement?: string }[]; scrape_interval: string; scrape_timeout: string };
    expect(uptime.static_configs).toEqual([{ targets: ['http://127.0.0.1:41005/healthz'], labels: { service: 'shop-api', __param_module: 'http_2xx' } }]);
    expect(uptime.relabel_configs.find((r) => r.target_label === '__address__')?.replacement).toBe('127.0.0.1:41007');
    expect([uptime.scrape_interval, uptime.scrape_timeout]).toEqual(['2s', '2s']);
  });

  it('shortens the intervals, keeps external labels and reads rules from the run directory', () => {
    expect(derived.global).toEqual({ ...original.global, scrape_interval: '2s', evaluation_interval: '2s' });
    expect(derived.rule_files).toEqual(['/run/rules/*.yml']);
  });

  it('is a config promtool accepts', () => {
    const dir = tempDir('live-prom');
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    const file = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(file, deriveLivePrometheusConfig(renderedDev, { addresses: ADDRESSES, interval: '2s', ruleFiles: path.join(rules, '*.yml') }));
    const r = runTool('promtool', ['check', 'config', file]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('has a local process for every address the rendered dev stack scrapes', () => {
    const roles = renderedAddresses(dev);
    expect(Object.keys(roles).sort()).toEqual(Object.keys(ADDRESSES).sort());
    expect(roles['shop-api-1:8080']).toBe('app shop-api replica 1');
    const local = Object.fromEntries(Object.entries(roles).map(([address, role]) => [address, `local:${role}`]));
    expect(() => deriveLivePrometheusConfig(renderedDev, { addresses: local, interval: '2s', ruleFiles: '/r/*.yml' })).not.toThrow();
  });

  it('names the job and target no local process plays', () => {
    const { 'node-exporter:9100': _, ...missing } = ADDRESSES;
    const e = errorOf(() => deriveLivePrometheusConfig(renderedDev, { addresses: missing, interval: '2s', ruleFiles: '/r/*.yml' }));
    expect(e.key).toBe('prometheus.yml job node-exporter.static_configs[0]');
    expect(e.problem).toContain('no local process plays target "node-exporter:9100"');
  });

  it('rejects service discovery: the live stack needs a docker stack', () => {
    const k8s = renderPrometheusConfig(config({ target: 'kubernetes' }));
    const e = errorOf(() => deriveLivePrometheusConfig(k8s, { addresses: ADDRESSES, interval: '2s', ruleFiles: '/r/*.yml' }));
    expect(e.message).toMatch(/job node-exporter: uses kubernetes_sd_configs; .*target: docker/);
  });

  it('rejects an interval that is not a duration', () => {
    expect(errorOf(() => deriveLivePrometheusConfig(renderedDev, { addresses: ADDRESSES, interval: 'fast', ruleFiles: '/r' })).key).toBe('interval');
  });
});

const RENDERED_AM = `
global:
  resolve_timeout: 5m
  slack_api_url_file: /etc/alertmanager/secrets/slack
  smtp_smarthost: smtp.example.com:587
  smtp_from: am@example.com
  smtp_auth_username: am@example.com
  smtp_auth_password_file: /etc/alertmanager/secrets/smtp
route:
  receiver: slack
  group_by: [alertname, service]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: deadmans-switch
      group_wait: 0s
      repeat_interval: 1m
    - matchers: ['severity="critical"']
      receiver: pagerduty
      continue: true
receivers:
  - name: slack
    slack_configs:
      - channel: '#alerts'
        api_url: \${secret:slackWebhookUrl}
  - name: pagerduty
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/secrets/pagerduty
        severity: '{{ .CommonLabels.severity }}'
  - name: deadmans-switch
    webhook_configs:
      - url: \${secret:deadMansSwitchUrl}
  - name: email
    email_configs:
      - to: sre@example.com
templates:
  - /etc/alertmanager/templates/*.tmpl
`;

const AM_OPTIONS = {
  urlFor: (r: string, kind: string, i: number) => `http://127.0.0.1:5000/receivers/${r}/${kind}/${i}`,
  smarthost: '127.0.0.1:2525',
  groupWait: '1s',
  groupInterval: '5s',
  templatesDir: '/run/am',
};

describe('deriveLiveAlertmanagerConfig', () => {
  const text = deriveLiveAlertmanagerConfig(RENDERED_AM, AM_OPTIONS);
  const doc = yaml.load(text) as {
    global: Record<string, unknown>;
    route: { group_wait: string; group_interval: string; repeat_interval: string; routes: Record<string, unknown>[] };
    receivers: Record<string, Record<string, unknown>[] | string>[];
    templates: string[];
  };
  const receiver = (name: string) => doc.receivers.find((r) => r.name === name)!;

  it('points every integration at the local receiver, by receiver and integration', () => {
    expect(receiver('slack').slack_configs).toEqual([{ channel: '#alerts', api_url: 'http://127.0.0.1:5000/receivers/slack/slack/0' }]);
    expect(receiver('pagerduty').pagerduty_configs).toEqual([
      { routing_key: 'live-routing_key', severity: '{{ .CommonLabels.severity }}', url: 'http://127.0.0.1:5000/receivers/pagerduty/pagerduty/0' },
    ]);
    expect(receiver('deadmans-switch').webhook_configs).toEqual([{ url: 'http://127.0.0.1:5000/receivers/deadmans-switch/webhook/0' }]);
    expect(receiver('email').email_configs).toEqual([{ to: 'sre@example.com', smarthost: '127.0.0.1:2525', require_tls: false, headers: { [RECEIVER_HEADER]: 'email/0' } }]);
  });

  it('leaves no secret placeholder, secret file or outside address behind', () => {
    expect(text).not.toContain('${secret:');
    expect(text).not.toMatch(/_file:/);
    expect(text).not.toContain('example.com:587');
    expect(doc.global).toEqual({ resolve_timeout: '5m', smtp_smarthost: '127.0.0.1:2525', smtp_require_tls: false, smtp_from: 'am@example.com', smtp_auth_username: 'am@example.com', smtp_auth_password: 'live-smtp_auth_password' });
  });

  it('shortens grouping waits in the whole route tree and keeps routing as rendered', () => {
    expect(doc.route).toMatchObject({ group_wait: '1s', group_interval: '5s', repeat_interval: '4h' });
    expect(doc.route.routes).toEqual([
      { matchers: ['alertname="Watchdog"'], receiver: 'deadmans-switch', group_wait: '1s', repeat_interval: '1m' },
      { matchers: ['severity="critical"'], receiver: 'pagerduty', continue: true },
    ]);
    expect(doc.templates).toEqual(['/run/am/*.tmpl']);
  });

  it('is a config amtool accepts', () => {
    const file = path.join(tempDir('live-am'), 'alertmanager.yml');
    fs.writeFileSync(file, deriveLiveAlertmanagerConfig(RENDERED_AM, { ...AM_OPTIONS, templatesDir: path.dirname(file) }));
    const r = runTool('amtool', ['check-config', file]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('refuses an integration the live stack cannot receive rather than letting it call out', () => {
    const withOpsgenie = RENDERED_AM.replace('templates:', '  - name: ops\n    opsgenie_configs:\n      - api_key: x\ntemplates:');
    const e = errorOf(() => deriveLiveAlertmanagerConfig(withOpsgenie, AM_OPTIONS));
    expect(e.key).toBe('alertmanager.yml receiver ops');
    expect(e.problem).toContain('opsgenie_configs cannot be received by the live stack');
  });
});

describe('liveStackFile', () => {
  it('is the committed stack with every receiver on and every secret marked present', () => {
    const committed = fs.readFileSync(path.join(REPO, 'Pulumi.dev.yaml'), 'utf8');
    const doc = yaml.load(liveStackFile('dev', committed)) as { config: Record<string, unknown> };
    const original = (yaml.load(committed) as { config: Record<string, unknown> }).config;
    for (const [k, v] of Object.entries(original)) expect(doc.config[k]).toEqual(v);
    expect(doc.config['observatory:receivers']).toEqual(LIVE_RECEIVERS);
    expect(doc.config['observatory:slackWebhookUrl']).toHaveProperty('secure');
  });

  it('refuses a kubernetes stack', () => {
    const committed = fs.readFileSync(path.join(REPO, 'Pulumi.prod.yaml'), 'utf8');
    expect(errorOf(() => liveStackFile('prod', committed)).key).toBe('stack prod: observatory:target');
  });
});
