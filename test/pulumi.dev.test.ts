/**
 * Pulumi mocks: the dev stack (docker) from Pulumi.dev.yaml with its required secrets, run
 * through index.ts. Asserts the resource graph, that uploads are the generated/ bytes, ports on
 * 127.0.0.1, app replicas as the static targets prometheus.yml scrapes, and the container rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusConfig } from '../generators/prometheusConfig';
import { renderStack } from '../render/renderStack';
import { SERVICE_NAMES, appReplicaHost } from '../generators/topology';
import { routeOf } from '../stacks/artifacts';
import { GRAFANA_DASHBOARDS_DIR } from '../stacks/paths';
import { splitConfig } from '../stacks/config/fromYaml';
import { parseStackConfig, type StackConfig } from '../stacks/config/schema';
import { REPO } from './helpers';
import { FAKE_SECRETS, SECRET_NEEDLES, anyLeaks, byType, isSecretWrapper, plainLeaks, registeredUrns, secretsFor, settle, setupStack, stackFileConfig, type Registered } from './pulumiHarness';
import { DOCKER, inputsOf, isPinned, stateOf, uploadedFiles, type DockerContainer } from './pulumiViews';

const STACK = 'dev';
const secrets = secretsFor(STACK);
let registered: Registered[] = [];
let outputs: Record<string, unknown> = {};
let config: StackConfig;

beforeAll(async () => {
  registered = setupStack(STACK, secrets);
  outputs = { ...(await import('../index')) };
  await settle();
  config = parseStackConfig(STACK, splitConfig(STACK, stackFileConfig(STACK)).raw, Object.fromEntries(Object.keys(secrets).map((k) => [k, 'secret'])));
});

const containers = () => byType(registered, DOCKER.container).map((r) => ({ resource: r, c: inputsOf<DockerContainer>(r) }));
const container = (name: string) => {
  const found = containers().filter((x) => x.c.name === `observatory-dev-${name}`);
  if (found.length !== 1) throw new Error(`expected one container observatory-dev-${name}, found ${found.length}`);
  return found[0].c;
};

describe('dev (docker): resource graph', () => {
  it('one network, three named data volumes, one pulled image per service and app, one container per service and app replica', () => {
    expect(config.target).toBe('docker');
    const n = 'observatory';
    const services = ['prometheus', 'alertmanager', 'grafana', 'jaeger', 'postgres-exporter', 'redis-exporter', 'node-exporter', 'blackbox-exporter'];
    const expected = [
      `observatory:docker:MonitoringStack ${n}`,
      `${DOCKER.network} ${n}-network`,
      ...['prometheus', 'alertmanager', 'grafana'].map((s) => `${DOCKER.volume} ${n}-${s}-data`),
      ...services.flatMap((s) => [`${DOCKER.image} ${n}-${s}-image`, `${DOCKER.container} ${n}-${s}-container`]),
      ...['Prometheus', 'Alertmanager', 'Grafana', 'Jaeger', 'PostgresExporter', 'RedisExporter', 'NodeExporter', 'BlackboxExporter'].map((t, i) => `observatory:docker:${t} ${n}-${services[i]}`),
      ...config.apps.flatMap((a) => [
        `observatory:docker:Application ${n}-app-${a.name}`,
        `${DOCKER.image} ${n}-app-${a.name}-image`,
        ...Array.from({ length: a.replicas.min }, (_, i) => `${DOCKER.container} ${n}-app-${a.name}-${i}`),
      ]),
    ];
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(expected.sort());
  });

  it('parents every resource to the component whose name it carries', () => {
    const parsed = registeredUrns().map((u) => {
      const [, , chain, name] = u.split('::');
      const types = chain.split('$');
      return { parentType: types.length > 1 ? types[0] : undefined, type: types[types.length - 1], name };
    });
    const top = 'observatory:docker:MonitoringStack';
    const components = parsed.filter((p) => p.parentType === top && p.type.startsWith('observatory:docker:'));
    for (const p of parsed) {
      const at = `${p.type}::${p.name}`;
      if (p.type === top) expect(p.parentType, at).toBeUndefined();
      else if (p.type.startsWith('observatory:') || p.type === DOCKER.network) expect(p.parentType, at).toBe(top);
      else expect(components.find((c) => c.type === p.parentType && p.name.startsWith(`${c.name}-`)), `${at} has no owning component`).toBeDefined();
    }
  });

  it('exports the host URLs as stack outputs', () => {
    expect(outputs).toEqual({
      grafanaUrl: 'http://127.0.0.1:3000',
      prometheusUrl: 'http://127.0.0.1:9090',
      alertmanagerUrl: 'http://127.0.0.1:9093',
      jaegerUiUrl: 'http://127.0.0.1:16686',
      otlpHttpEndpoint: 'http://127.0.0.1:4318',
      otlpGrpcEndpoint: 'http://127.0.0.1:4317',
    });
  });
});

describe('dev (docker): network, names and ports', () => {
  it('every container is on the stack network under its topology name', () => {
    const network = stateOf<{ name: string }>(byType(registered, DOCKER.network)[0]).name;
    expect(network).toBe('observatory-dev-net');
    for (const { c } of containers()) expect(c.networksAdvanced?.map((x) => x.name), c.name).toEqual([network]);
    for (const key of ['prometheus', 'alertmanager', 'grafana', 'jaeger', 'postgresExporter', 'redisExporter', 'nodeExporter'] as const) {
      expect(container(SERVICE_NAMES[key]).networksAdvanced?.[0].aliases).toEqual([SERVICE_NAMES[key]]);
    }
  });

  it('publishes only the UI and OTLP ports, on 127.0.0.1, at the configured host ports', () => {
    const published = containers().flatMap(({ c }) => (c.ports ?? []).map((p) => `${c.name} ${p.ip}:${p.external}->${p.internal}`));
    expect(published.sort()).toEqual(
      [
        'observatory-dev-prometheus 127.0.0.1:9090->9090',
        'observatory-dev-alertmanager 127.0.0.1:9093->9093',
        'observatory-dev-grafana 127.0.0.1:3000->3000',
        'observatory-dev-jaeger 127.0.0.1:16686->16686',
        'observatory-dev-jaeger 127.0.0.1:4317->4317',
        'observatory-dev-jaeger 127.0.0.1:4318->4318',
      ].sort(),
    );
  });

  it('keeps Prometheus, Alertmanager and Grafana data on the named volumes', () => {
    const volumeNames = byType(registered, DOCKER.volume).map((r) => stateOf<{ name: string }>(r).name);
    expect(volumeNames.sort()).toEqual(['observatory-dev-alertmanager-data', 'observatory-dev-grafana-data', 'observatory-dev-prometheus-data']);
    const mount = (name: string) => container(name).volumes?.map((v) => `${v.volumeName}:${v.containerPath}`);
    expect(mount('prometheus')).toEqual(['observatory-dev-prometheus-data:/prometheus']);
    expect(mount('alertmanager')).toEqual(['observatory-dev-alertmanager-data:/alertmanager']);
    expect(mount('grafana')).toEqual(['observatory-dev-grafana-data:/var/lib/grafana']);
  });

  it('runs replicas.min containers per app, reachable as the static targets prometheus.yml scrapes', () => {
    const promYml = yaml.load(uploadedFiles(container('prometheus')).get('/etc/prometheus/config/prometheus.yml')!) as PrometheusConfig;
    const aliases = new Set(containers().flatMap(({ c }) => c.networksAdvanced?.[0].aliases ?? []));
    for (const app of config.apps) {
      const replicas = containers().filter(({ resource }) => resource.name.startsWith(`observatory-app-${app.name}-`));
      expect(replicas.length).toBe(app.replicas.min);
      replicas.forEach(({ c }, i) => {
        expect(c.networksAdvanced?.[0].aliases).toEqual([appReplicaHost(app, i), app.name]);
        expect(c.envs).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318');
        expect(c.image).toBe(`sha256:image-of-${app.image}`);
      });
      const job = promYml.scrape_configs.find((j) => j.job_name === `app-${app.name}`)!;
      const targets = job.static_configs!.flatMap((s) => s.targets);
      expect(targets.length).toBe(app.replicas.min);
      for (const t of targets) {
        const [host, port] = t.split(':');
        expect(aliases.has(host), `${t} resolves on the network`).toBe(true);
        expect(Number(port)).toBe(app.port);
      }
    }
    // Every static target of prometheus.yml names a container on the network.
    for (const job of promYml.scrape_configs) {
      for (const t of job.static_configs?.flatMap((s) => s.targets) ?? []) {
        // The uptime job's targets are the URLs blackbox_exporter probes.
        const host = /^https?:\/\//.test(t) ? new URL(t).hostname : t.split(':')[0];
        if (host !== 'localhost') expect(aliases.has(host), `${job.job_name}: ${t}`).toBe(true);
      }
    }
  });
});

describe('dev (docker): uploads are the render output', () => {
  it('every non-secret artifact is uploaded to its container path byte for byte from generated/dev', () => {
    const serviceOf = { prometheus: 'prometheus', grafana: 'grafana', alertmanager: 'alertmanager', postgresExporter: 'postgres-exporter', blackboxExporter: 'blackbox-exporter' } as const;
    const rendered = renderStack(config).filter((a) => routeOf(a.path) && !routeOf(a.path)?.secret);
    expect(rendered.length).toBeGreaterThan(1);
    for (const a of rendered) {
      const route = routeOf(a.path)!;
      const onDisk = fs.readFileSync(path.join(REPO, 'generated', STACK, a.path), 'utf8');
      expect(uploadedFiles(container(serviceOf[route.service])).get(`${route.dir}/${a.path.slice(route.prefix.length)}`), a.path).toBe(onDisk);
    }
  });

  it('secret-route artifacts (alertmanager/) are uploaded as secrets, rendered with the secret values', () => {
    const expected = renderStack(config, { secrets }).filter((a) => routeOf(a.path)?.secret);
    const raw = byType(registered, DOCKER.container).find((r) => inputsOf<DockerContainer>(r).name === 'observatory-dev-alertmanager')!;
    const uploads = inputsOf<DockerContainer>(raw).uploads ?? [];
    expect(uploads.length).toBe(expected.length);
    if (expected.length > 0) expect(isSecretWrapper(raw.inputs.uploads)).toBe(true);
    for (const a of expected) {
      const route = routeOf(a.path)!;
      expect(uploads.find((u) => u.file === `${route.dir}/${a.path.slice(route.prefix.length)}`)?.content, a.path).toBe(a.content);
    }
  });

  it('Grafana: every dashboards provider reads the upload directory, every datasource URL names a container on the network', () => {
    const rendered = renderStack(config);
    const files = uploadedFiles(container('grafana'));
    const aliases = new Set(containers().flatMap(({ c }) => c.networksAdvanced?.[0].aliases ?? []));
    for (const a of rendered.filter((x) => x.path.startsWith('grafana/provisioning/dashboards/'))) {
      for (const p of (yaml.load(a.content) as { providers: { options: { path: string } }[] }).providers) {
        expect(p.options.path, a.path).toBe(GRAFANA_DASHBOARDS_DIR);
        for (const d of rendered.filter((x) => x.path.startsWith('dashboards/'))) expect(files.has(`${p.options.path}/${path.basename(d.path)}`), d.path).toBe(true);
      }
    }
    for (const a of rendered.filter((x) => x.path.startsWith('grafana/provisioning/datasources/'))) {
      for (const ds of (yaml.load(a.content) as { datasources: { name: string; url: string }[] }).datasources) {
        expect(aliases.has(new URL(ds.url).hostname), `${a.path} ${ds.name} -> ${ds.url}`).toBe(true);
      }
    }
  });

  it('uploads nothing that is not a rendered artifact or a secret file', () => {
    const contents = new Set(renderStack(config).map((a) => a.content));
    for (const { c } of containers()) {
      for (const u of c.uploads ?? []) {
        if (u.file.startsWith('/etc/observatory/secrets/')) continue;
        expect(contents.has(u.content ?? ''), `${c.name}:${u.file}`).toBe(true);
      }
    }
  });

  it('Prometheus runs with the uploaded config and retention from config', () => {
    const cmd = container('prometheus').command ?? [];
    expect(cmd).toContain('--config.file=/etc/prometheus/config/prometheus.yml');
    expect(cmd).toContain(`--storage.tsdb.retention.time=${config.retention.time}`);
    expect(cmd).toContain(`--storage.tsdb.retention.size=${config.retention.size}`);
    // dev's defaults: 2d, and 80% of storage.prometheus (5Gi; a docker volume has no size of its own, this bounds it)
    expect(config.retention).toEqual({ time: '2d', size: '4GB' });
  });
});

describe('dev (docker): secrets', () => {
  it('no secret value appears outside a secret anywhere in the graph, nor in stack outputs', () => {
    for (const r of registered) expect(plainLeaks(r.inputs, SECRET_NEEDLES), `${r.type} ${r.name}`).toEqual([]);
    expect(anyLeaks(outputs, SECRET_NEEDLES)).toEqual([]);
  });

  it('Grafana reads its admin password from a secret file only its user can read; no env holds it', () => {
    const g = container('grafana');
    expect(g.envs).toContain('GF_SECURITY_ADMIN_PASSWORD__FILE=/etc/observatory/secrets/grafana-admin-password');
    expect(g.envs).toContain('GF_AUTH_ANONYMOUS_ENABLED=false');
    expect(anyLeaks(g.envs, SECRET_NEEDLES)).toEqual([]);
    const file = g.uploads?.find((u) => u.file === '/etc/observatory/secrets/grafana-admin-password');
    expect(file).toMatchObject({ content: FAKE_SECRETS.grafanaAdminPassword, owner: '472', permissions: '0400' });
    const raw = byType(registered, DOCKER.container).find((r) => inputsOf<DockerContainer>(r).name === 'observatory-dev-grafana')!;
    expect(isSecretWrapper(raw.inputs.uploads)).toBe(true);
  });

  it('the PostgreSQL DSN reaches the exporter only as a secret-marked value', () => {
    const raw = byType(registered, DOCKER.container).find((r) => inputsOf<DockerContainer>(r).name === 'observatory-dev-postgres-exporter')!;
    expect(isSecretWrapper(raw.inputs.envs)).toBe(true);
    expect(inputsOf<DockerContainer>(raw).envs).toContain(`DATA_SOURCE_NAME=${FAKE_SECRETS.postgresDsn}`);
    // Containers without secrets keep readable env in state.
    expect(isSecretWrapper(byType(registered, DOCKER.container).find((r) => inputsOf<DockerContainer>(r).name === 'observatory-dev-jaeger')!.inputs.envs)).toBe(false);
  });
});

describe('dev (docker): every container is pinned, limited, health-checked and non-root', () => {
  it('holds for every container', () => {
    const images = new Map(byType(registered, DOCKER.image).map((r) => [stateOf<{ imageId: string }>(r).imageId, inputsOf<{ name: string }>(r).name]));
    const allowed = new Set([...Object.values(config.images), ...config.apps.map((a) => a.image)]);
    for (const { c } of containers()) {
      const image = images.get(c.image);
      expect(image, `${c.name} uses a pulled image`).toBeDefined();
      expect(isPinned(image!), `${c.name} ${image}`).toBe(true);
      expect(allowed.has(image!), `${c.name} ${image}`).toBe(true);
      expect(c.memory ?? 0, c.name).toBeGreaterThanOrEqual(6);
      expect(c.memoryReservation ?? 0, c.name).toBeLessThanOrEqual(c.memory ?? 0);
      expect(Number(c.cpus), c.name).toBeGreaterThan(0);
      expect(c.healthcheck?.tests?.length, c.name).toBeGreaterThan(1);
      expect(c.restart, c.name).toBe('unless-stopped');
      expect(c.user, c.name).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
      expect(c.capabilities?.drops, c.name).toEqual(['ALL']);
      expect(c.securityOpts, c.name).toContain('no-new-privileges:true');
    }
  });

  it('app containers get their memory and CPU limits from config', () => {
    for (const app of config.apps) {
      const c = container(appReplicaHost(app, 0));
      expect([c.memory, c.cpus, c.user]).toEqual([256, '0.5', String(app.runAsUser)]);
      expect(app.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    }
  });
});
