/**
 * Pulumi mocks: a kubernetes stack with the options the committed stacks leave at their defaults
 * (watched namespaces, a moved node_exporter, a named StorageClass, a Grafana Ingress, an HPA
 * memory target), run through the program itself, so each option reaches the objects it promises.
 */
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrometheusConfig } from '../generators/prometheusConfig';
import { FAKE_SECRETS, byType, registeredUrns, settle, setConfig, setupMocks, type Registered } from './pulumiHarness';
import { K8S, inputsOf, podFiles, workload, type Ingress, type NetworkPolicy, type Pvc, type Role, type RoleBinding } from './pulumiViews';

const registered: Registered[] = setupMocks('prod');
const warnings: string[] = [];

const raw = {
  target: 'kubernetes',
  apps: [{ name: 'checkout', image: 'registry.corp.internal/checkout:2.0.1', port: 8080, memoryTarget: 80 }],
  watchNamespaces: ['shop', 'payments'],
  exporters: { node: { port: 9110, namespace: 'host-agents' } },
  storage: { storageClass: 'fast-ssd' },
  grafana: { ingress: { host: 'grafana.corp.internal', className: 'nginx', tlsSecretName: 'grafana-tls' } },
  alerts: { runbookBaseUrl: 'https://runbooks.corp.internal/observatory' },
};

beforeAll(async () => {
  // Without an engine (mocks), pulumi.log.warn writes to console.warn.
  vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
  setConfig(raw, { grafanaAdminPassword: FAKE_SECRETS.grafanaAdminPassword, postgresDsn: FAKE_SECRETS.postgresDsn });
  const { deploy } = await import('../stacks/program');
  deploy();
  await settle();
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('kubernetes options through the Pulumi program', () => {
  it('watched namespaces: a discovery Role and RoleBinding in each, bound to the ServiceAccount in the stack namespace', () => {
    const roles = byType(registered, K8S.role).map((r) => inputsOf<Role>(r));
    // Registration order follows the outputs they wait for; compare as sets.
    // host-agents: node_exporter's namespace (exporters.node.namespace), for the node-exporter job.
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['host-agents', 'observatory', 'payments', 'shop']);
    for (const r of roles) expect(r.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const bindings = byType(registered, K8S.roleBinding).map((r) => inputsOf<RoleBinding>(r));
    expect(bindings.map((b) => [b.metadata.namespace, b.subjects]).sort()).toEqual(
      ['host-agents', 'observatory', 'payments', 'shop'].map((ns) => [ns, [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'observatory' }]]),
    );
  });

  it('watched namespaces: the shipped prometheus.yml discovers app pods in all three, Jaeger takes their spans', () => {
    const promYml = yaml.load(podFiles(registered, workload(registered, 'prometheus').spec).get('/etc/prometheus/config/prometheus.yml')!) as PrometheusConfig;
    expect(promYml.scrape_configs.find((j) => j.job_name === 'apps')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['observatory', 'shop', 'payments'] });
    const jaeger = byType(registered, K8S.networkPolicy).map((r) => inputsOf<NetworkPolicy>(r)).find((p) => p.metadata.name === 'jaeger-ingress')!;
    expect(jaeger.spec.ingress[1].from).toContainEqual({ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'payments'] }] } });
  });

  it('node_exporter in exporters.node.namespace: created privileged under its component, the DaemonSet there, the shipped job discovers there', () => {
    type Ns = { metadata: { name: string; labels: Record<string, string> } };
    const namespaces = byType(registered, K8S.namespace);
    expect(namespaces.map((r) => [r.name, inputsOf<Ns>(r).metadata.name]).sort()).toEqual([['observatory-namespace', 'observatory'], ['observatory-node-exporter-namespace', 'host-agents']]);
    const mine = namespaces.find((r) => inputsOf<Ns>(r).metadata.name === 'host-agents')!;
    expect(inputsOf<Ns>(mine).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    // Mock URNs carry the parent's type (<parentType>$<type>::<name>): a child of the NodeExporter component.
    expect(registeredUrns().filter((u) => u.endsWith(`::${mine.name}`)).map((u) => u.split('::')[2])).toEqual([`observatory:kubernetes:NodeExporter$${K8S.namespace}`]);
    expect(byType(registered, K8S.daemonSet).map((r) => inputsOf<{ metadata: { namespace: string } }>(r).metadata.namespace)).toEqual(['host-agents']);
    const promYml = yaml.load(podFiles(registered, workload(registered, 'prometheus').spec).get('/etc/prometheus/config/prometheus.yml')!) as PrometheusConfig;
    expect(promYml.scrape_configs.find((j) => j.job_name === 'node-exporter')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['host-agents'] });
    // The apps job does not watch it: no app belongs there.
    expect(promYml.scrape_configs.find((j) => j.job_name === 'apps')!.kubernetes_sd_configs![0].namespaces!.names).not.toContain('host-agents');
  });

  it('node_exporter on exporters.node.port: the DaemonSet listens there and the shipped scrape job keeps only that port', () => {
    const container = workload(registered, 'node-exporter').spec.containers[0];
    expect(container.ports?.map((p) => p.containerPort)).toEqual([9110]);
    expect(container.args).toContain('--web.listen-address=:9110');
    const promYml = yaml.load(podFiles(registered, workload(registered, 'prometheus').spec).get('/etc/prometheus/config/prometheus.yml')!) as PrometheusConfig;
    expect(promYml.scrape_configs.find((j) => j.job_name === 'node-exporter')!.relabel_configs![0]).toMatchObject({ regex: '9110', action: 'keep' });
  });

  it('every claim names the StorageClass the stack names', () => {
    const pvcs = byType(registered, K8S.pvc).map((r) => inputsOf<Pvc>(r));
    expect(pvcs).toHaveLength(3);
    for (const p of pvcs) expect(p.spec.storageClassName, p.metadata.name).toBe('fast-ssd');
  });

  it('Grafana: an Ingress with TLS, and the root URL Grafana is told is that https host', () => {
    const [ingress] = byType(registered, K8S.ingress).map((r) => inputsOf<Ingress>(r));
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['grafana.corp.internal'], secretName: 'grafana-tls' }]);
    const env = Object.fromEntries((workload(registered, 'grafana').spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
    expect([env.GF_SERVER_ROOT_URL, env.GF_SECURITY_COOKIE_SECURE]).toEqual(['https://grafana.corp.internal', 'true']);
  });

  it('an HPA memory target still scales on it, and the program logs the warning render prints', () => {
    const [hpa] = byType(registered, K8S.hpa).map((r) => inputsOf<{ spec: { metrics: { resource: { name: string } }[] } }>(r));
    expect(hpa.spec.metrics.map((m) => m.resource.name)).toEqual(['cpu', 'memory']);
    expect(warnings).toEqual([
      "warning: [runtime] stack prod: observatory:apps[0].memoryTarget: (80) scales checkout out whenever its pods average more than 102Mi (80% of requests.memory 128Mi); memory rarely falls when load does, so an app resting above that stays at replicas.max (10); prefer cpuTarget alone unless the app's memory follows its load",
    ]);
  });
});
