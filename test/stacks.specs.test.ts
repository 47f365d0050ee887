/**
 * The pure builders behind the Pulumi components (no Pulumi engine): artifact routing, ConfigMap
 * limits, quantities, and the kubernetes/docker objects built from config.
 */
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import { PORTS } from '../generators/topology';
import { checkArtifacts, filesUnder, routeOf } from '../stacks/artifacts';
import { secretPlaceholder } from '../stacks/config/secrets';
import { buildAppReplicaContainer } from '../stacks/docker/application';
import { buildContainerArgs, buildHealthcheck } from '../stacks/docker/container';
import { buildGrafanaContainer, buildGrafanaUploads } from '../stacks/docker/grafana';
import { buildDeploymentSpec, buildHpaSpec, buildPdbSpec } from '../stacks/kubernetes/application';
import { buildGrafanaDeployment, buildGrafanaIngress, planGrafana } from '../stacks/kubernetes/grafana';
import { buildNodeExporterDaemonSet } from '../stacks/kubernetes/nodeExporter';
import { buildNodeExporterNamespace, buildStackNamespace } from '../stacks/kubernetes/podSecurity';
import { buildContainer, buildPvcArgs, buildServiceArgs } from '../stacks/kubernetes/pod';
import { buildPrometheusDeployment, buildPrometheusRoleBinding, discoverySuffixes, planPrometheus } from '../stacks/kubernetes/prometheus';
import { jaegerIngressRules } from '../stacks/kubernetes/jaeger';
import { buildIngressPolicy } from '../stacks/kubernetes/networkPolicy';
import { configWarnings, memoryTargetWarning } from '../stacks/config/warnings';
import { buildScrapeConfigs } from '../generators/prometheusConfig';
import { INFRA_RESOURCES, type InfraService } from '../stacks/resources';
import type * as k8s from '@pulumi/kubernetes';
import { CONFIGMAP_MAX_BYTES, buildVolumeData } from '../stacks/kubernetes/volumeData';
import { prepareStack } from '../stacks/monitoringStack';
import { GRAFANA_DASHBOARDS_DIR, UNSHIPPED_PREFIXES } from '../stacks/paths';
import { cpuString, memoryBytes, memoryMiB } from '../stacks/quantity';
import { alertmanagerRecipe, appRecipe, grafanaRecipe, infraRecipes, jaegerRecipe, prometheusRecipe } from '../stacks/recipes';
import { config, errorOf } from './helpers';
import type { DaemonSet, Deployment, DockerContainer, Hpa, NetworkPolicy, Pdb, Service } from './pulumiViews';

type Obj = Record<string, unknown>;
/** Reads a built (plain, Output-free) object the way the API server or Docker receives it. */
const data = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

describe('artifact routing', () => {
  it('every artifact renderStack produces has a destination or is a document for people', () => {
    for (const stack of ['dev', 'prod'] as const) {
      const c = config(stack === 'dev' ? { target: 'docker' } : {}, stack);
      const artifacts = renderStack(c);
      expect(() => checkArtifacts(stack, artifacts)).not.toThrow();
      for (const a of artifacts) expect(routeOf(a.path) !== undefined || UNSHIPPED_PREFIXES.some((p) => a.path.startsWith(p)), a.path).toBe(true);
    }
  });

  it('longest prefix wins: rules go to the rules directory, prometheus.yml to the config directory', () => {
    const artifacts: Artifact[] = [
      { path: 'prometheus/prometheus.yml', content: 'a' },
      { path: 'prometheus/rules/x.yml', content: 'b' },
    ];
    expect(filesUnder(artifacts, 'prometheus/').map((f) => f.containerPath)).toEqual(['/etc/prometheus/config/prometheus.yml']);
    expect(filesUnder(artifacts, 'prometheus/rules/').map((f) => f.containerPath)).toEqual(['/etc/prometheus/rules/x.yml']);
  });

  it('an artifact without a destination stops the deployment instead of being dropped', () => {
    const artifacts: Artifact[] = [
      { path: 'prometheus/prometheus.yml', content: '' },
      { path: 'alertmanager/alertmanager.yml', content: '' },
      { path: 'loki/loki.yml', content: '' },
    ];
    expect(errorOf(() => checkArtifacts('prod', artifacts)).message).toBe(
      'stack prod: loki/loki.yml: has no destination; add its prefix to ARTIFACT_ROUTES or UNSHIPPED_PREFIXES in stacks/paths.ts',
    );
  });

  it('a secret placeholder outside the secret route (alertmanager/) is refused', () => {
    const artifacts: Artifact[] = [
      { path: 'prometheus/prometheus.yml', content: '' },
      { path: 'alertmanager/alertmanager.yml', content: `url: ${secretPlaceholder('slackWebhookUrl')}` },
      { path: 'grafana/provisioning/datasources/datasources.yml', content: `password: ${secretPlaceholder('postgresDsn')}` },
    ];
    expect(errorOf(() => checkArtifacts('prod', artifacts)).message).toBe(
      'stack prod: grafana/provisioning/datasources/datasources.yml: holds a secret placeholder but grafana/provisioning/ is shipped in plain ConfigMaps/uploads; render secrets only into a secret route',
    );
    expect(() => checkArtifacts('prod', artifacts.slice(0, 2))).not.toThrow();
  });

  it('prometheus.yml is required', () => {
    expect(errorOf(() => checkArtifacts('prod', [])).message).toBe('stack prod: prometheus/prometheus.yml: was not rendered; the service that reads it cannot start without it');
  });
});

describe('prepareStack', () => {
  it('refuses to build a stack without a secret its config needs, before rendering anything', () => {
    expect(errorOf(() => prepareStack(config(), {})).message).toBe(
      'stack prod: observatory:grafanaAdminPassword: secret is missing; set it with `pulumi config set --secret observatory:grafanaAdminPassword <value>`',
    );
  });
});

describe('ConfigMap data', () => {
  const file = (relPath: string, content: string) => ({ relPath, content, containerPath: `/x/${relPath}`, artifactPath: `grafana/provisioning/${relPath}` });

  it('keys cannot hold "/": nested paths come back through volume items', () => {
    expect(buildVolumeData([file('a/b.yml', 'x'), file('c.yml', 'y')], 'w')).toEqual({
      data: { 'a.b.yml': 'x', 'c.yml': 'y' },
      items: [
        { key: 'a.b.yml', path: 'a/b.yml' },
        { key: 'c.yml', path: 'c.yml' },
      ],
      bytes: 'a.b.yml'.length + 1 + 'c.yml'.length + 1,
    });
  });

  it('two paths mapping to one key are refused', () => {
    expect(errorOf(() => buildVolumeData([file('a/b.yml', 'x'), file('a.b.yml', 'y')], 'w')).message).toBe(
      'grafana/provisioning/a.b.yml: maps to the same ConfigMap key "a.b.yml" as grafana/provisioning/a/b.yml; rename one of them',
    );
  });

  it('exactly 1 MiB fits; one byte more fails naming the object', () => {
    const key = 'k.json';
    expect(buildVolumeData([file(key, 'x'.repeat(CONFIGMAP_MAX_BYTES - key.length))], 'w').bytes).toBe(CONFIGMAP_MAX_BYTES);
    expect(errorOf(() => buildVolumeData([file(key, 'x'.repeat(CONFIGMAP_MAX_BYTES - key.length + 1))], 'stack prod: ConfigMap q')).key).toBe('stack prod: ConfigMap q');
  });

  it('counts bytes, not characters', () => {
    const key = 'k.json';
    const twoByteChars = 'é'.repeat((CONFIGMAP_MAX_BYTES - key.length) / 2 + 1);
    expect(twoByteChars.length).toBeLessThan(CONFIGMAP_MAX_BYTES);
    expect(() => buildVolumeData([file(key, twoByteChars)], 'w')).toThrow(/holds at most 1048576 bytes/);
  });
});

describe('quantities for docker', () => {
  it('converts memory to MiB and CPU to decimal cores', () => {
    expect([memoryMiB('256Mi', 'k'), memoryMiB('1Gi', 'k'), memoryMiB('1G', 'k'), memoryMiB('134217728', 'k')]).toEqual([256, 1024, 953, 128]);
    expect([cpuString('500m', 'k'), cpuString('2', 'k'), cpuString('1.5', 'k'), cpuString('250m', 'k')]).toEqual(['0.5', '2', '1.5', '0.25']);
  });

  it('rejects what docker cannot take', () => {
    expect(errorOf(() => memoryMiB('5Mi', 'apps[0]')).message).toBe('apps[0]: "5Mi" is below Docker\'s minimum memory limit of 6Mi');
    expect(errorOf(() => cpuString('0m', 'x')).message).toBe('x: "0m" must be more than zero');
    expect(errorOf(() => memoryMiB('lots', 'x')).message).toBe('x: "lots" is not a memory quantity such as 256Mi or 1Gi');
  });
});

describe('kubernetes builders', () => {
  const c = config({ apps: [{ name: 'api', image: 'registry.example.com/api:1.2.3', port: 8080 }] });
  const app = c.apps[0];

  it('buildHpaSpec: the documented defaults (70% CPU, 2-10 replicas, 60 s up, 300 s down, no memory target)', () => {
    const hpa = data<Hpa>(buildHpaSpec(app, 'ns', 'api'));
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 300 } },
    });
  });

  it('buildHpaSpec: memory target and windows from config', () => {
    const tuned = config({ apps: [{ ...app, memoryTarget: 75, cpuTarget: 55, scaleUpStabilizationSeconds: 0, scaleDownStabilizationSeconds: 600 }] }).apps[0];
    const spec = data<Hpa>(buildHpaSpec(tuned, 'ns', 'api')).spec;
    expect(spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 55 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
    ]);
    expect(spec.behavior).toEqual({ scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 600 } });
  });

  it('buildDeploymentSpec: liveness on apps[i].livenessPath when the app has one', () => {
    const own = config({ apps: [{ ...app, healthPath: '/ready', livenessPath: '/alive' }] }).apps[0];
    const container = data<Deployment>(buildDeploymentSpec(c, own, 'ns')).spec.template.spec.containers[0];
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 8080 } });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/alive', port: 8080 } });
  });

  it('probes: Grafana lives on /healthz (no database check) and is ready on /api/health; Prometheus and Alertmanager on /-/healthy and /-/ready', () => {
    const probesOf = (recipe: ReturnType<typeof grafanaRecipe>) => {
      const container = data<k8s.types.output.core.v1.Container>(buildContainer(recipe, { secretName: 's' }));
      return [container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path];
    };
    expect(probesOf(grafanaRecipe(c))).toEqual(['/healthz', '/api/health']);
    expect(probesOf(prometheusRecipe(c))).toEqual(['/-/healthy', '/-/ready']);
    expect(probesOf(alertmanagerRecipe(c))).toEqual(['/-/healthy', '/-/ready']);
  });

  it('GOMEMLIMIT: every monitoring service (all Go programs) gets 90% of its memory limit, apps none', () => {
    const all = infraRecipes(config({ exporters: { node: { enabled: true } } }), true);
    expect(Object.keys(all).sort()).toEqual(['alertmanager', 'blackboxExporter', 'grafana', 'jaeger', 'nodeExporter', 'postgresExporter', 'prometheus', 'redisExporter']);
    for (const [service, recipe] of Object.entries(all)) {
      const limit = memoryBytes(INFRA_RESOURCES.prod[service as InfraService].limits.memory, service);
      expect(recipe.env.GOMEMLIMIT, service).toBe(`${Math.floor((limit * 0.9) / 2 ** 20)}MiB`);
    }
    // prod Prometheus: a 4Gi limit
    expect(prometheusRecipe(c).env.GOMEMLIMIT).toBe('3686MiB');
    expect(appRecipe(c, app).env.GOMEMLIMIT).toBeUndefined();
  });

  it('PersistentVolumeClaims name no StorageClass (the cluster default) unless the stack names one', () => {
    expect(data<k8s.types.output.core.v1.PersistentVolumeClaim>(buildPvcArgs('p', 'ns', '10Gi', c.storage.storageClass, {})).spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    const named = config({ storage: { storageClass: 'fast-ssd' } });
    expect(data<k8s.types.output.core.v1.PersistentVolumeClaim>(buildPvcArgs('p', 'ns', '10Gi', named.storage.storageClass, {})).spec.storageClassName).toBe('fast-ssd');
  });

  it('node_exporter: exporters.node.port is the listen flag, the host-network container port and the one port the scrape job keeps', () => {
    const moved = config({ exporters: { node: { port: 9110 } } });
    const container = data<DaemonSet>(buildNodeExporterDaemonSet(moved, 'ns')).spec.template.spec.containers[0];
    expect(container.args).toContain('--web.listen-address=:9110');
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9110, protocol: 'TCP' }]);
    const job = buildScrapeConfigs(moved).find((j) => j.job_name === 'node-exporter')!;
    expect(job.relabel_configs![0]).toEqual({ source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: '9110', action: 'keep' });
    expect(buildScrapeConfigs(c).find((j) => j.job_name === 'node-exporter')!.relabel_configs![0].regex).toBe('9100');
    const dev = config({ target: 'docker', exporters: { node: { port: 9110 } } }, 'dev');
    expect(buildScrapeConfigs(dev).find((j) => j.job_name === 'node-exporter')!.static_configs![0].targets).toEqual(['node-exporter:9110']);
    const off = config({ exporters: { node: { enabled: false } } });
    expect(buildScrapeConfigs(off).map((j) => j.job_name)).not.toContain('node-exporter');
    expect(infraRecipes(off, false).nodeExporter).toBeUndefined();
  });

  it('Pod Security: the stack namespace enforces restricted; node_exporter gets its own privileged namespace, which the node-exporter job discovers in', () => {
    const levels = (labels: Record<string, string>) => ['enforce', 'audit', 'warn'].map((m) => labels[`pod-security.kubernetes.io/${m}`]);
    const stackNs = data<{ metadata: { name: string; labels: Record<string, string> } }>(buildStackNamespace(c));
    expect([stackNs.metadata.name, ...levels(stackNs.metadata.labels)]).toEqual(['observatory', 'restricted', 'restricted', 'restricted']);
    const nodeNs = data<{ metadata: { name: string; labels: Record<string, string> } }>(buildNodeExporterNamespace(c));
    expect([nodeNs.metadata.name, ...levels(nodeNs.metadata.labels)]).toEqual(['observatory-node-exporter', 'privileged', 'privileged', 'privileged']);
    expect(buildScrapeConfigs(c).find((j) => j.job_name === 'node-exporter')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['observatory-node-exporter'] });
    // Derived from the stack namespace, or named.
    const other = config({ namespace: 'mon', exporters: { node: { namespace: 'host-agents' } } });
    expect(data<{ metadata: { name: string } }>(buildNodeExporterNamespace(config({ namespace: 'mon' }))).metadata.name).toBe('mon-node-exporter');
    expect(data<{ metadata: { name: string } }>(buildNodeExporterNamespace(other)).metadata.name).toBe('host-agents');
    expect(buildScrapeConfigs(other).find((j) => j.job_name === 'node-exporter')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['host-agents'] });
    // The apps job still watches the stack namespace only: node_exporter's is no app namespace.
    expect(buildScrapeConfigs(other).find((j) => j.job_name === 'apps')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['mon'] });
  });

  it('Grafana Ingress: the host to the Service http port, class and TLS Secret from config, no wait for an address', () => {
    expect(buildGrafanaIngress(c, 'ns', 'grafana')).toBeUndefined();
    const withIngress = config({ grafana: { ingress: { host: 'grafana.corp.internal', className: 'nginx', tlsSecretName: 'grafana-tls', annotations: { 'cert-manager.io/cluster-issuer': 'le' } } } });
    expect(withIngress.grafana.rootUrl).toBe('https://grafana.corp.internal');
    expect(grafanaRecipe(withIngress).env.GF_SECURITY_COOKIE_SECURE).toBe('true');
    const ingress = data<k8s.types.output.networking.v1.Ingress>(buildGrafanaIngress(withIngress, 'ns', 'grafana'));
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'le', 'pulumi.com/skipAwait': 'true' });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['grafana.corp.internal'], secretName: 'grafana-tls' }],
      rules: [{ host: 'grafana.corp.internal', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { name: 'http' } } } }] } }],
    });
    expect(grafanaRecipe(withIngress).ports).toEqual([{ name: 'http', port: 3000 }]);
    const plain = config({ grafana: { ingress: { host: 'grafana.corp.internal' } } });
    expect(plain.grafana.rootUrl).toBe('http://grafana.corp.internal');
    expect(data<k8s.types.output.networking.v1.Ingress>(buildGrafanaIngress(plain, 'ns', 'grafana')).spec.tls).toBeUndefined();
  });

  it('watched namespaces: the apps job discovers pods in each, Jaeger takes OTLP from every pod there', () => {
    const watching = config({ watchNamespaces: ['shop', 'payments'] });
    const job = buildScrapeConfigs(watching).find((j) => j.job_name === 'apps')!;
    expect(job.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['observatory', 'shop', 'payments'] });
    expect(buildScrapeConfigs(c).find((j) => j.job_name === 'apps')!.kubernetes_sd_configs![0].namespaces).toEqual({ names: ['observatory'] });
    // no apps of its own: the job still exists for the watched namespaces
    expect(buildScrapeConfigs(config({ apps: [], watchNamespaces: ['shop'] })).map((j) => j.job_name)).toContain('apps');
    expect(buildScrapeConfigs(config({ apps: [] })).map((j) => j.job_name)).not.toContain('apps');
    const policy = data<NetworkPolicy>(buildIngressPolicy('jaeger', 'ns', jaegerIngressRules(watching)));
    expect(policy.spec.ingress[1].from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'observatory' } } },
      { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'payments'] }] } },
    ]);
    expect(data<NetworkPolicy>(buildIngressPolicy('jaeger', 'ns', jaegerIngressRules(c))).spec.ingress[1].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'observatory' } } }]);
    expect(discoverySuffixes(watching)).toEqual([
      { namespace: 'observatory', suffix: '' },
      { namespace: 'shop', suffix: '-shop' },
      { namespace: 'payments', suffix: '-payments' },
    ]);
    const binding = data<k8s.types.output.rbac.v1.RoleBinding>(buildPrometheusRoleBinding('shop', 'prometheus-discovery', 'prometheus', 'observatory'));
    expect([binding.metadata.namespace, binding.subjects]).toEqual(['shop', [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'observatory' }]]);
  });

  it('HPA memory target: a warning that names the resting memory that pins the HPA at max', () => {
    expect(memoryTargetWarning(app, 0)).toBeUndefined();
    const checkout = config({ apps: [app, { name: 'checkout', image: 'registry.example.com/checkout:2.0.1', port: 8080, memoryTarget: 80 }] });
    expect(configWarnings(checkout)).toEqual([
      {
        key: 'apps[1].memoryTarget',
        message:
          "(80) scales checkout out whenever its pods average more than 102Mi (80% of requests.memory 128Mi); memory rarely falls when load does, so an app resting above that stays at replicas.max (10); prefer cpuTarget alone unless the app's memory follows its load",
      },
    ]);
    expect(configWarnings(config({ target: 'docker', apps: checkout.apps }, 'dev'))).toEqual([]);
  });

  it('buildPdbSpec selects exactly the pods of buildDeploymentSpec', () => {
    const pdb = data<Pdb>(buildPdbSpec(app, 'ns'));
    const dep = data<Deployment>(buildDeploymentSpec(c, app, 'ns'));
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: dep.spec.selector });
  });

  it('buildDeploymentSpec: readiness on the health path, liveness a TCP check, limits from config, non-root, writable /tmp only', () => {
    const container = data<Deployment>(buildDeploymentSpec(c, app, 'ns')).spec.template.spec.containers[0];
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 8080 } });
    // The health path may check the database: on liveness, its outage would restart every pod.
    expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 8080 } });
    expect(container.livenessProbe?.httpGet).toBeUndefined();
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('buildServiceArgs: ClusterIP unless config.serviceTypes asks for more', () => {
    const lb = config({ serviceTypes: { grafana: 'LoadBalancer' } });
    expect(data<Service>(buildServiceArgs(grafanaRecipe(c), 'ns')).spec.type).toBe('ClusterIP');
    expect(data<Service>(buildServiceArgs(grafanaRecipe(lb), 'ns', { type: lb.serviceTypes.grafana })).spec.type).toBe('LoadBalancer');
  });

  it('Prometheus: retention flags from config, data on the claim, config and rules read-only', () => {
    const tuned = config({ retention: { time: '45d', size: '120GB' }, storage: { prometheus: '150Gi' } });
    const plan = planPrometheus(tuned, renderStack(tuned));
    const dep = data<Deployment>(buildPrometheusDeployment(tuned, plan, { namespace: 'ns', configMapName: 'cfg', rulesConfigMapName: 'rules', serviceAccountName: 'sa', pvcName: 'pvc' }));
    const container = dep.spec.template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=45d', '--storage.tsdb.retention.size=120GB', '--storage.tsdb.path=/prometheus']));
    expect(container.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/prometheus/config', readOnly: true },
      { name: 'data', mountPath: '/prometheus' },
      { name: 'rules', mountPath: '/etc/prometheus/rules', readOnly: true },
    ]);
    expect(dep.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('Grafana: one ConfigMap per provisioning directory and per dashboard, dashboards projected into one directory', () => {
    const artifacts: Artifact[] = [
      { path: 'prometheus/prometheus.yml', content: 'p' },
      { path: 'grafana/provisioning/datasources/datasources.yml', content: 'ds' },
      { path: 'grafana/provisioning/dashboards/dashboards.yml', content: 'prov' },
      { path: 'dashboards/obs-a.json', content: '{}' },
      { path: 'dashboards/obs-b.json', content: '{"b":1}' },
    ];
    const plan = planGrafana(c, artifacts);
    expect([...plan.provisioning.keys()].sort()).toEqual(['dashboards', 'datasources']);
    expect([...plan.dashboards.keys()]).toEqual(['obs-a', 'obs-b']);
    const dep = data<Deployment>(
      buildGrafanaDeployment(c, plan, {
        namespace: 'ns',
        adminSecretName: 'admin',
        provisioningConfigMaps: new Map([
          ['dashboards', 'cm-prov-dash'],
          ['datasources', 'cm-prov-ds'],
        ]),
        dashboardConfigMaps: new Map([
          ['obs-a', 'cm-a'],
          ['obs-b', 'cm-b'],
        ]),
        pvcName: 'pvc',
      }),
    );
    const spec = dep.spec.template.spec;
    expect(spec.volumes.find((v) => v.name === 'dashboards')).toEqual({
      name: 'dashboards',
      projected: {
        sources: [
          { configMap: { name: 'cm-a', items: [{ key: 'obs-a.json', path: 'obs-a.json' }] } },
          { configMap: { name: 'cm-b', items: [{ key: 'obs-b.json', path: 'obs-b.json' }] } },
        ],
      },
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'dashboards', mountPath: GRAFANA_DASHBOARDS_DIR, readOnly: true });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'provisioning-datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true });
    expect(spec.containers[0].env).toContainEqual({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'admin', key: 'grafanaAdminPassword' } } });
  });

  it('Grafana: a provisioning file outside a directory is refused', () => {
    const artifacts: Artifact[] = [{ path: 'grafana/provisioning/datasources.yml', content: '' }];
    expect(errorOf(() => planGrafana(c, artifacts)).message).toBe(
      'grafana/provisioning/datasources.yml: must be inside a provisioning directory (datasources/, dashboards/, ...); Grafana ignores files at the top level',
    );
  });

  it('node_exporter: a DaemonSet on every node reading the host read-only, still non-root', () => {
    const spec = data<DaemonSet>(buildNodeExporterDaemonSet(c, 'ns')).spec.template.spec;
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.containers[0].args).toContain('--path.rootfs=/host/root');
    expect(spec.containers[0].volumeMounts.every((m) => m.readOnly)).toBe(true);
    expect(spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, readOnlyRootFilesystem: true });
  });

  it('recipes: Jaeger exposes OTLP gRPC, OTLP HTTP and the query UI; Prometheus probes its own health endpoints', () => {
    expect(jaegerRecipe(c).ports.map((p) => p.port)).toEqual([PORTS.jaegerQuery, PORTS.otlpGrpc, PORTS.otlpHttp, 13133]);
    expect([prometheusRecipe(c).readiness, prometheusRecipe(c).liveness]).toEqual([{ path: '/-/ready', port: 9090 }, { path: '/-/healthy', port: 9090 }]);
    expect(appRecipe(c, app).env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger.observatory.svc:4318');
    expect(appRecipe(c, app).env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
  });

  it('recipes: alert links point where a person reaches Prometheus and Alertmanager, not at a pod or container name', () => {
    const dev = config({ target: 'docker', docker: { ports: { prometheus: 19090, alertmanager: 19093 } } }, 'dev');
    expect(prometheusRecipe(dev).args).toContain('--web.external-url=http://127.0.0.1:19090');
    expect(alertmanagerRecipe(dev).args).toContain('--web.external-url=http://127.0.0.1:19093');
    expect(prometheusRecipe(c).args).toContain('--web.external-url=http://prometheus.observatory.svc:9090');
    expect(prometheusRecipe(c).args).toContain('--enable-feature=auto-reload-config');
  });
});

describe('docker builders', () => {
  const dev = config({ target: 'docker', apps: [{ name: 'api', image: 'registry.example.com/api:1.2.3', port: 8080, replicas: { min: 3, max: 5 } }] }, 'dev');

  it('publishes on config.docker.bindAddress', () => {
    const wide = config({ target: 'docker', docker: { bindAddress: '0.0.0.0', ports: { grafana: 13000 } } }, 'dev');
    const args = data<DockerContainer>(buildGrafanaContainer(wide, [], { imageId: 'img', network: 'net', volumeName: 'vol' }));
    expect(args.ports).toEqual([{ internal: 3000, external: 13000, ip: '0.0.0.0', protocol: 'tcp' }]);
  });

  it('health checks: wget in the monitoring images, wget or curl through the shell in app images', () => {
    expect(buildHealthcheck(prometheusRecipe(dev), 'wget').tests).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready']);
    expect(buildHealthcheck(appRecipe(dev, dev.apps[0]), 'wget-or-curl').tests).toEqual([
      'CMD-SHELL',
      'wget -q -O /dev/null http://127.0.0.1:8080/healthz || curl -fsS -o /dev/null http://127.0.0.1:8080/healthz',
    ]);
  });

  it('app replicas: one alias per replica plus the app name, read-only root with a tmpfs /tmp', () => {
    const args = data<DockerContainer & { tmpfs: Obj; wait: boolean }>(buildAppReplicaContainer(dev, dev.apps[0], 2, { imageId: 'img', network: 'net' }));
    expect(args.name).toBe('observatory-dev-api-2');
    expect(args.networksAdvanced).toEqual([{ name: 'net', aliases: ['api-2', 'api'] }]);
    expect([args.readOnly, args.tmpfs, args.wait]).toEqual([true, { '/tmp': 'rw,noexec,nosuid,size=64m' }, false]);
  });

  it('containers with uploads keep a writable root (docker refuses uploads into a read-only one)', () => {
    const args = data<DockerContainer>(buildContainerArgs(prometheusRecipe(dev), { config: dev, containerName: 'p', imageId: 'i', network: 'n', uploads: [{ file: '/a', content: 'b' }] }));
    expect(args.readOnly).toBe(false);
  });

  it('Grafana: provisioning and dashboards uploaded under their directories', () => {
    const artifacts: Artifact[] = [
      { path: 'grafana/provisioning/datasources/datasources.yml', content: 'ds' },
      { path: 'dashboards/obs-a.json', content: '{}' },
    ];
    const files = buildGrafanaUploads(dev, artifacts, 'pw').map((u) => (u as { file: string }).file);
    expect(files).toEqual(['/etc/grafana/provisioning/datasources/datasources.yml', `${GRAFANA_DASHBOARDS_DIR}/obs-a.json`, '/etc/observatory/secrets/grafana-admin-password']);
  });
});
