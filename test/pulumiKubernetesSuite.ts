/**
 * Assertions on the whole resource graph of a kubernetes stack, run by one test file per stack
 * (each in a fresh process, as Pulumi mocks require). The program is index.ts itself, fed the
 * committed Pulumi.<stack>.yaml and fake secrets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusConfig } from '../generators/prometheusConfig';
import { renderStack } from '../render/renderStack';
import { ALERTMANAGER_CLUSTER_SERVICE, K8S_APP_LABELS, PORTS, PROMETHEUS_REPLICAS_SERVICE, SCRAPE_ANNOTATIONS, SERVICE_NAMES, internalEndpoints, nodeExporterNamespace } from '../generators/topology';
import { routeOf } from '../stacks/artifacts';
import { GRAFANA_DASHBOARDS_DIR } from '../stacks/paths';
import { discoverySuffixes } from '../stacks/kubernetes/prometheus';
import { splitConfig } from '../stacks/config/fromYaml';
import { parseStackConfig, type StackConfig } from '../stacks/config/schema';
import type { SecretKey } from '../stacks/config/secrets';
import { REPO } from './helpers';
import { FAKE_SECRETS, SECRET_NEEDLES, anyLeaks, byType, isSecretWrapper, plainLeaks, registeredUrns, secretsFor, settle, setupStack, stackFileConfig, type Registered } from './pulumiHarness';
import {
  K8S,
  inputsOf,
  isPinned,
  podFiles,
  podSpecs,
  stateOf,
  workload,
  type ConfigMap,
  type Hpa,
  type NetworkPolicy,
  type Pdb,
  type Role,
  type RoleBinding,
  type Secret,
  type Service,
  type Ingress,
  type Pvc,
} from './pulumiViews';

export function kubernetesStackSuite(stack: string, optionalSecrets: SecretKey[] = []): void {
  const secrets = secretsFor(stack, optionalSecrets);
  let registered: Registered[] = [];
  let outputs: Record<string, unknown> = {};
  let config: StackConfig;

  beforeAll(async () => {
    registered = setupStack(stack, secrets);
    outputs = { ...(await import('../index')) };
    await settle();
    const { raw } = splitConfig(stack, stackFileConfig(stack));
    config = parseStackConfig(stack, raw, Object.fromEntries(Object.keys(secrets).map((k) => [k, 'secret'])));
  });

  describe(`${stack} (kubernetes): resource graph`, () => {
    it('registers one component per service and per app, each with its own children', () => {
      const n = 'observatory';
      const dashboards = renderStack(config).filter((a) => a.path.startsWith('dashboards/'));
      const provisioningDirs = [...new Set(renderStack(config).filter((a) => a.path.startsWith('grafana/provisioning/')).map((a) => a.path.split('/')[2]))];
      const expected: [string, string][] = [
        ['observatory:kubernetes:MonitoringStack', n],
        [K8S.namespace, `${n}-namespace`],
        ['observatory:kubernetes:Prometheus', `${n}-prometheus`],
        [K8S.configMap, `${n}-prometheus-config`],
        [K8S.configMap, `${n}-prometheus-rules`],
        [K8S.serviceAccount, `${n}-prometheus-sa`],
        ...discoverySuffixes(config).flatMap(({ suffix }): [string, string][] => [
          [K8S.role, `${n}-prometheus-discovery-role${suffix}`],
          [K8S.roleBinding, `${n}-prometheus-discovery-binding${suffix}`],
        ]),
        // HA replicas: a StatefulSet with claim templates and a headless Service instead of Deployment + claim.
        ...(config.prometheus.replicas > 1
          ? ([[K8S.service, `${n}-prometheus-replicas`], [K8S.statefulSet, `${n}-prometheus-statefulset`]] as [string, string][])
          : ([[K8S.pvc, `${n}-prometheus-data`], [K8S.deployment, `${n}-prometheus-deployment`]] as [string, string][])),
        [K8S.service, `${n}-prometheus-service`],
        [K8S.networkPolicy, `${n}-prometheus-ingress`],
        ['observatory:kubernetes:Alertmanager', `${n}-alertmanager`],
        [K8S.secret, `${n}-alertmanager-config`],
        ...(config.alertmanager.replicas > 1
          ? ([[K8S.service, `${n}-alertmanager-cluster`], [K8S.statefulSet, `${n}-alertmanager-statefulset`]] as [string, string][])
          : ([[K8S.pvc, `${n}-alertmanager-data`], [K8S.deployment, `${n}-alertmanager-deployment`]] as [string, string][])),
        [K8S.service, `${n}-alertmanager-service`],
        [K8S.networkPolicy, `${n}-alertmanager-ingress`],
        ['observatory:kubernetes:Grafana', `${n}-grafana`],
        [K8S.secret, `${n}-grafana-admin`],
        ...provisioningDirs.map((d): [string, string] => [K8S.configMap, `${n}-grafana-provisioning-${d}`]),
        ...dashboards.map((d): [string, string] => [K8S.configMap, `${n}-grafana-dashboard-${path.basename(d.path, '.json')}`]),
        [K8S.pvc, `${n}-grafana-data`],
        [K8S.deployment, `${n}-grafana-deployment`],
        [K8S.service, `${n}-grafana-service`],
        ...(config.grafana.ingress !== undefined ? [[K8S.ingress, `${n}-grafana-ingress-route`] as [string, string]] : []),
        [K8S.networkPolicy, `${n}-grafana-ingress`],
        ['observatory:kubernetes:Jaeger', `${n}-jaeger`],
        [K8S.deployment, `${n}-jaeger-deployment`],
        [K8S.service, `${n}-jaeger-service`],
        [K8S.networkPolicy, `${n}-jaeger-ingress`],
      ];
      if (config.longTermStorage?.kind === 'thanos') {
        const t = `${n}-thanos`;
        expected.push(['observatory:kubernetes:Thanos', t], [K8S.pvc, `${t}-receive-data`], [K8S.deployment, `${t}-receive`], [K8S.service, `${t}-receive-service`], [K8S.networkPolicy, `${t}-receive-ingress`]);
        expected.push([K8S.deployment, `${t}-query`], [K8S.service, `${t}-query-service`], [K8S.networkPolicy, `${t}-query-ingress`]);
      }
      if (config.exporters.postgres.enabled) {
        expected.push(['observatory:kubernetes:PostgresExporter', `${n}-postgres-exporter`], [K8S.secret, `${n}-postgres-exporter-dsn`], [K8S.configMap, `${n}-postgres-exporter-queries`]);
        expected.push([K8S.deployment, `${n}-postgres-exporter-deployment`], [K8S.service, `${n}-postgres-exporter-service`], [K8S.networkPolicy, `${n}-postgres-exporter-ingress`]);
      }
      if (config.exporters.redis.enabled) {
        expected.push(['observatory:kubernetes:RedisExporter', `${n}-redis-exporter`]);
        if (secrets.redisPassword !== undefined) expected.push([K8S.secret, `${n}-redis-exporter-password`]);
        expected.push([K8S.deployment, `${n}-redis-exporter-deployment`], [K8S.service, `${n}-redis-exporter-service`], [K8S.networkPolicy, `${n}-redis-exporter-ingress`]);
      }
      if (config.exporters.node.enabled) {
        expected.push(['observatory:kubernetes:NodeExporter', `${n}-node-exporter`], [K8S.namespace, `${n}-node-exporter-namespace`], [K8S.daemonSet, `${n}-node-exporter-daemonset`]);
        expected.push([K8S.role, `${n}-prometheus-discovery-role-node-exporter`], [K8S.roleBinding, `${n}-prometheus-discovery-binding-node-exporter`]);
      }
      if (config.uptime.enabled) {
        const b = `${n}-blackbox-exporter`;
        expected.push(['observatory:kubernetes:BlackboxExporter', b], [K8S.configMap, `${b}-config`], [K8S.deployment, `${b}-deployment`], [K8S.service, `${b}-service`], [K8S.networkPolicy, `${b}-ingress`]);
      }
      for (const app of config.apps) {
        const a = `${n}-app-${app.name}`;
        expected.push(['observatory:kubernetes:Application', a], [K8S.deployment, `${a}-deployment`], [K8S.service, `${a}-service`], [K8S.hpa, `${a}-hpa`], [K8S.pdb, `${a}-pdb`]);
      }
      const key = ([t, name]: [string, string]) => `${t} ${name}`;
      expect(registered.map((r) => key([r.type, r.name])).sort()).toEqual(expected.map(key).sort());
    });

    it('parents every resource to the component whose name it carries', () => {
      // Mock URNs carry the parent's type: <parentType>$<type>::<name>.
      const parsed = registeredUrns().map((u) => {
        const [, , chain, name] = u.split('::');
        const types = chain.split('$');
        return { parentType: types.length > 1 ? types[0] : undefined, type: types[types.length - 1], name };
      });
      const top = 'observatory:kubernetes:MonitoringStack';
      const components = parsed.filter((p) => p.parentType === top && p.type.startsWith('observatory:kubernetes:'));
      expect(components.map((c) => c.type)).toContain('observatory:kubernetes:Prometheus');
      for (const p of parsed) {
        const at = `${p.type}::${p.name}`;
        if (p.type === top) expect(p.parentType, at).toBeUndefined();
        else if (p.type.startsWith('observatory:') || p.name === 'observatory-namespace') expect(p.parentType, at).toBe(top);
        // node_exporter's namespace is its component's, not the stack's.
        else if (p.type === K8S.namespace) expect([p.parentType, p.name], at).toEqual(['observatory:kubernetes:NodeExporter', 'observatory-node-exporter-namespace']);
        else expect(components.find((c) => c.type === p.parentType && p.name.startsWith(`${c.name}-`)), `${at} has no owning component`).toBeDefined();
      }
    });

    it('exports the in-cluster endpoints and the Grafana root URL as stack outputs', () => {
      const e = internalEndpoints(config);
      expect(outputs).toEqual({
        grafanaUrl: config.grafana.rootUrl,
        prometheusUrl: e.prometheus,
        alertmanagerUrl: e.alertmanager,
        jaegerUiUrl: e.jaegerQuery,
        otlpHttpEndpoint: e.otlpHttp,
        otlpGrpcEndpoint: e.otlpGrpc,
      });
      expect(e.prometheus).toBe(`http://prometheus.${config.namespace}.svc:9090`);
    });

    it('puts everything in the configured namespace (Pod Security restricted) but node_exporter, alone in its own privileged one', () => {
      type Ns = { metadata: { name: string; labels: Record<string, string> } };
      const namespaces = new Map(byType(registered, K8S.namespace).map((r) => [inputsOf<Ns>(r).metadata.name, inputsOf<Ns>(r).metadata.labels]));
      const nodeNs = nodeExporterNamespace(config);
      expect([...namespaces.keys()].sort()).toEqual(config.exporters.node.enabled ? [config.namespace, nodeNs].sort() : [config.namespace]);
      expect(namespaces.get(config.namespace)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
      if (config.exporters.node.enabled) expect(namespaces.get(nodeNs)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
      const privileged = new Set([K8S.daemonSet, K8S.role, K8S.roleBinding].map((t) => `${t} ${nodeNs}`));
      for (const r of registered.filter((x) => x.type.startsWith('kubernetes:') && x.type !== K8S.namespace)) {
        const ns = inputsOf<{ metadata: { namespace?: string } }>(r).metadata.namespace;
        if (ns === nodeNs) expect(privileged.has(`${r.type} ${ns}`) && (r.type !== K8S.daemonSet || r.name.endsWith('node-exporter-daemonset')), r.name).toBe(true);
        else expect(ns, r.name).toBe(config.namespace);
      }
      if (config.exporters.node.enabled) expect(byType(registered, K8S.daemonSet).map((r) => inputsOf<{ metadata: { namespace: string } }>(r).metadata.namespace)).toEqual([nodeNs]);
    });

    it('claims name the StorageClass the stack names and none otherwise (the cluster default)', () => {
      // Standalone claims, and the claim templates of HA StatefulSets (one claim per replica).
      const pvcs = byType(registered, K8S.pvc).map((r) => inputsOf<Pvc>(r));
      const templates = byType(registered, K8S.statefulSet).flatMap((r) => inputsOf<{ spec: { volumeClaimTemplates?: Pvc[] } }>(r).spec.volumeClaimTemplates ?? []);
      const claims = [...pvcs, ...templates];
      const standalone = [
        ...(config.alertmanager.replicas > 1 ? [] : ['alertmanager-data']),
        'grafana-data',
        ...(config.prometheus.replicas > 1 ? [] : ['prometheus-data']),
        ...(config.longTermStorage?.kind === 'thanos' ? ['thanos-receive-data'] : []),
      ];
      expect(pvcs.map((p) => p.metadata.name).sort()).toEqual(standalone.sort());
      expect(templates).toHaveLength((config.alertmanager.replicas > 1 ? 1 : 0) + (config.prometheus.replicas > 1 ? 1 : 0));
      // destroy removes the replicas' claims too (a real API server keeps them otherwise: Retain is the default).
      for (const r of byType(registered, K8S.statefulSet)) {
        expect(inputsOf<{ spec: { persistentVolumeClaimRetentionPolicy?: unknown } }>(r).spec.persistentVolumeClaimRetentionPolicy, r.name).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
      }
      for (const p of claims) expect(p.spec.storageClassName, p.metadata.name).toBe(config.storage.storageClass);
    });

    it('no workload is killed by a failing dependency: liveness and readiness differ wherever the program offers two checks', () => {
      for (const { workload: w, spec } of podSpecs(registered)) {
        const c = spec.containers[0];
        const live = c.livenessProbe.httpGet?.path ?? `tcp:${c.livenessProbe.tcpSocket?.port}`;
        const ready = c.readinessProbe.httpGet?.path;
        // The exporters answer one static page (blackbox_exporter: /-/healthy only) and Jaeger one status endpoint, none of which checks a dependency.
        const oneCheck = ['postgres-exporter', 'redis-exporter', 'node-exporter', 'blackbox-exporter', 'jaeger'].includes(w);
        if (!oneCheck) expect(live, w).not.toBe(ready);
      }
      for (const app of config.apps) {
        const c = workload(registered, app.name).spec.containers[0];
        expect(c.readinessProbe.httpGet?.path, app.name).toBe(app.healthPath);
        if (app.livenessPath === undefined) expect(c.livenessProbe.tcpSocket?.port, app.name).toBe(app.port);
      }
    });

    it('Grafana: reached through its Ingress when the stack has one, with a root URL that matches', () => {
      const ingresses = byType(registered, K8S.ingress).map((r) => inputsOf<Ingress>(r));
      const ingress = config.grafana.ingress;
      if (ingress === undefined) {
        expect(ingresses).toEqual([]);
        return;
      }
      expect(ingresses).toHaveLength(1);
      const [i] = ingresses;
      expect(i.spec.rules[0].host).toBe(ingress.host);
      expect(i.spec.rules[0].http.paths[0].backend.service.name).toBe(SERVICE_NAMES.grafana);
      expect(i.spec.tls ?? []).toEqual(ingress.tlsSecretName !== undefined ? [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] : []);
      expect(outputs.grafanaUrl).toBe(`${ingress.tlsSecretName !== undefined ? 'https' : 'http'}://${ingress.host}`);
      const env = Object.fromEntries((workload(registered, 'grafana').spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
      expect(env.GF_SERVER_ROOT_URL).toBe(outputs.grafanaUrl);
    });

    it('names Services after generators/topology.ts SERVICE_NAMES and the apps, all ClusterIP', () => {
      const services = byType(registered, K8S.service).map((r) => inputsOf<Service>(r));
      const expected = [SERVICE_NAMES.prometheus, SERVICE_NAMES.alertmanager, SERVICE_NAMES.grafana, SERVICE_NAMES.jaeger, ...config.apps.map((a) => a.name)];
      if (config.exporters.postgres.enabled) expected.push(SERVICE_NAMES.postgresExporter);
      if (config.exporters.redis.enabled) expected.push(SERVICE_NAMES.redisExporter);
      if (config.longTermStorage?.kind === 'thanos') expected.push(SERVICE_NAMES.thanosReceive, SERVICE_NAMES.thanosQuery);
      if (config.uptime.enabled) expected.push(SERVICE_NAMES.blackboxExporter);
      const headless = [...(config.prometheus.replicas > 1 ? [PROMETHEUS_REPLICAS_SERVICE] : []), ...(config.alertmanager.replicas > 1 ? [ALERTMANAGER_CLUSTER_SERVICE] : [])];
      expect(services.map((s) => s.metadata.name).sort()).toEqual([...expected, ...headless].sort());
      expect(config.serviceTypes.grafana).toBe('ClusterIP');
      for (const s of services.filter((x) => !headless.includes(x.metadata.name))) expect(s.spec.type, s.metadata.name).toBe('ClusterIP');
      for (const s of services.filter((x) => headless.includes(x.metadata.name))) expect((s.spec as { clusterIP?: string }).clusterIP, s.metadata.name).toBe('None');
    });
  });

  describe(`${stack} (kubernetes): shipped bytes are the render output`, () => {
    it('every ConfigMap-shipped artifact reaches its container path byte for byte from generated/', () => {
      const rendered = renderStack(config).filter((a) => routeOf(a.path) && !routeOf(a.path)?.secret);
      expect(rendered.map((a) => a.path)).toContain('prometheus/prometheus.yml');
      const serviceOf = { prometheus: 'prometheus', grafana: 'grafana', alertmanager: 'alertmanager', postgresExporter: 'postgres-exporter', blackboxExporter: 'blackbox-exporter' } as const;
      for (const a of rendered) {
        const route = routeOf(a.path)!;
        const files = podFiles(registered, workload(registered, serviceOf[route.service]).spec);
        const onDisk = fs.readFileSync(path.join(REPO, 'generated', stack, a.path), 'utf8');
        expect(files.get(`${route.dir}/${a.path.slice(route.prefix.length)}`), a.path).toBe(onDisk);
      }
    });

    it('secret-route artifacts (alertmanager/) reach Alertmanager from a Secret, rendered with the secret values', () => {
      const expected = renderStack(config, { secrets }).filter((a) => routeOf(a.path)?.secret);
      const files = podFiles(registered, workload(registered, 'alertmanager').spec);
      const configFiles = [...files.keys()].filter((f) => f.startsWith('/etc/alertmanager/config/'));
      expect(configFiles.length).toBe(expected.length);
      for (const a of expected) {
        const route = routeOf(a.path)!;
        expect(files.get(`${route.dir}/${a.path.slice(route.prefix.length)}`), a.path).toBe(a.content);
      }
    });

    it('Grafana: every dashboards provider reads the directory the dashboards are mounted in, every datasource URL names a Service', () => {
      const rendered = renderStack(config);
      const files = podFiles(registered, workload(registered, 'grafana').spec);
      const services = new Set(byType(registered, K8S.service).map((r) => inputsOf<Service>(r).metadata.name));
      for (const a of rendered.filter((x) => x.path.startsWith('grafana/provisioning/dashboards/'))) {
        const doc = yaml.load(a.content) as { providers: { options: { path: string } }[] };
        for (const p of doc.providers) {
          expect(p.options.path, a.path).toBe(GRAFANA_DASHBOARDS_DIR);
          for (const d of rendered.filter((x) => x.path.startsWith('dashboards/'))) expect(files.has(`${p.options.path}/${path.basename(d.path)}`), d.path).toBe(true);
        }
      }
      for (const a of rendered.filter((x) => x.path.startsWith('grafana/provisioning/datasources/'))) {
        const doc = yaml.load(a.content) as { datasources: { name: string; url: string }[] };
        for (const ds of doc.datasources) {
          const host = new URL(ds.url).hostname;
          expect(host, `${a.path} ${ds.name}`).toMatch(new RegExp(`^[a-z0-9-]+\\.${config.namespace}\\.svc$`));
          expect(services.has(host.split('.')[0]), `${a.path} ${ds.name} -> ${host}`).toBe(true);
        }
      }
    });

    it('ships no ConfigMap data that is not a rendered artifact', () => {
      const contents = new Set(renderStack(config).map((a) => a.content));
      for (const r of byType(registered, K8S.configMap)) {
        for (const [key, value] of Object.entries(inputsOf<ConfigMap>(r).data ?? {})) expect(contents.has(value), `${r.name}/${key}`).toBe(true);
      }
    });

    it('Prometheus reads the rendered config and rules with retention from config', () => {
      const { spec } = workload(registered, 'prometheus');
      const args = spec.containers[0].args ?? [];
      expect(args).toContain('--config.file=/etc/prometheus/config/prometheus.yml');
      expect(args).toContain(`--storage.tsdb.retention.time=${config.retention.time}`);
      expect(args).toContain(`--storage.tsdb.retention.size=${config.retention.size}`);
      const promYml = yaml.load(podFiles(registered, spec).get('/etc/prometheus/config/prometheus.yml')!) as PrometheusConfig;
      const rulesGlob = promYml.rule_files[0];
      const ruleFiles = [...podFiles(registered, spec).keys()].filter((f) => f.startsWith(path.dirname(rulesGlob)));
      expect(ruleFiles.length).toBe(renderStack(config).filter((a) => a.path.startsWith('prometheus/rules/')).length);
      expect(ruleFiles.length).toBeGreaterThan(0);
    });
  });

  describe(`${stack} (kubernetes): Prometheus can discover what it is told to scrape`, () => {
    it("its ServiceAccount may get/list/watch pods in the namespace and node_exporter's, and nothing else", () => {
      const roles = byType(registered, K8S.role).map((r) => inputsOf<Role>(r));
      const nodeNs = config.exporters.node.enabled ? [nodeExporterNamespace(config)] : [];
      expect(roles.map((r) => r.metadata.namespace).sort()).toEqual([config.namespace, ...config.watchNamespaces, ...nodeNs].sort());
      for (const role of roles) expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
      const sa = inputsOf<{ metadata: { name: string } }>(byType(registered, K8S.serviceAccount)[0]).metadata.name;
      const bindings = byType(registered, K8S.roleBinding).map((r) => inputsOf<RoleBinding>(r));
      expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(roles.map((r) => r.metadata.namespace).sort());
      for (const binding of bindings) {
        const role = roles.find((r) => r.metadata.namespace === binding.metadata.namespace)!;
        expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa, namespace: config.namespace }]);
      }
      expect(workload(registered, 'prometheus').spec.serviceAccountName).toBe(sa);
      expect(byType(registered, 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole')).toEqual([]);
    });

    it('app pods carry the labels and annotations the rendered apps job selects and relabels on', () => {
      const promYml = yaml.load(fs.readFileSync(path.join(REPO, 'generated', stack, 'prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
      const job = promYml.scrape_configs.find((j) => j.job_name === 'apps')!;
      const sd = job.kubernetes_sd_configs![0];
      expect(sd.namespaces?.names).toEqual([config.namespace]);
      const [labelKey, labelValue] = sd.selectors![0].label.split('=');
      for (const app of config.apps) {
        const w = workload(registered, app.name);
        expect(w.labels[labelKey]).toBe(labelValue);
        expect(w.labels[K8S_APP_LABELS.name]).toBe(app.name); // becomes the `service` label
        expect(w.annotations).toEqual({ [SCRAPE_ANNOTATIONS.scrape]: 'true', [SCRAPE_ANNOTATIONS.port]: String(app.port), [SCRAPE_ANNOTATIONS.path]: app.metricsPath });
        expect(w.spec.containers[0].ports?.map((p) => p.containerPort)).toContain(app.port);
        const env = Object.fromEntries((w.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
        expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(internalEndpoints(config).otlpHttp);
      }
      if (config.exporters.node.enabled) {
        const nodeJob = promYml.scrape_configs.find((j) => j.job_name === 'node-exporter')!;
        expect(nodeJob.kubernetes_sd_configs![0].namespaces?.names).toEqual([nodeExporterNamespace(config)]);
        const [k, v] = nodeJob.kubernetes_sd_configs![0].selectors![0].label.split('=');
        expect(workload(registered, 'node-exporter').labels[k]).toBe(v);
        expect(workload(registered, 'node-exporter').spec.containers[0].ports?.map((p) => p.containerPort)).toEqual([PORTS.nodeExporter]);
      }
    });
  });

  describe(`${stack} (kubernetes): autoscaling from config`, () => {
    it('one autoscaling/v2 HPA per app with min, max, CPU/memory targets and stabilisation windows from config', () => {
      const hpas = byType(registered, K8S.hpa).map((r) => inputsOf<Hpa>(r));
      expect(hpas.map((h) => h.metadata.name).sort()).toEqual(config.apps.map((a) => a.name).sort());
      for (const app of config.apps) {
        const h = hpas.find((x) => x.metadata.name === app.name)!;
        expect(h.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app.name });
        expect([h.spec.minReplicas, h.spec.maxReplicas]).toEqual([app.replicas.min, app.replicas.max]);
        const targets = Object.fromEntries(h.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization]));
        expect(targets).toEqual(app.memoryTarget === undefined ? { cpu: app.cpuTarget } : { cpu: app.cpuTarget, memory: app.memoryTarget });
        expect(h.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(app.scaleUpStabilizationSeconds);
        expect(h.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(app.scaleDownStabilizationSeconds);
      }
    });

    it('one PodDisruptionBudget per app selecting its pods, minAvailable from config', () => {
      const pdbs = byType(registered, K8S.pdb).map((r) => inputsOf<Pdb>(r));
      for (const app of config.apps) {
        const p = pdbs.find((x) => x.metadata.name === app.name)!;
        expect(p.spec.minAvailable).toBe(app.minAvailable);
        const podLabels = workload(registered, app.name).labels;
        for (const [k, v] of Object.entries(p.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
      }
    });

    it('leaves Deployment replicas to the HPA', () => {
      for (const app of config.apps) {
        const d = byType(registered, K8S.deployment).map((r) => inputsOf<{ metadata: { name: string }; spec: { replicas?: number } }>(r)).find((x) => x.metadata.name === app.name)!;
        expect(d.spec.replicas).toBeUndefined();
      }
    });
  });

  describe(`${stack} (kubernetes): secrets`, () => {
    it('no secret value appears outside a secret anywhere in the graph, nor in stack outputs', () => {
      for (const r of registered) expect(plainLeaks(r.inputs, SECRET_NEEDLES), `${r.type} ${r.name}`).toEqual([]);
      expect(anyLeaks(outputs, SECRET_NEEDLES)).toEqual([]);
    });

    it('no ConfigMap holds a secret value, wrapped or not', () => {
      for (const r of byType(registered, K8S.configMap)) expect(anyLeaks(r.inputs, SECRET_NEEDLES), r.name).toEqual([]);
    });

    it('no container has a secret in a plain env value; secrets come by secretKeyRef from Secrets that hold them', () => {
      for (const { workload: w, spec } of podSpecs(registered)) {
        for (const c of spec.containers) {
          for (const e of c.env ?? []) {
            expect(anyLeaks(e.value ?? '', SECRET_NEEDLES), `${w}/${e.name}`).toEqual([]);
            if (e.valueFrom?.secretKeyRef) {
              const ref = e.valueFrom.secretKeyRef;
              const secret = byType(registered, K8S.secret).find((s) => stateOf<Secret>(s).metadata.name === ref.name);
              expect(secret, `${w}/${e.name} -> ${ref.name}`).toBeDefined();
              const value = inputsOf<Secret>(secret!).stringData?.[ref.key];
              expect(Object.values(FAKE_SECRETS)).toContain(value);
            }
          }
        }
      }
      const grafanaEnv = workload(registered, 'grafana').spec.containers[0].env ?? [];
      expect(grafanaEnv.find((e) => e.name === 'GF_SECURITY_ADMIN_PASSWORD')?.valueFrom?.secretKeyRef?.key).toBe('grafanaAdminPassword');
      expect(grafanaEnv.find((e) => e.name === 'GF_AUTH_ANONYMOUS_ENABLED')?.value).toBe('false');
      if (config.exporters.postgres.enabled) {
        const pgEnv = workload(registered, 'postgres-exporter').spec.containers[0].env ?? [];
        expect(pgEnv.find((e) => e.name === 'DATA_SOURCE_NAME')?.valueFrom?.secretKeyRef?.key).toBe('postgresDsn');
      }
      const redisEnv = workload(registered, 'redis-exporter').spec.containers[0].env ?? [];
      expect(redisEnv.some((e) => e.name === 'REDIS_PASSWORD')).toBe(secrets.redisPassword !== undefined);
    });

    it('every Secret value is marked secret for Pulumi state', () => {
      const secretObjects = byType(registered, K8S.secret);
      expect(secretObjects.length).toBeGreaterThanOrEqual(2);
      for (const r of secretObjects) {
        const data = r.inputs.stringData;
        const wrapped = isSecretWrapper(data) || Object.values(data as Record<string, unknown>).every(isSecretWrapper);
        expect(wrapped, r.name).toBe(true);
      }
    });
  });

  describe(`${stack} (kubernetes): every container is pinned, limited, probed and non-root`, () => {
    it('holds for every Deployment, DaemonSet and StatefulSet', () => {
      const allowed = new Set([...Object.values(config.images), ...config.apps.map((a) => a.image)]);
      const pods = podSpecs(registered);
      const thanos = config.longTermStorage?.kind === 'thanos' ? 2 : 0; // Receive and Query
      expect(pods.length).toBe(4 + thanos + config.apps.length + [config.exporters.postgres.enabled, config.exporters.redis.enabled, config.exporters.node.enabled, config.uptime.enabled].filter(Boolean).length);
      for (const { workload: w, spec, claims } of pods) {
        expect(spec.securityContext?.runAsNonRoot, w).toBe(true);
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const at = `${w}/${c.name}`;
          expect(isPinned(c.image ?? ''), `${at} image ${c.image}`).toBe(true);
          expect(allowed.has(c.image ?? ''), `${at} image ${c.image} comes from config.images or the app`).toBe(true);
          expect(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${at} requests`).toBeTruthy();
          expect(c.resources?.limits?.cpu && c.resources?.limits?.memory, `${at} limits`).toBeTruthy();
          expect(c.readinessProbe?.httpGet, `${at} readiness`).toBeDefined();
          expect(c.livenessProbe?.httpGet ?? c.livenessProbe?.tcpSocket, `${at} liveness`).toBeDefined();
          const sc = c.securityContext;
          expect(sc?.runAsNonRoot, at).toBe(true);
          expect(sc?.runAsUser ?? 0, at).toBeGreaterThan(0);
          expect(sc?.allowPrivilegeEscalation, at).toBe(false);
          expect(sc?.privileged ?? false, at).toBe(false);
          expect(sc?.capabilities?.drop, at).toEqual(['ALL']);
          const volumes = new Set([...(spec.volumes ?? []).map((v) => v.name), ...claims]);
          for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${at} mounts ${m.name}, a volume of its pod`).toBe(true);
        }
      }
    });
  });

  describe(`${stack} (kubernetes): network policies`, () => {
    const policy = (service: string) => {
      const found = byType(registered, K8S.networkPolicy).map((r) => inputsOf<NetworkPolicy>(r)).find((p) => p.metadata.name === `${service}-ingress`);
      if (!found) throw new Error(`no policy for ${service}`);
      return found;
    };
    const rules = (service: string) =>
      policy(service).spec.ingress.map((r) => ({ ports: r.ports.map((p) => p.port), from: r.from?.map((f) => f.podSelector?.matchLabels) ?? 'anywhere' }));
    const pod = (name: string) => ({ 'app.kubernetes.io/name': name });

    it('only Grafana reaches Prometheus; Prometheus and Grafana reach Alertmanager', () => {
      expect(rules('prometheus')).toEqual([{ ports: [PORTS.prometheus], from: [pod('grafana')] }]);
      expect(rules('alertmanager')).toEqual([
        { ports: [PORTS.alertmanager], from: [pod('prometheus'), pod('grafana')] },
        // A cluster's members gossip with each other (TCP and UDP) and with no one else.
        ...(config.alertmanager.replicas > 1 ? [{ ports: [PORTS.alertmanagerCluster, PORTS.alertmanagerCluster], from: [pod('alertmanager')] }] : []),
      ]);
    });

    it('only Grafana reaches the Jaeger query port; apps reach OTLP', () => {
      expect(rules('jaeger')).toEqual([
        { ports: [PORTS.jaegerQuery], from: [pod('grafana')] },
        { ports: [PORTS.otlpGrpc, PORTS.otlpHttp], from: [{ [K8S_APP_LABELS.partOf]: K8S_APP_LABELS.partOfValue }] },
      ]);
      for (const app of config.apps) expect(workload(registered, app.name).labels[K8S_APP_LABELS.partOf]).toBe(K8S_APP_LABELS.partOfValue);
    });

    it('only Prometheus reaches the exporters metrics ports', () => {
      if (config.exporters.postgres.enabled) expect(rules('postgres-exporter')).toEqual([{ ports: [PORTS.postgresExporter], from: [pod('prometheus')] }]);
      if (config.exporters.redis.enabled) expect(rules('redis-exporter')).toEqual([{ ports: [PORTS.redisExporter], from: [pod('prometheus')] }]);
    });

    it('each policy selects the pods of its service', () => {
      for (const p of byType(registered, K8S.networkPolicy).map((r) => inputsOf<NetworkPolicy>(r))) {
        const service = p.metadata.name.replace(/-ingress$/, '');
        expect(p.spec.policyTypes).toEqual(['Ingress']);
        expect(workload(registered, service).labels['app.kubernetes.io/name']).toBe(p.spec.podSelector.matchLabels['app.kubernetes.io/name']);
      }
    });
  });
}
