/**
 * The pure parts of the local control plane harness (live/kubernetes/): the one change made to the
 * rendered prometheus.yml, how a workload's status is read as Ready, what a config change should
 * roll, and the volume the test's provisioner makes for a claim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { workloadNotReady } from '../live/kubernetes/deploy';
import { kubernetesJobs, withKubeconfig } from '../live/kubernetes/discovery';
import { kwokStagesYaml } from '../live/kubernetes/kwokStages';
import type { StateResource } from '../live/kubernetes/pulumiStack';
import { changeOf, configMapReferences, expectedRollout } from '../live/kubernetes/rollout';
import { TEST_STORAGE_CLASS, volumeFor } from '../live/kubernetes/storage';
import { REPO } from './helpers';

const rendered = fs.readFileSync(path.join(REPO, 'generated/staging/prometheus/prometheus.yml'), 'utf8');

describe('kubernetes harness: the rendered prometheus.yml run outside the cluster', () => {
  it('adds kubeconfig_file to every kubernetes_sd_configs entry and changes nothing else', () => {
    const original = yaml.load(rendered) as { scrape_configs: { kubernetes_sd_configs?: Record<string, unknown>[] }[] };
    const changed = yaml.load(withKubeconfig(rendered, '/tmp/k.yaml')) as typeof original;
    const sds = changed.scrape_configs.flatMap((j) => j.kubernetes_sd_configs ?? []);
    expect(sds.length).toBeGreaterThan(0);
    for (const sd of sds) expect(sd.kubeconfig_file).toBe('/tmp/k.yaml');
    for (const sd of sds) delete sd.kubeconfig_file;
    expect(changed).toEqual(original);
  });

  it('names the jobs that discover through the API server', () => {
    expect(kubernetesJobs(rendered).sort()).toEqual(['apps', 'node-exporter']);
  });
});

describe('kubernetes harness: workload readiness', () => {
  const deployment = (status: Record<string, number>, replicas = 2, generation = 3) => ({ kind: 'Deployment', metadata: { name: 'x', generation }, spec: { replicas }, status: { observedGeneration: 3, ...status } });

  it('a Deployment is Ready when every replica of the observed generation is ready and available', () => {
    expect(workloadNotReady(deployment({ readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBeUndefined();
    expect(workloadNotReady(deployment({ readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 }))).toBe('1/2 ready, 1 available');
    expect(workloadNotReady(deployment({ readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2, 4))).toBe('generation 4 not observed yet');
  });

  it('a DaemonSet scheduled on no node is not Ready', () => {
    expect(workloadNotReady({ kind: 'DaemonSet', metadata: { name: 'n', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 0 } })).toBe('schedules on no node');
    expect(workloadNotReady({ kind: 'DaemonSet', metadata: { name: 'n', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2 } })).toBeUndefined();
  });

  it("kwok's stages cover node readiness, pod readiness and pod removal", () => {
    const stages = yaml.loadAll(kwokStagesYaml()) as { kind: string; spec: { resourceRef: { kind: string }; next: { delete?: boolean; statusTemplate?: string } } }[];
    expect(stages.map((s) => `${s.spec.resourceRef.kind}:${s.spec.next.delete ? 'delete' : 'status'}`)).toEqual(['Node:status', 'Pod:status', 'Pod:delete']);
  });
});

describe('kubernetes harness: what a config change rolls', () => {
  const configMap = (name: string, data: Record<string, string>): StateResource => ({ urn: `urn:cm::${name}`, type: 'kubernetes:core/v1:ConfigMap', inputs: {}, outputs: { metadata: { name }, data } });
  const deployment = (name: string, template: unknown): StateResource => ({ urn: `urn:deploy::${name}`, type: 'kubernetes:apps/v1:Deployment', inputs: {}, outputs: { metadata: { name }, spec: { template } } });
  const state = [
    configMap('rules-1', { 'http.yml': 'old rules', 'host.yml': 'host rules' }),
    configMap('dashboards-1', { 'api.json': 'dashboard' }),
    deployment('prometheus', { spec: { volumes: [{ name: 'rules', configMap: { name: 'rules-1' } }] } }),
    deployment('grafana', { spec: { volumes: [{ name: 'd', projected: { sources: [{ configMap: { name: 'dashboards-1' } }] } }] } }),
    deployment('app', { spec: { containers: [{ envFrom: [{ configMapRef: { name: 'rules-1' } }] }] } }),
    deployment('jaeger', { spec: { containers: [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'other', key: 'k' } } }] }] } }),
  ];

  it('finds ConfigMaps through volumes, projected volumes, envFrom and env valueFrom', () => {
    expect([...configMapReferences(state.map((r) => r.outputs))].sort()).toEqual(['dashboards-1', 'other', 'rules-1']);
  });

  it('replaces the ConfigMap holding a changed file and updates exactly the workloads reading it', () => {
    const r = expectedRollout(state, ['old rules']);
    expect([...r.replaced]).toEqual(['urn:cm::rules-1']);
    expect([...r.updated].sort()).toEqual(['urn:deploy::app', 'urn:deploy::prometheus']);
    expect(expectedRollout(state, ['not shipped anywhere'])).toEqual({ replaced: new Set(), updated: new Set() });
  });

  it('reads a replacement from any of its steps, and an untouched resource as same', () => {
    expect(changeOf(new Set(['create-replacement', 'replace', 'delete-replaced'] as const))).toBe('replaced');
    expect(changeOf(new Set(['update'] as const))).toBe('updated');
    expect(changeOf(new Set(['same'] as const))).toBe('same');
    expect(changeOf(new Set(['delete'] as const))).toBe('deleted');
  });
});

describe("kubernetes harness: the test's provisioner", () => {
  it('makes a volume of the claimed size pre-bound to that claim (uid included)', () => {
    const pv = volumeFor({ metadata: { name: 'data-prometheus-0', namespace: 'obs', uid: 'u-1' }, spec: { storageClassName: TEST_STORAGE_CLASS, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } }, '/tmp/v');
    expect(pv.metadata.name).toBe('obs-data-prometheus-0');
    expect(pv.spec).toMatchObject({ capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: TEST_STORAGE_CLASS, claimRef: { namespace: 'obs', name: 'data-prometheus-0', uid: 'u-1' }, hostPath: { path: '/tmp/v/obs-data-prometheus-0' } });
  });
});
