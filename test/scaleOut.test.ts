/**
 * Issue 16: the scale-out keys through the generators and the component builders. The single-node
 * stack renders as before (default-valued keys change no byte); replicas, gossip, remote write
 * and the engine render and deploy what docs/deploying.md ("High availability") promises.
 */
import { describe, expect, it } from 'vitest';
import { buildDatasourcesSpec } from '../generators/grafanaProvisioning';
import { buildPrometheusConfig } from '../generators/prometheusConfig';
import { renderStack } from '../render/renderStack';
import { buildAlertmanagerMemberContainer } from '../stacks/docker/alertmanager';
import { buildPrometheusReplicaContainer } from '../stacks/docker/prometheus';
import { alertmanagerIngressRules, buildAlertmanagerStatefulSet, planAlertmanager } from '../stacks/kubernetes/alertmanager';
import { buildPrometheusStatefulSet, planPrometheus } from '../stacks/kubernetes/prometheus';
import { alertmanagerRecipe, thanosQueryRecipe, thanosReceiveRecipe } from '../stacks/recipes';
import { config, errorOf } from './helpers';

const HA = { prometheus: { replicas: 2 }, alertmanager: { replicas: 3 }, longTermStorage: { kind: 'thanos' } };
const data = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

describe('single-node stacks render as before', () => {
  it('default-valued scale-out keys change no byte of any artifact', () => {
    for (const target of ['docker', 'kubernetes'] as const) {
      const plain = renderStack(config({ target }, 'dev'));
      const explicit = renderStack(config({ target, prometheus: { replicas: 1, replicaLabel: 'replica' }, alertmanager: { replicas: 1 }, remoteWrite: [] }, 'dev'));
      expect(explicit).toEqual(plain);
    }
  });

  it('keeps gossip off and one Alertmanager target', () => {
    const c = config();
    expect(alertmanagerRecipe(c).args).toContain('--cluster.listen-address=');
    expect(buildPrometheusConfig(c).alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ['alertmanager.observatory.svc:9093'] }] }] });
    expect(buildPrometheusConfig(c).remote_write).toBeUndefined();
  });
});

describe('an HA pair, three Alertmanagers and Thanos', () => {
  const c = config(HA);
  const prom = buildPrometheusConfig(c);

  it('gives each replica its own replica label from the environment and drops it from alerts', () => {
    expect(prom.global.external_labels).toEqual({ environment: 'prod', stack: 'prod', replica: '${PROMETHEUS_REPLICA}' });
    expect(prom.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
  });

  it('sends every alert to every Alertmanager by its pod DNS name, and peers them on 9094', () => {
    const hosts = [0, 1, 2].map((i) => `alertmanager-${i}.alertmanager-cluster.observatory.svc`);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(hosts.map((h) => `${h}:9093`));
    expect(alertmanagerRecipe(c).args).toEqual(expect.arrayContaining(['--cluster.listen-address=0.0.0.0:9094', ...hosts.map((h) => `--cluster.peer=${h}:9094`)]));
  });

  it('remote-writes to Thanos Receive and points Grafana at Thanos Query, which dedups on the replica label', () => {
    expect(prom.remote_write).toEqual([{ name: 'thanos', url: 'http://thanos-receive.observatory.svc:19291/api/v1/receive' }]);
    const ds = buildDatasourcesSpec(c).datasources[0];
    expect(ds).toMatchObject({ uid: 'obs-prometheus', url: 'http://thanos-query.observatory.svc:10902', jsonData: { prometheusType: 'Thanos' } });
    expect(thanosQueryRecipe(c).args).toContain('--query.replica-label=replica');
    expect(thanosQueryRecipe(c).args).toContain('--endpoint.sd-config={"endpoints":[{"address":"thanos-receive.observatory.svc:10901"}]}');
    expect(thanosReceiveRecipe(c).image).toBe('quay.io/thanos/thanos:v0.42.5');
    expect(thanosReceiveRecipe(c).args).toContain('--tsdb.retention=30d');
  });

  it('kubernetes: Prometheus and Alertmanager as StatefulSets, the replica label from the pod name, gossip open between members only', () => {
    const artifacts = renderStack(c);
    const refs = { namespace: 'observatory', configMapName: 'cm', rulesConfigMapName: 'rules', serviceAccountName: 'sa' };
    const sts = data<{ spec: { replicas: number; serviceName: string; template: { spec: { containers: { env: unknown[] }[] } }; volumeClaimTemplates: unknown[] } }>(buildPrometheusStatefulSet(c, planPrometheus(c, artifacts), refs));
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.template.spec.containers[0].env).toEqual([{ name: 'PROMETHEUS_REPLICA', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    const am = data<{ spec: { replicas: number; serviceName: string } }>(buildAlertmanagerStatefulSet(c, planAlertmanager(c, artifacts), { namespace: 'observatory', configSecretName: 's' }));
    expect(am.spec).toMatchObject({ replicas: 3, serviceName: 'alertmanager-cluster' });
    expect(alertmanagerIngressRules(c)[1]).toMatchObject({ ports: [9094], protocols: ['TCP', 'UDP'] });
  });

  it('docker: numbered containers sharing the service alias, only the first publishing its port', () => {
    const d = config({ ...HA, target: 'docker' }, 'dev');
    const refs = { imageId: 'img', network: 'net', volumeName: 'vol' };
    const p1 = data<{ name: string; envs: string[]; networksAdvanced: { aliases: string[] }[]; ports?: unknown[] }>(buildPrometheusReplicaContainer(d, renderStack(d), refs, 1));
    expect(p1.name).toBe('observatory-dev-prometheus-1');
    expect(p1.envs).toEqual(['GOMEMLIMIT=921MiB', 'PROMETHEUS_REPLICA=prometheus-1']);
    expect(p1.networksAdvanced[0].aliases).toEqual(['prometheus-1', 'prometheus']);
    expect(p1.ports).toBeUndefined();
    const a0 = data<{ command: string[]; ports: unknown[] }>(buildAlertmanagerMemberContainer(d, [], refs, 0));
    expect(a0.command).toEqual(expect.arrayContaining(['--cluster.peer=alertmanager-2:9094']));
    expect(a0.ports).toHaveLength(1);
  });
});

describe('docker names of replicas', () => {
  it('refuses an app whose network alias is a replica container of the stack', () => {
    const app = { name: 'prometheus-1', image: 'registry.example.com/api:1.2.3', port: 8080, replicas: { min: 1, max: 1 } };
    expect(errorOf(() => config({ target: 'docker', prometheus: { replicas: 2 }, apps: [app] }, 'dev')).message).toBe(
      'stack dev: observatory:apps[0].name: docker network alias "prometheus-1" is also used by service prometheus (replica 1)',
    );
  });
});

describe('remote write targets and Mimir', () => {
  it('writes queue settings and names credential files, never the secrets', () => {
    const c = config({ remoteWrite: [{ name: 'vendor', url: 'https://m.example.com/push', auth: { type: 'basic', username: 'tenant' }, queue: { maxShards: 20, batchSendDeadline: '10s' } }] }, 'prod', {
      ...{ grafanaAdminPassword: 'secret', postgresDsn: 'secret', slackWebhookUrl: 'secret', pagerdutyRoutingKey: 'secret', deadMansSwitchUrl: 'secret' },
      remoteWritePassword: 'secret',
    });
    expect(buildPrometheusConfig(c).remote_write).toEqual([
      { name: 'vendor', url: 'https://m.example.com/push', basic_auth: { username: 'tenant', password_file: '/etc/prometheus/secrets/remoteWritePassword' }, queue_config: { max_shards: 20, batch_send_deadline: '10s' } },
    ]);
    expect(c.requiredSecrets).toContain('remoteWritePassword');
  });

  it('kind mimir: writes to and reads from the given URLs, runs no engine', () => {
    const c = config({ prometheus: { replicas: 2, replicaLabel: '__replica__' }, longTermStorage: { kind: 'mimir', remoteWriteUrl: 'http://mimir.example.com/api/v1/push', queryUrl: 'http://mimir.example.com/prometheus/' } });
    const prom = buildPrometheusConfig(c);
    expect(prom.remote_write).toEqual([{ name: 'mimir', url: 'http://mimir.example.com/api/v1/push' }]);
    expect(prom.global.external_labels.__replica__).toBe('${PROMETHEUS_REPLICA}');
    expect(buildDatasourcesSpec(c).datasources[0]).toMatchObject({ url: 'http://mimir.example.com/prometheus', jsonData: { prometheusType: 'Mimir' } });
    expect(renderStack(c).some((a) => a.content.includes('thanos-receive'))).toBe(false);
  });
});
