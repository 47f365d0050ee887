/**
 * `pulumi up` for real: the staging and prod stacks (both kubernetes) deployed by the pinned
 * Pulumi CLI and kubernetes provider plugin (live/kubernetes/pulumiStack.ts) to a real control
 * plane: etcd, kube-apiserver, kube-controller-manager and kube-scheduler of Kubernetes 1.37.2 and
 * kwok's fake nodes (live/kubernetes/controlPlane.ts), every one the pinned toolchain build, on
 * 127.0.0.1. The stack's namespace enforces Pod Security `restricted`, node_exporter's
 * `privileged`.
 *
 * Per stack: `pulumi up` is accepted by server-side apply and admission without a warning; every
 * workload Ready, every HPA and PDB on an existing workload, every claim Bound, NetworkPolicies as
 * declared; no secret in the state in plain text; the pinned Prometheus discovers exactly the
 * expected pods with the stack's ServiceAccount; `pulumi preview --expect-no-changes` passes; a
 * threshold change replaces only the ConfigMaps holding the files it changes and rolls only the
 * workloads that read them; `pulumi destroy` leaves nothing. Staging's namespace exists before
 * its first `pulumi up` (made by hand, as docs/deploying.md's "Adopting an existing namespace"
 * describes), and the up adopts it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8S_APP_LABELS, nodeExporterNamespace, nodeExporterPort } from '../../generators/topology';
import { ApiError, KubeClient, describeObject, type KubeObject } from '../../live/kubernetes/client';
import { NODE_NAMES, controlPlaneBinaries, startControlPlane, type ControlPlane } from '../../live/kubernetes/controlPlane';
import { checkAutoscalers, checkClaimsBound, checkDisruptionBudgets, leftovers, notReadyIn, waitWorkloadsReady } from '../../live/kubernetes/deploy';
import { DiscoveringPrometheus, kubernetesJobs, type ActiveTarget } from '../../live/kubernetes/discovery';
import { writeKubeconfig } from '../../live/kubernetes/kubeconfig';
import { DeployedStack, kubernetesObjects, providerVersionWarnings, pulumiBinaries, type OperationRecord, type StateResource } from '../../live/kubernetes/pulumiStack';
import { changeOf, expectedRollout } from '../../live/kubernetes/rollout';
import { TEST_VOLUME_SELECTOR, installDefaultStorageClass, startProvisioner, type Provisioner } from '../../live/kubernetes/storage';
import { done, notYet, pollUntil } from '../../live/poll';
import { renderStack } from '../../render/renderStack';
import { splitConfig } from '../../stacks/config/fromYaml';
import { parseStackConfig, type StackConfig } from '../../stacks/config/schema';
import { toolPath } from '../../toolchain/paths';
import { REPO } from '../helpers';
import { SECRET_NEEDLES, secretsFor, stackFileConfig } from '../pulumiHarness';

const STACKS = ['staging', 'prod'] as const;
type Stack = (typeof STACKS)[number];
const ENFORCE = 'pod-security.kubernetes.io/enforce';
const WARN = 'pod-security.kubernetes.io/warn';
/**
 * `pulumi up` waits for every workload itself (the provider's await logic); an up takes about 25 s
 * here. The provider would wait 10 minutes for a workload that never gets Ready: after this long
 * the test aborts the up and names the workloads that are not Ready, and why.
 */
const UP_DEADLINE_MS = 240_000;
const UP_TIMEOUT_MS = UP_DEADLINE_MS + 60_000;
const READY_TIMEOUT_MS = 45_000;
const DISCOVERY_TIMEOUT_MS = 20_000;

/** The warnings expected: the provider is the toolchain's build, found on PATH, not the release @pulumi/kubernetes names (docs/toolchain.md). */
const PROVIDER_VERSION_WARNINGS = providerVersionWarnings();

const started = Date.now();
const log = (line: string) => process.stdout.write(`[k8s ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** The config the program reads: the raw stack config and the secrets the test sets (secretsFor: the ones the stack needs). */
function configOf(stack: Stack, raw: Record<string, unknown>): StackConfig {
  return parseStackConfig(stack, raw, Object.fromEntries(Object.keys(secretsFor(stack)).map((k) => [k, 'secret'])));
}

/** The stack file's config, as the program reads it. */
function committedRaw(stack: Stack): Record<string, unknown> {
  return splitConfig(stack, stackFileConfig(stack)).raw;
}

const unexpectedWarnings = (r: OperationRecord) => r.warnings.filter((w) => !PROVIDER_VERSION_WARNINGS.some((p) => p.test(w)));
const changes = (r: OperationRecord) => new Map([...r.ops].map(([urn, ops]) => [urn, changeOf(ops)]));
const ofType = (state: readonly StateResource[], type: string) => state.filter((r) => r.type === type);

let dir: string;
let cluster: ControlPlane;
let provisioner: Provisioner;

beforeAll(async () => {
  // A missing build fails here, saying to run `npm run tools`, before anything starts.
  controlPlaneBinaries();
  pulumiBinaries();
  toolPath('prometheus');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-k8s-'));
  cluster = await startControlPlane({ dir, log });
  log(`control plane up in ${(cluster.startupMs / 1000).toFixed(1)} s; kubeconfig ${cluster.adminKubeconfig}`);
  await installDefaultStorageClass(cluster.admin);
  provisioner = startProvisioner(cluster.admin, path.join(dir, 'volumes'));
}, 240_000);

afterAll(async () => {
  await provisioner?.stop();
  await cluster?.stop();
  if (dir && !process.env.OBSERVATORY_KEEP_K8S) fs.rmSync(dir, { recursive: true, force: true });
  log('stopped');
});

describe.each(STACKS)('%s: pulumi up on a real API server', (stack) => {
  const config = configOf(stack, committedRaw(stack));
  const namespace = config.namespace;
  /** Staging adopts a namespace made beforehand; prod creates its own. */
  const adopts = stack === 'staging';
  let deployed: DeployedStack;
  let handMade: KubeObject | undefined;
  let up: OperationRecord | undefined;
  let upError: unknown;
  let state: StateResource[] = [];
  let objects: KubeObject[] = [];
  const upWithin = () => deployed.up({ ms: UP_DEADLINE_MS, explain: async () => (await notReadyIn(cluster.admin, [namespace, nodeExporterNamespace(config)])).join('; ') || 'every workload is Ready' });

  beforeAll(async () => {
    deployed = await DeployedStack.create({ stack, dir: path.join(dir, stack), kubeconfig: cluster.adminKubeconfig, secrets: secretsFor(stack) as Record<string, string>, log });
    // As `kubectl create namespace` makes it (a create, not an apply), with a label of its owner's.
    if (adopts) handMade = await cluster.admin.request<KubeObject>('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { team: 'platform' } } });
    try {
      up = await upWithin();
    } catch (e) {
      upError = e;
    }
    state = await deployed.state();
    objects = kubernetesObjects(state);
    log(`${stack}: pulumi up ${upError ? 'failed' : 'done'}; ${objects.length} kubernetes objects in the state`);
  }, UP_TIMEOUT_MS);

  if (adopts) {
    it('pulumi up adopts the namespace that exists already: same UID, its own label kept, the Pod Security labels added', async () => {
      if (upError) throw upError;
      const live = await cluster.admin.get<KubeObject>('v1', 'Namespace', namespace);
      expect(live.metadata.uid).toBe(handMade?.metadata.uid);
      expect(live.metadata.labels).toMatchObject({ team: 'platform', [ENFORCE]: 'restricted' });
      const [ns] = ofType(state, 'kubernetes:core/v1:Namespace').filter((r) => (r.outputs.metadata as { name: string }).name === namespace);
      expect(ns.urn).toMatch(/::observatory:kubernetes:MonitoringStack\$kubernetes:core\/v1:Namespace::observatory-namespace$/);
    });
  }

  it('pulumi up succeeds: every object accepted by server-side apply and admission (Pod Security restricted), with no warning', () => {
    if (upError) throw upError;
    expect(objects.length).toBeGreaterThan(20);
    const created = [...changes(up!)].filter(([, c]) => c === 'created').length;
    expect(created).toBeGreaterThan(20);
    expect(unexpectedWarnings(up!)).toEqual([]);
  });

  it('the state holds no secret in plain text, and the secrets are secret outputs', () => {
    const file = deployed.stateFile();
    for (const needle of SECRET_NEEDLES) expect(file.includes(needle), `state contains ${needle.slice(0, 12)}...`).toBe(false);
    expect(file).toContain('"ciphertext"');
  });

  it("the stack's namespace enforces Pod Security restricted; only node_exporter runs in its own privileged one", async () => {
    const labels = async (ns: string) => (await cluster.admin.get<KubeObject>('v1', 'Namespace', ns)).metadata.labels ?? {};
    expect(await labels(namespace)).toMatchObject({ [ENFORCE]: 'restricted', [WARN]: 'restricted' });
    const privileged = nodeExporterNamespace(config);
    expect(await labels(privileged)).toMatchObject({ [ENFORCE]: 'privileged' });
    const there = objects.filter((o) => o.metadata.namespace === privileged).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(there).toEqual(['DaemonSet/node-exporter', 'Role/prometheus-discovery', 'RoleBinding/prometheus-discovery']);
  });

  it('every Deployment, StatefulSet and DaemonSet is Ready', async () => {
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
    expect(workloads.length).toBeGreaterThan(5);
    const problems = await waitWorkloadsReady(cluster.admin, objects, READY_TIMEOUT_MS);
    expect(cluster.exited()).toBeUndefined();
    expect(problems).toEqual([]);
  }, READY_TIMEOUT_MS + 30_000);

  it('every HPA and PDB targets an existing workload of the stack', async () => {
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length).toBe(config.apps.length);
    expect(await checkAutoscalers(cluster.admin, objects)).toEqual([]);
    expect(await checkDisruptionBudgets(cluster.admin, objects, 20_000)).toEqual([]);
  }, 60_000);

  it('every PersistentVolumeClaim binds, on the cluster default StorageClass', async () => {
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim').length).toBeGreaterThan(0);
    expect(await checkClaimsBound(cluster.admin, objects, 15_000)).toEqual([]);
  }, 60_000);

  it('NetworkPolicies are stored as the program declared them', async () => {
    const policies = ofType(state, 'kubernetes:networking.k8s.io/v1:NetworkPolicy');
    expect(policies.length).toBeGreaterThan(3);
    for (const p of policies) {
      const meta = p.outputs.metadata as KubeObject['metadata'];
      const live = await cluster.admin.get<KubeObject>('networking.k8s.io/v1', 'NetworkPolicy', meta.name, meta.namespace);
      expect(live.spec, describeObject({ kind: 'NetworkPolicy', metadata: meta })).toEqual(p.inputs.spec);
    }
  });

  it("Prometheus with the rendered prometheus.yml and the stack's ServiceAccount discovers exactly the app and node_exporter pods", async () => {
    const rendered = fs.readFileSync(path.join(REPO, 'generated', stack, 'prometheus/prometheus.yml'), 'utf8');
    const sa = objects.find((o) => o.kind === 'ServiceAccount');
    expect(sa, 'the stack creates a ServiceAccount for Prometheus').toBeDefined();
    const token = await cluster.admin.serviceAccountToken(namespace, sa!.metadata.name);
    const creds = { server: cluster.server, caFile: cluster.pki.caCert, token };
    // Its rights come from the stack's namespaced Roles only (its namespace, node_exporter's): nothing cluster-wide.
    const asPrometheus = new KubeClient(creds);
    await expect(asPrometheus.request('GET', '/api/v1/pods')).rejects.toThrow(ApiError);
    asPrometheus.close();
    const kubeconfig = writeKubeconfig(path.join(dir, `${stack}-prometheus.kubeconfig`), `system:serviceaccount:${namespace}:${sa!.metadata.name}`, creds);

    type Pod = { metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string; podIP?: string } };
    const expected: string[] = [];
    for (const app of config.apps) {
      const pods = (await cluster.admin.list<Pod>('v1', 'Pod', namespace, `${K8S_APP_LABELS.name}=${app.name}`)).filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
      expect(pods.length, `${app.name} pods`).toBeGreaterThanOrEqual(app.replicas.min);
      for (const p of pods) expected.push(JSON.stringify({ job: 'apps', labels: { instance: p.metadata.name, job: 'apps', service: app.name }, url: `http://${p.status.podIP}:${app.port}${app.metricsPath}` }));
    }
    if (config.exporters.node.enabled) {
      for (const name of NODE_NAMES) {
        const node = await cluster.admin.get<{ status: { addresses: { type: string; address: string }[] } }>('v1', 'Node', name);
        const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address;
        expected.push(JSON.stringify({ job: 'node-exporter', labels: { instance: name, job: 'node-exporter', service: 'node' }, url: `http://${ip}:${nodeExporterPort(config)}/metrics` }));
      }
    }
    expected.sort();

    const jobs = kubernetesJobs(rendered);
    const seen = (targets: ActiveTarget[]) => targets.filter((t) => jobs.includes(t.scrapePool)).map((t) => JSON.stringify({ job: t.scrapePool, labels: t.labels, url: t.scrapeUrl })).sort();
    const prometheus = await DiscoveringPrometheus.start(cluster.supervisor, path.join(dir, `${stack}-prometheus`), rendered, kubeconfig, `prometheus-${stack}`);
    try {
      let targets: ActiveTarget[] = [];
      try {
        targets = await prometheus.targetsWhen((t) => (JSON.stringify(seen(t)) === JSON.stringify(expected) ? true : `${seen(t).length} of ${expected.length} targets`), DISCOVERY_TIMEOUT_MS);
      } catch {
        targets = await prometheus.activeTargets();
      }
      log(`${stack}: Prometheus discovered ${seen(targets).length} targets in jobs ${jobs.join(', ')}`);
      expect(prometheus.discoveryErrors()).toEqual([]);
      expect(seen(targets)).toEqual(expected);
    } finally {
      await prometheus.stop();
    }
  }, 90_000);

  it('pulumi preview --expect-no-changes passes after up', async () => {
    const preview = await deployed.previewExpectNoChanges();
    expect([...changes(preview)].filter(([, c]) => c !== 'same')).toEqual([]);
  }, 180_000);

  it('a threshold change replaces only the ConfigMaps holding the files it changes and rolls only the workloads that read them', async () => {
    // Five points above the stack's own value (catalog/thresholds.ts default unless the stack overrides it).
    const changedHostCpu = Math.round((config.alerts.thresholds.hostCpuUsage + 0.05) * 100) / 100;
    const raw = committedRaw(stack);
    const alerts = (raw.alerts ?? {}) as { thresholds?: Record<string, unknown> };
    const changedRaw = { ...raw, alerts: { ...alerts, thresholds: { ...alerts.thresholds, hostCpuUsage: changedHostCpu } } };
    const before = new Map(renderStack(config).map((a) => [a.path, a.content]));
    const after = renderStack(configOf(stack, changedRaw));
    const changedFiles = after.filter((a) => before.get(a.path) !== a.content).map((a) => a.path);
    expect(changedFiles.length, 'the change alters some rendered file').toBeGreaterThan(0);
    const expected = expectedRollout(state, changedFiles.map((p) => before.get(p) ?? ''));
    expect(expected.replaced.size, `a ConfigMap holds ${changedFiles.join(', ')}`).toBeGreaterThan(0);
    expect(expected.updated.size).toBeGreaterThan(0);

    const podUids = async () => new Set((await cluster.admin.list<KubeObject>('v1', 'Pod', namespace)).map((p) => String(p.metadata.uid)));
    const podsBefore = await podUids();
    // As a user changes it (docs/deploying.md, "Day two").
    const set = await deployed.shell(`pulumi config set --path 'observatory:alerts.thresholds.hostCpuUsage' ${changedHostCpu} --type float`);
    expect(set.code, set.output).toBe(0);
    const roll = await upWithin();
    const changed = [...changes(roll)].filter(([, c]) => c !== 'same');
    const describe = (urns: Iterable<string>) => [...urns].map((u) => u.split('::').at(-1)).sort();
    expect(describe(changed.filter(([, c]) => c === 'replaced').map(([u]) => u)), 'replaced').toEqual(describe(expected.replaced));
    expect(describe(changed.filter(([, c]) => c === 'updated').map(([u]) => u)), 'updated').toEqual(describe(expected.updated));
    expect(changed.filter(([, c]) => c === 'created' || c === 'deleted')).toEqual([]);
    expect(unexpectedWarnings(roll)).toEqual([]);

    // Only the updated workloads' pods were replaced.
    state = await deployed.state();
    objects = kubernetesObjects(state);
    expect(await waitWorkloadsReady(cluster.admin, objects, READY_TIMEOUT_MS)).toEqual([]);
    const rolledNames = new Set(state.filter((r) => expected.updated.has(r.urn)).map((r) => (r.outputs.metadata as { name: string }).name));
    const pods = await cluster.admin.list<KubeObject>('v1', 'Pod', namespace);
    const ownedByRolled = (p: KubeObject) => [...rolledNames].some((n) => p.metadata.name.startsWith(`${n}-`));
    const untouched = pods.filter((p) => !ownedByRolled(p));
    expect(untouched.length).toBeGreaterThan(0);
    for (const p of untouched) expect(podsBefore.has(String(p.metadata.uid)), `${describeObject(p)} was restarted`).toBe(true);
    for (const p of pods.filter(ownedByRolled)) expect(podsBefore.has(String(p.metadata.uid)), `${describeObject(p)} was not rolled`).toBe(false);
  }, UP_TIMEOUT_MS);

  it('pulumi destroy deletes every resource and leaves the namespaces gone', async () => {
    const destroy = await deployed.destroy();
    const kinds = [...new Set(objects.map((o) => `${o.apiVersion}|${o.kind}`))].map((k) => ({ apiVersion: k.split('|')[0], kind: k.split('|')[1] }));
    expect([...changes(destroy)].filter(([urn, c]) => c !== 'deleted' && !urn.includes('pulumi:pulumi:Stack'))).toEqual([]);
    expect(await deployed.state()).toEqual([]);
    for (const ns of [namespace, nodeExporterNamespace(config)]) {
      await pollUntil(`namespace ${ns} gone`, async () => ((await cluster.admin.getOrUndefined('v1', 'Namespace', ns)) ? notYet((await leftovers(cluster.admin, ns, kinds)).join(', ') || 'terminating') : done(undefined)), { timeoutMs: 60_000, intervalMs: 500 });
    }
    // The provisioner's volumes (Retain: nothing deletes them with their claims).
    for (const pv of await cluster.admin.list<KubeObject>('v1', 'PersistentVolume', undefined, TEST_VOLUME_SELECTOR)) await cluster.admin.delete({ ...pv, apiVersion: 'v1', kind: 'PersistentVolume' });
  }, UP_TIMEOUT_MS);
});
