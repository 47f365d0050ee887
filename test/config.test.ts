import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStackConfig } from '../stacks/config/schema';
import { loadStackConfigFile, splitConfig } from '../stacks/config/fromYaml';
import { placeholderDomain } from '../stacks/config/placeholders';
import { RETENTION_SIZE_MAX_SHARE, prometheusBytes } from '../stacks/config/retention';
import { configWarnings, formatWarning } from '../stacks/config/warnings';
import { memoryBytes } from '../stacks/quantity';
import { makeTemplateRoot, runRender, writeStackFile } from './corpus/harness';
import { ALL_SECRETS, REPO, baseRaw, cleanedTempDir, config, errorOf } from './helpers';

const app = { name: 'api', image: 'registry.example.com/api:1.2.3', port: 8080 };
const withApp = (patch: Record<string, unknown>) => ({ apps: [{ ...app, ...patch }] });

describe('stack config defaults', () => {
  it('fills every documented default', () => {
    const c = config();
    expect(c.environment).toBe('prod');
    expect(c.namespace).toBe('observatory');
    expect(c.scrapeInterval).toBe('15s');
    expect(c.retention).toEqual({ time: '30d', size: '80GB' });
    const a = c.apps[0];
    expect(a.replicas).toEqual({ min: 2, max: 10 });
    expect(a.cpuTarget).toBe(70);
    expect(a.memoryTarget).toBeUndefined();
    expect([a.scaleUpStabilizationSeconds, a.scaleDownStabilizationSeconds]).toEqual([60, 300]);
    expect(a.metricsPath).toBe('/metrics');
    expect(a.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(c.docker.bindAddress).toBe('127.0.0.1');
    expect(c.requiredSecrets).toEqual(['grafanaAdminPassword', 'postgresDsn', 'slackWebhookUrl', 'pagerdutyRoutingKey', 'deadMansSwitchUrl']);
  });

  it('binds docker ports to 127.0.0.1 when the stack says localhost (older engines bind every interface for it)', () => {
    expect(config({ target: 'docker', docker: { bindAddress: 'localhost' } }, 'dev').docker.bindAddress).toBe('127.0.0.1');
    expect(config({ target: 'docker', docker: { bindAddress: '0.0.0.0' } }, 'dev').docker.bindAddress).toBe('0.0.0.0');
  });

  it('takes retention defaults from the environment and lets the stack override thresholds', () => {
    expect(config({}, 'dev').retention).toEqual({ time: '2d', size: '4GB' });
    expect(config({ environment: 'staging' }, 'feature-x').retention.time).toBe('7d');
    const c = config({ alerts: { thresholds: { errorRatioCritical: 0.1 } } });
    expect(c.alerts.thresholds.errorRatioCritical).toBe(0.1);
    expect(c.alerts.thresholds.latencyP95Critical).toBe(0.5);
  });
});

describe('bad stack config gets one clear error naming stack and key', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown target', { target: 'nomad' }, 'stack prod: observatory:target: must be one of "docker", "kubernetes" (got "nomad")'],
    ['missing target', { target: undefined }, 'stack prod: observatory:target: is required'],
    ['min replicas above max', withApp({ replicas: { min: 5, max: 2 } }), 'stack prod: observatory:apps[0].replicas: min (5) must be <= max (2)'],
    ['cpu target above 100', withApp({ cpuTarget: 150 }), 'stack prod: observatory:apps[0].cpuTarget: must be <= 100 (got 150)'],
    ['cpu target zero', withApp({ cpuTarget: 0 }), 'stack prod: observatory:apps[0].cpuTarget: must be >= 1 (got 0)'],
    ['image without tag', withApp({ image: 'registry.example.com/api' }), 'stack prod: observatory:apps[0].image: must be pinned with a tag or digest (e.g. repo/app:1.4.2)'],
    ['image with latest', withApp({ image: 'api:latest' }), 'stack prod: observatory:apps[0].image: must not use the "latest" tag; pin a version'],
    ['app name not a DNS label', withApp({ name: 'My_App' }), 'stack prod: observatory:apps[0].name: must be a DNS label: lower-case letters, digits and "-", starting with a letter, at most 40 characters'],
    ['port out of range', withApp({ port: 70000 }), 'stack prod: observatory:apps[0].port: must be <= 65535 (got 70000)'],
    ['unknown app key', withApp({ replica: 3 }), 'stack prod: observatory:apps[0].replica: unknown key (check the spelling; see stacks/config/schema.ts)'],
    ['unknown top-level key', { scrapeIntervall: '15s' }, 'stack prod: observatory:scrapeIntervall: unknown key (check the spelling; see stacks/config/schema.ts)'],
    ['bad duration', { scrapeInterval: '15 seconds' }, 'stack prod: observatory:scrapeInterval: must be a Prometheus duration such as 15s, 5m or 1h'],
    ['evaluation faster than scrape', { scrapeInterval: '30s', evaluationInterval: '15s' }, 'stack prod: observatory:evaluationInterval: (15s) must be >= scrapeInterval (30s); rules cannot see samples faster than they are scraped'],
    ['ratio threshold given as percent', { alerts: { thresholds: { errorRatioCritical: 5 } } }, 'stack prod: observatory:alerts.thresholds.errorRatioCritical: (5) is a ratio and must be <= 1 (write 0.05 for 5%)'],
    ['warning above critical', { alerts: { thresholds: { latencyP95Warning: 0.6 } } }, 'stack prod: observatory:alerts.thresholds.latencyP95Warning: (0.6) must be below latencyP95Critical (0.5)'],
    ['unknown threshold', { alerts: { thresholds: { latencyP50: 1 } } }, 'stack prod: observatory:alerts.thresholds.latencyP50: unknown key (check the spelling; see stacks/config/schema.ts)'],
    ['SLO latency not a bucket bound', { slo: { latencyThresholdSeconds: 0.4 } }, 'stack prod: observatory:slo.latencyThresholdSeconds: (0.4) must be a bucket bound of http_request_duration_seconds (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10)'],
    ['SLO period beyond retention', { retention: { time: '15d' }, slo: { period: '30d' } }, 'stack prod: observatory:slo.period: (30d) must not exceed retention.time (15d): Prometheus would no longer have the samples the SLO is measured over'],
    ['SLO period not a duration', { slo: { period: 'a month' } }, 'stack prod: observatory:slo.period: must be a Prometheus duration such as 15s, 5m or 1h'],
    ['duplicate app names', { apps: [app, app] }, 'stack prod: observatory:apps[1].name: "api" is used by two apps'],
    ['OTLP endpoint set by hand', withApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' } }), 'stack prod: observatory:apps[0].env.OTEL_EXPORTER_OTLP_ENDPOINT: is set by the stack (OTLP over HTTP to its Jaeger); remove it'],
    ['OTLP protocol set by hand', withApp({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }), 'stack prod: observatory:apps[0].env.OTEL_EXPORTER_OTLP_PROTOCOL: is set by the stack (OTLP over HTTP to its Jaeger); remove it'],
    ['minAvailable above min replicas', withApp({ minAvailable: 3 }), 'stack prod: observatory:apps[0].minAvailable: (3) must be below replicas.min (2) or no pod could be evicted while the app runs at its minimum'],
    ['resources not a quantity', withApp({ resources: { limits: { memory: '512 megs' } } }), 'stack prod: observatory:apps[0].resources.limits.memory: must be a Kubernetes quantity such as 250m, 128Mi or 1Gi'],
    ['slack channel without #', { receivers: { slack: { channel: 'alerts' } } }, 'stack prod: observatory:receivers.slack.channel: must be a channel like #alerts'],
    ['cache target given as percent', { alerts: { cacheTargets: { feed: 90 } } }, 'stack prod: observatory:alerts.cacheTargets.feed: (90) is a ratio: write 0.9 for 90%'],
    ['cache target zero', { alerts: { cacheTargets: { feed: 0 } } }, 'stack prod: observatory:alerts.cacheTargets.feed: (0) must be a ratio above 0 and at most 1 (e.g. 0.9)'],
    ['cache name with a $', { alerts: { cacheTargets: { 'feed$1': 0.8 } } }, 'stack prod: observatory:alerts.cacheTargets.feed$1: must be a cache name: letters, digits, "_", ".", ":" and "-", starting with a letter or digit, at most 63 characters'],
    ['statement limit zero', { exporters: { postgres: { limits: { statements: 0 } } } }, 'stack prod: observatory:exporters.postgres.limits.statements: must be >= 1 (got 0)'],
    ['uptime interval too short', { uptime: { interval: '500ms' } }, 'stack prod: observatory:uptime.interval: (500ms) must be at least 1s'],
    ['uptime interval too long', { uptime: { interval: '10m' } }, 'stack prod: observatory:uptime.interval: (10m) must be at most 5m: a slower probe finds an outage too late'],
    ['uptime URL not http(s)', { uptime: { urls: [{ name: 'ftp', url: 'ftp://example.com/' }] } }, 'stack prod: observatory:uptime.urls[0].url: must be an http(s) URL'],
    ['uptime URL named like an app', { uptime: { urls: [{ name: 'api', url: 'https://example.com/' }] } }, 'stack prod: observatory:uptime.urls[0].name: "api" is already used by apps[0].name; the name becomes the probe\'s service label'],
    ['uptime URL named like an exporter', { uptime: { urls: [{ name: 'postgres', url: 'https://example.com/' }] } }, 'stack prod: observatory:uptime.urls[0].name: "postgres" is the service label of the PostgreSQL exporter metrics; pick another name'],
    ['failed probes zero', { uptime: { failedProbes: 0 } }, 'stack prod: observatory:uptime.failedProbes: must be >= 1 (got 0)'],
  ];
  it.each(cases)('%s', (_name, overrides, message) => {
    expect(errorOf(() => config(overrides)).message).toBe(message);
  });

  it('a missing secret fails in deploy mode and names the command to fix it', () => {
    const { pagerdutyRoutingKey: _omit, ...secrets } = ALL_SECRETS;
    expect(errorOf(() => parseStackConfig('prod', baseRaw(), secrets, 'deploy')).message).toBe(
      'stack prod: observatory:pagerdutyRoutingKey: secret is missing; set it with `pulumi config set --secret observatory:pagerdutyRoutingKey <value>`',
    );
    // render never needs secret values, so a fresh clone renders without them
    expect(() => parseStackConfig('prod', baseRaw(), secrets, 'render')).not.toThrow();
  });

  it('a secret stored in plain text fails in both modes', () => {
    for (const mode of ['render', 'deploy'] as const) {
      expect(errorOf(() => parseStackConfig('prod', baseRaw(), { ...ALL_SECRETS, postgresDsn: 'plaintext' }, mode)).message).toBe(
        'stack prod: observatory:postgresDsn: is stored in plain text; set it with `pulumi config set --secret observatory:postgresDsn <value>`',
      );
    }
  });

  it('stack files: keys need the observatory namespace, secrets are recognised by their secure form', () => {
    expect(errorOf(() => splitConfig('dev', { target: 'docker' })).message).toBe('stack dev: target: config keys must be namespaced, e.g. "observatory:target"');
    expect(errorOf(() => splitConfig('dev', { 'observatory:namespace': { secure: 'v1:abc' } })).message).toBe('stack dev: observatory:namespace: is not a secret setting; set it without --secret');
    const { raw, secrets } = splitConfig('dev', { 'observatory:target': 'docker', 'observatory:postgresDsn': { secure: 'v1:abc' }, 'observatory:smtpPassword': 'hunter2', 'kubernetes:context': 'kind' });
    expect(raw).toEqual({ target: 'docker' });
    expect(secrets).toEqual({ postgresDsn: 'secret', smtpPassword: 'plaintext' });
  });
});

describe('kubernetes settings that hold on any cluster', () => {
  const scratch = cleanedTempDir();
  it('the committed kubernetes stacks name no StorageClass, keep retention.size within 85% of the volume and warn about nothing', () => {
    for (const stack of ['staging', 'prod']) {
      const c = loadStackConfigFile(REPO, stack);
      expect(c.target, stack).toBe('kubernetes');
      // A class that exists on one provider only (GKE's standard-rwo) leaves every claim Pending elsewhere.
      expect(c.storage.storageClass, stack).toBeUndefined();
      expect(prometheusBytes(c.retention.size), stack).toBeLessThanOrEqual(memoryBytes(c.storage.prometheus, 'x') * RETENTION_SIZE_MAX_SHARE);
      expect(configWarnings(c), stack).toEqual([]);
      for (const app of c.apps) expect(app.memoryTarget, `${stack} ${app.name}`).toBeUndefined();
    }
    expect(loadStackConfigFile(REPO, 'prod').grafana.rootUrl).toBe('https://grafana.corp.internal');
  });

  it('retention.size defaults to 80% of storage.prometheus, in whole GB when it divides', () => {
    expect(config().retention.size).toBe('80GB');
    expect(config({}, 'staging').retention.size).toBe('16GB');
    expect(config({ storage: { prometheus: '150Gi' } }).retention.size).toBe('120GB');
    expect(config({ storage: { prometheus: '1Gi' } }).retention.size).toBe('819MB');
    expect(config({ retention: { size: '85GB' } }).retention.size).toBe('85GB');
    expect(errorOf(() => config({ retention: { size: '86GB' } })).key).toBe('stack prod: observatory:retention.size');
  });

  it('documentation placeholders: example.com/.net/.org, their subdomains and the .example domain, nothing else', () => {
    expect(['example.com', 'smtp.example.com', 'grafana.EXAMPLE.org', 'a.b.example.net.', 'foo.example'].map(placeholderDomain)).toEqual(['example.com', 'example.com', 'example.org', 'example.net', 'example']);
    expect(['myexample.com', 'example.com.corp.internal', 'example.io', 'grafana.corp.internal'].map(placeholderDomain)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('render prints the memory-target warning, the same line `pulumi up` logs, and still renders', async () => {
    const root = makeTemplateRoot(scratch('warn'));
    writeStackFile(root, 'staging', {
      'observatory:target': 'kubernetes',
      'observatory:apps': [{ name: 'checkout', image: 'registry.corp.internal/checkout:2.0.1', port: 8080, memoryTarget: 80 }],
      'observatory:grafanaAdminPassword': { secure: 'v1:x' },
      'observatory:postgresDsn': { secure: 'v1:x' },
    });
    const warned: string[] = [];
    const r = await runRender(root, ['--stack', 'staging', '--out', path.join(root, 'out')], { warn: (l) => warned.push(l) });
    expect([r.code, r.err]).toEqual([0, []]);
    const c = config({ apps: [{ name: 'checkout', image: 'registry.corp.internal/checkout:2.0.1', port: 8080, memoryTarget: 80 }] }, 'staging');
    expect(warned).toEqual(configWarnings(c).map((w) => formatWarning(c, w)));
    expect(warned[0]).toMatch(/^stack staging: observatory:apps\[0\]\.memoryTarget: \(80\) scales checkout out whenever its pods average more than 102Mi/);
  });
});
