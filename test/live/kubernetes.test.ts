/**
 * The staging and prod stacks (both kubernetes) against a real control plane: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler of Kubernetes 1.37.2 and kwok's fake
 * nodes (live/kubernetes/controlPlane.ts), every one the pinned toolchain build, on 127.0.0.1.
 *
 * Each stack's Kubernetes objects are the ones its Pulumi program creates (index.ts under Pulumi's
 * mocks, test/live/kubernetesObjects.ts), applied server-side with field manager `observatory`; the
 * stack's namespace enforces Pod Security `restricted`, node_exporter's own `privileged`. Then: every object accepted by apply and
 * admission, every workload Ready, every HPA and PDB on an existing workload, every claim Bound,
 * NetworkPolicies stored, the pinned Prometheus discovering exactly the expected pods with the
 * stack's ServiceAccount, and deletion leaving the namespaces empty. The Pulumi CLI and the
 * kubernetes provider are not run here (docs/toolchain.md says why); the objects are theirs.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8S_APP_LABELS, nodeExporterNamespace, nodeExporterPort } from '../../generators/topology';
import { ApiError, KubeClient, describeObject, type KubeObject } from '../../live/kubernetes/client';
import { NODE_NAMES, controlPlaneBinaries, startControlPlane, type ControlPlane } from '../../live/kubernetes/controlPlane';
import { applyAll, checkAutoscalers, checkClaimsBound, checkDisruptionBudgets, deleteAll, waitWorkloadsReady, type ApplyResult } from '../../live/kubernetes/deploy';
import { DiscoveringPrometheus, kubernetesJobs, type ActiveTarget } from '../../live/kubernetes/discovery';
import { writeKubeconfig } from '../../live/kubernetes/kubeconfig';
import { installDefaultStorageClass, volumesForClaims } from '../../live/kubernetes/storage';
import { splitConfig } from '../../stacks/config/fromYaml';
import { parseStackConfig, type StackConfig } from '../../stacks/config/schema';
import { toolPath } from '../../toolchain/paths';
import { REPO } from '../helpers';
import { stackFileConfig } from '../pulumiHarness';

const STACKS = ['staging', 'prod'] as const;
type Stack = (typeof STACKS)[number];
/**
 * The Pod Security levels the stack's namespaces declare (stacks/kubernetes/podSecurity.ts): its
 * own `restricted`, node_exporter's `privileged`. `warn` too: PodSecurity enforces on pods only,
 * and warns at apply time about a workload whose pods it will refuse.
 */
const ENFORCE = 'pod-security.kubernetes.io/enforce';
const WARN = 'pod-security.kubernetes.io/warn';
/** kwok reports a scheduled pod Ready within about a second; the rest is the controllers' pace on a loaded machine. */
const READY_TIMEOUT_MS = 45_000;
/** Discovery sees a pod within a second or two of its watch event. */
const DISCOVERY_TIMEOUT_MS = 20_000;

const started = Date.now();
const log = (line: string) => process.stdout.write(`[k8s ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** The stack's objects, from its Pulumi program in a process of its own (Pulumi's mocks hold one program per process). */
function stackObjects(stack: Stack): Promise<KubeObject[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), path.join(REPO, 'test/live/kubernetesObjects.ts'), stack], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as KubeObject[]) : reject(new Error(`the ${stack} program under mocks exited with ${code}:\n${err}`))));
  });
}

function stackConfig(stack: Stack): StackConfig {
  const { raw } = splitConfig(stack, stackFileConfig(stack));
  return parseStackConfig(stack, raw, { grafanaAdminPassword: 'secret', postgresDsn: 'secret', slackWebhookUrl: 'secret', pagerdutyRoutingKey: 'secret', smtpPassword: 'secret', deadMansSwitchUrl: 'secret' });
}

let dir: string;
let cluster: ControlPlane;
const objectsOf = new Map<Stack, Promise<KubeObject[]>>();

beforeAll(async () => {
  // A missing build fails here, saying to run `npm run tools`, before anything starts.
  controlPlaneBinaries();
  toolPath('prometheus');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-k8s-'));
  // The programs run while the control plane starts.
  for (const s of STACKS) objectsOf.set(s, stackObjects(s));
  for (const s of STACKS) objectsOf.get(s)!.catch(() => undefined);
  cluster = await startControlPlane({ dir, log });
  log(`control plane up in ${(cluster.startupMs / 1000).toFixed(1)} s; kubeconfig ${cluster.adminKubeconfig}`);
  await installDefaultStorageClass(cluster.admin);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir && !process.env.OBSERVATORY_KEEP_K8S) fs.rmSync(dir, { recursive: true, force: true });
  log('stopped');
});

describe.each(STACKS)('%s on a real API server', (stack) => {
  let objects: KubeObject[] = [];
  let result: ApplyResult;
  let config: StackConfig;
  let namespace: string;

  beforeAll(async () => {
    config = stackConfig(stack);
    namespace = config.namespace;
    objects = await objectsOf.get(stack)!;
    log(`${stack}: ${objects.length} objects from the Pulumi program`);
    await volumesForClaims(cluster.admin, objects, path.join(dir, 'volumes'));
    result = await applyAll(cluster.admin, objects);
    log(`${stack}: applied ${result.applied.length}/${objects.length}; ${result.refused.length} refused, ${result.warnings.length} warnings`);
    for (const w of result.warnings) log(`${stack}: warning: ${w}`);
  }, 120_000);

  it('every object is accepted by server-side apply and admission (Pod Security restricted)', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(result.refused).toEqual([]);
    // PodSecurity admits a workload but warns when it would refuse its pods.
    expect(result.warnings.filter((w) => /PodSecurity/.test(w))).toEqual([]);
  });

  it("the stack's namespace enforces Pod Security restricted; only node_exporter runs in its own privileged one", async () => {
    const labels = async (ns: string) => (await cluster.admin.get<KubeObject>('v1', 'Namespace', ns)).metadata.labels ?? {};
    expect(await labels(namespace)).toMatchObject({ [ENFORCE]: 'restricted', [WARN]: 'restricted' });
    const privileged = nodeExporterNamespace(config);
    expect(await labels(privileged)).toMatchObject({ [ENFORCE]: 'privileged' });
    const there = objects.filter((o) => o.metadata.namespace === privileged).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(there).toEqual(['DaemonSet/node-exporter', 'Role/prometheus-discovery', 'RoleBinding/prometheus-discovery']);
  });

  it('every Deployment, StatefulSet and DaemonSet becomes Ready', async () => {
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
    expect(workloads.length).toBeGreaterThan(5);
    const problems = await waitWorkloadsReady(cluster.admin, objects, READY_TIMEOUT_MS);
    log(`${stack}: ${workloads.length - problems.length}/${workloads.length} workloads Ready`);
    // A control-plane process that died explains everything after it.
    expect(cluster.exited()).toBeUndefined();
    expect(problems).toEqual([]);
  }, READY_TIMEOUT_MS + 30_000);

  it('every HPA and PDB targets an existing workload of the stack', async () => {
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length).toBe(config.apps.length);
    expect(await checkAutoscalers(cluster.admin, objects)).toEqual([]);
    expect(await checkDisruptionBudgets(cluster.admin, objects, 20_000)).toEqual([]);
  }, 60_000);

  it('every PersistentVolumeClaim binds', async () => {
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim').length).toBeGreaterThan(0);
    expect(await checkClaimsBound(cluster.admin, objects, 15_000)).toEqual([]);
  }, 60_000);

  it('NetworkPolicies are accepted and stored as applied', async () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(3);
    for (const p of policies) {
      const live = await cluster.admin.get<KubeObject>(p.apiVersion, p.kind, p.metadata.name, p.metadata.namespace);
      expect(live.spec, describeObject(p)).toEqual(p.spec);
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

    // The expected targets, from the stack's config and the pods the API server has.
    type Pod = { metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string }; status: { phase?: string; podIP?: string } };
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

  it('deleting every object leaves the namespace empty, then the namespace goes', async () => {
    expect(await deleteAll(cluster.admin, objects, 60_000)).toEqual([]);
    // The test's own volumes (Retain: nothing deletes them with their claims).
    for (const pv of await cluster.admin.list<KubeObject>('v1', 'PersistentVolume', undefined, 'observatory.test/volume=static')) await cluster.admin.delete({ ...pv, apiVersion: 'v1', kind: 'PersistentVolume' });
  }, 150_000);
});
