/**
 * The pure parts of the local control plane harness (live/kubernetes/): the one change made to the
 * rendered prometheus.yml, how a workload's status is read as Ready, and the apply order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../live/kubernetes/client';
import { inApplyOrder, workloadNotReady } from '../live/kubernetes/deploy';
import { kubernetesJobs, withKubeconfig } from '../live/kubernetes/discovery';
import { kwokStagesYaml } from '../live/kubernetes/kwokStages';
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

  it('applies the Namespace first and autoscalers after their workloads', () => {
    const o = (kind: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase() } });
    expect(inApplyOrder([o('HorizontalPodAutoscaler'), o('Deployment'), o('Namespace'), o('ConfigMap')]).map((x) => x.kind)).toEqual(['Namespace', 'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler']);
  });

  it("kwok's stages cover node readiness, pod readiness and pod removal", () => {
    const stages = yaml.loadAll(kwokStagesYaml()) as { kind: string; spec: { resourceRef: { kind: string }; next: { delete?: boolean; statusTemplate?: string } } }[];
    expect(stages.map((s) => `${s.spec.resourceRef.kind}:${s.spec.next.delete ? 'delete' : 'status'}`)).toEqual(['Node:status', 'Pod:status', 'Pod:delete']);
  });
});
