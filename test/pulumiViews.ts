/**
 * Reading the mocked resource graph the way the cluster or Docker engine would see it: typed views
 * of registered inputs, and the files each container ends up with (ConfigMap/Secret volumes and
 * items on kubernetes, uploads on docker).
 */
import type * as docker from '@pulumi/docker';
import type * as k8s from '@pulumi/kubernetes';
import { byType, unwrap, type Registered } from './pulumiHarness';

export type Deployment = k8s.types.output.apps.v1.Deployment;
export type DaemonSet = k8s.types.output.apps.v1.DaemonSet;
export type ConfigMap = k8s.types.output.core.v1.ConfigMap;
export type Secret = k8s.types.output.core.v1.Secret;
export type Service = k8s.types.output.core.v1.Service;
export type PodSpec = k8s.types.output.core.v1.PodSpec;
export type Hpa = k8s.types.output.autoscaling.v2.HorizontalPodAutoscaler;
export type Pdb = k8s.types.output.policy.v1.PodDisruptionBudget;
export type NetworkPolicy = k8s.types.output.networking.v1.NetworkPolicy;
export type Role = k8s.types.output.rbac.v1.Role;
export type Ingress = k8s.types.output.networking.v1.Ingress;
export type Pvc = k8s.types.output.core.v1.PersistentVolumeClaim;
export type RoleBinding = k8s.types.output.rbac.v1.RoleBinding;

/** docker.Container inputs as the provider receives them (secret wrappers removed). */
export interface DockerContainer {
  name: string;
  image: string;
  command?: string[];
  envs?: string[];
  user?: string;
  memory?: number;
  memoryReservation?: number;
  cpus?: string;
  restart?: string;
  readOnly?: boolean;
  capabilities?: { drops?: string[] };
  securityOpts?: string[];
  healthcheck?: docker.types.output.ContainerHealthcheck;
  networksAdvanced?: { name: string; aliases?: string[] }[];
  ports?: docker.types.output.ContainerPort[];
  uploads?: docker.types.output.ContainerUpload[];
  volumes?: docker.types.output.ContainerVolume[];
}

export const K8S = {
  deployment: 'kubernetes:apps/v1:Deployment',
  daemonSet: 'kubernetes:apps/v1:DaemonSet',
  statefulSet: 'kubernetes:apps/v1:StatefulSet',
  configMap: 'kubernetes:core/v1:ConfigMap',
  secret: 'kubernetes:core/v1:Secret',
  service: 'kubernetes:core/v1:Service',
  pvc: 'kubernetes:core/v1:PersistentVolumeClaim',
  namespace: 'kubernetes:core/v1:Namespace',
  serviceAccount: 'kubernetes:core/v1:ServiceAccount',
  hpa: 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler',
  pdb: 'kubernetes:policy/v1:PodDisruptionBudget',
  networkPolicy: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
  role: 'kubernetes:rbac.authorization.k8s.io/v1:Role',
  roleBinding: 'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
  ingress: 'kubernetes:networking.k8s.io/v1:Ingress',
} as const;

export const DOCKER = {
  container: 'docker:index/container:Container',
  image: 'docker:index/remoteImage:RemoteImage',
  volume: 'docker:index/volume:Volume',
  network: 'docker:index/network:Network',
} as const;

export function inputsOf<T>(r: Registered): T {
  return unwrap(r.inputs) as T;
}

export function stateOf<T>(r: Registered): T {
  return unwrap(r.state) as T;
}

/** Every workload pod spec (Deployments and DaemonSets), with the workload's k8s name. */
export function podSpecs(registered: readonly Registered[]): { workload: string; spec: PodSpec; labels: Record<string, string>; annotations: Record<string, string>; claims: string[] }[] {
  // StatefulSets (Prometheus replicas, an Alertmanager cluster) share the template shape.
  return [...byType(registered, K8S.deployment), ...byType(registered, K8S.daemonSet), ...byType(registered, K8S.statefulSet)].map((r) => {
    const w = inputsOf<Deployment | DaemonSet>(r);
    const claims = ((w.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map((t) => t.metadata.name);
    return { workload: w.metadata.name, spec: w.spec.template.spec, labels: w.spec.template.metadata?.labels ?? {}, annotations: w.spec.template.metadata?.annotations ?? {}, claims };
  });
}

export function workload(registered: readonly Registered[], k8sName: string): { spec: PodSpec; labels: Record<string, string>; annotations: Record<string, string> } {
  const found = podSpecs(registered).filter((p) => p.workload === k8sName);
  if (found.length !== 1) throw new Error(`expected one workload ${k8sName}, found ${found.length}`);
  return found[0];
}

/** Data of a ConfigMap or Secret by its (provider-assigned) name. */
function objectData(registered: readonly Registered[], kind: 'configMap' | 'secret', name: string): Record<string, string> {
  const found = byType(registered, K8S[kind]).filter((r) => stateOf<ConfigMap>(r).metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} named ${name}, found ${found.length}`);
  return kind === 'configMap' ? inputsOf<ConfigMap>(found[0]).data ?? {} : inputsOf<Secret>(found[0]).stringData ?? {};
}

/** Files a pod's container sees through ConfigMap, Secret and projected volumes: path -> content. */
export function podFiles(registered: readonly Registered[], spec: PodSpec, container = spec.containers[0].name, claimTemplates: readonly string[] = ['data']): Map<string, string> {
  const files = new Map<string, string>();
  const c = spec.containers.find((x) => x.name === container);
  if (!c) throw new Error(`no container ${container}`);
  const add = (mountPath: string, data: Record<string, string>, items: { key: string; path: string }[] | undefined) => {
    const mapped = items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const { key, path } of mapped) {
      if (data[key] === undefined) throw new Error(`volume item ${key} is not in the object`);
      files.set(`${mountPath}/${path}`, data[key]);
    }
  };
  for (const m of c.volumeMounts ?? []) {
    const v = (spec.volumes ?? []).find((x) => x.name === m.name);
    if (!v && claimTemplates.includes(m.name)) continue; // a StatefulSet's per-pod claim: no files
    if (!v) throw new Error(`mount ${m.name} has no volume`);
    if (v.configMap) add(m.mountPath, objectData(registered, 'configMap', v.configMap.name), v.configMap.items);
    if (v.secret) add(m.mountPath, objectData(registered, 'secret', v.secret.secretName), v.secret.items);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) add(m.mountPath, objectData(registered, 'configMap', s.configMap.name), s.configMap.items);
    }
  }
  return files;
}

/** Files uploaded into a docker container: path -> content. */
export function uploadedFiles(c: DockerContainer): Map<string, string> {
  return new Map((c.uploads ?? []).map((u) => [u.file, u.content ?? '']));
}

/** A pinned reference: a tag other than latest, or a digest. */
export function isPinned(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(image.replace(/^[^/]*:[0-9]+\//, ''));
  return tag !== null && tag[1] !== 'latest';
}
