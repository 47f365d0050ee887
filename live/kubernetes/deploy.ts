/**
 * The checks a stack deployed by `pulumi up` to the test API server must pass beyond the up
 * itself: every workload Ready, every HPA and PDB on an existing workload, every claim Bound, and
 * nothing left in a namespace after `pulumi destroy`. Each check returns problems as lines naming
 * the object (kind namespace/name) and the reason (status, the newest Warning events), so a failing
 * test says what to fix.
 */
import { DeadlineError, done, notYet, pollUntil } from '../poll';
import { describeObject, type KubeClient, type KubeObject } from './client';

interface Status {
  metadata: KubeObject['metadata'] & { generation?: number; uid?: string };
  spec?: { replicas?: number };
  status?: Record<string, unknown> & { observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

type EventItem = { type: string; reason: string; message: string; involvedObject: { kind: string; name: string }; lastTimestamp?: string; eventTime?: string; metadata: { creationTimestamp?: string } };

/** The newest Warning events about an object, its ReplicaSets and its pods: why a workload is not Ready. */
async function warningsAbout(client: KubeClient, namespace: string, name: string): Promise<string> {
  const events = await client.list<EventItem>('v1', 'Event', namespace);
  const about = events
    .filter((e) => e.type === 'Warning' && (e.involvedObject.name === name || e.involvedObject.name.startsWith(`${name}-`)))
    .sort((a, b) => (a.lastTimestamp ?? a.eventTime ?? a.metadata.creationTimestamp ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? b.metadata.creationTimestamp ?? ''));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of about.reverse()) {
    const line = `${e.involvedObject.kind} ${e.involvedObject.name} ${e.reason}: ${e.message}`;
    const key = `${e.reason}:${e.message.replace(/[a-z0-9]{5}\b/g, '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(line);
    if (lines.length >= 3) break;
  }
  return lines.length > 0 ? lines.join(' | ') : 'no warning events';
}

/** Why a workload is not Ready yet, or undefined when it is. */
export function workloadNotReady(o: Status & { kind: string }): string | undefined {
  const s = o.status ?? {};
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
  if ((s.observedGeneration ?? 0) < (o.metadata.generation ?? 1)) return `generation ${o.metadata.generation} not observed yet`;
  if (o.kind === 'DaemonSet') {
    const desired = num('desiredNumberScheduled');
    if (desired === 0) return 'schedules on no node';
    return num('numberReady') === desired && num('updatedNumberScheduled') === desired ? undefined : `${num('numberReady')}/${desired} ready`;
  }
  const want = o.spec?.replicas ?? 1;
  return num('readyReplicas') === want && num('updatedReplicas') === want && num('availableReplicas') === want ? undefined : `${num('readyReplicas')}/${want} ready, ${num('availableReplicas')} available`;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * Waits until every Deployment, StatefulSet and DaemonSet is Ready (a workload an HPA scales at
 * no fewer replicas than the HPA's minimum). Returns one line per workload that never was.
 */
export async function waitWorkloadsReady(client: KubeClient, objects: readonly KubeObject[], timeoutMs: number): Promise<string[]> {
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  const minimum = new Map<string, number>();
  for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const spec = h.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas?: number };
    minimum.set(`${spec.scaleTargetRef.kind}/${h.metadata.namespace}/${spec.scaleTargetRef.name}`, spec.minReplicas ?? 1);
  }
  const pending = async (): Promise<{ o: KubeObject; why: string }[]> => {
    const out: { o: KubeObject; why: string }[] = [];
    for (const o of workloads) {
      const live = await client.get<Status & { kind: string }>(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
      let why = workloadNotReady({ ...live, kind: o.kind });
      const min = minimum.get(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
      if (why === undefined && min !== undefined && (live.spec?.replicas ?? 1) < min) why = `${live.spec?.replicas ?? 1} replicas, below its HPA's minimum ${min}`;
      if (why !== undefined) out.push({ o, why });
    }
    return out;
  };
  try {
    await pollUntil(
      'workloads Ready',
      async () => {
        const p = await pending();
        return p.length === 0 ? done(undefined) : notYet(p.map((x) => describeObject(x.o)).join(', '));
      },
      { timeoutMs, intervalMs: 1000 },
    );
    return [];
  } catch (e) {
    if (!(e instanceof DeadlineError)) throw e;
    const still = await pending();
    const state = timeoutMs >= 1000 ? `never became Ready within ${Math.round(timeoutMs / 1000)} s` : 'is not Ready';
    return Promise.all(still.map(async ({ o, why }) => `${describeObject(o)} ${state} (${why}): ${await warningsAbout(client, o.metadata.namespace ?? '', o.metadata.name)}`));
  }
}

/** The workloads in these namespaces that are not Ready, each with why (for an up that takes too long). */
export async function notReadyIn(client: KubeClient, namespaces: readonly string[]): Promise<string[]> {
  const objects: KubeObject[] = [];
  for (const ns of namespaces) {
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
      for (const o of await client.list<KubeObject>('apps/v1', kind, ns)) objects.push({ ...o, apiVersion: 'apps/v1', kind });
    }
  }
  return waitWorkloadsReady(client, objects, 1);
}

/** Every HPA scales an existing workload of the stack, and the controller could read its scale. */
export async function checkAutoscalers(client: KubeClient, objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = (h.spec as { scaleTargetRef: { apiVersion: string; kind: string; name: string } }).scaleTargetRef;
    const target = await client.getOrUndefined(ref.apiVersion, ref.kind, ref.name, h.metadata.namespace);
    if (!target) {
      problems.push(`${describeObject(h)}: scaleTargetRef ${ref.kind} ${ref.name} does not exist`);
      continue;
    }
    if (!objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === h.metadata.namespace)) {
      problems.push(`${describeObject(h)}: scaleTargetRef ${ref.kind} ${ref.name} is not an object of the stack`);
    }
    const live = await client.get<Status>(h.apiVersion, h.kind, h.metadata.name, h.metadata.namespace);
    const able = live.status?.conditions?.find((c) => c.type === 'AbleToScale');
    if (able?.status !== 'True') problems.push(`${describeObject(h)}: AbleToScale is ${able ? `${able.status} (${able.reason}: ${able.message})` : 'not reported yet'}`);
  }
  return problems;
}

/** Every PDB's selector covers the pods of a workload of the stack (the disruption controller's count). */
export async function checkDisruptionBudgets(client: KubeClient, objects: readonly KubeObject[], timeoutMs: number): Promise<string[]> {
  const problems: string[] = [];
  for (const p of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const owners = objects.filter((o) => {
      if (!WORKLOADS.has(o.kind) || o.metadata.namespace !== p.metadata.namespace) return false;
      const labels = (o.spec as { template: { metadata?: { labels?: Record<string, string> } } }).template.metadata?.labels ?? {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (owners.length !== 1) {
      problems.push(`${describeObject(p)}: its selector matches the pods of ${owners.length} workloads of the stack (${owners.map(describeObject).join(', ') || 'none'})`);
      continue;
    }
    try {
      await pollUntil(
        `${describeObject(p)} counts its pods`,
        async () => {
          const live = await client.get<Status>(p.apiVersion, p.kind, p.metadata.name, p.metadata.namespace);
          const expected = (live.status?.expectedPods as number | undefined) ?? 0;
          const healthy = (live.status?.currentHealthy as number | undefined) ?? 0;
          return expected > 0 && healthy === expected && (live.status?.observedGeneration ?? 0) >= (live.metadata.generation ?? 1) ? done(undefined) : notYet(`expectedPods ${expected}, currentHealthy ${healthy}`);
        },
        { timeoutMs, intervalMs: 500 },
      );
    } catch (e) {
      problems.push(`${describeObject(p)}: the disruption controller counts none of ${describeObject(owners[0])}'s pods: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** Every claim Bound; an unbound one with the reason its events give (no such StorageClass, no volume). */
export async function checkClaimsBound(client: KubeClient, objects: readonly KubeObject[], timeoutMs: number): Promise<string[]> {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  const unbound = async () => {
    const out: KubeObject[] = [];
    for (const c of claims) {
      const live = await client.get<{ status?: { phase?: string } }>('v1', c.kind, c.metadata.name, c.metadata.namespace);
      if (live.status?.phase !== 'Bound') out.push(c);
    }
    return out;
  };
  try {
    await pollUntil('claims Bound', async () => ((await unbound()).length === 0 ? done(undefined) : notYet('unbound')), { timeoutMs, intervalMs: 500 });
    return [];
  } catch (e) {
    if (!(e instanceof DeadlineError)) throw e;
    return Promise.all(
      (await unbound()).map(async (c) => {
        const live = await client.get<{ spec: { storageClassName?: string }; status?: { phase?: string } }>('v1', c.kind, c.metadata.name, c.metadata.namespace);
        const cls = live.spec.storageClassName;
        const exists = cls === undefined ? false : (await client.getOrUndefined('storage.k8s.io/v1', 'StorageClass', cls)) !== undefined;
        const why = cls === undefined ? 'it names no StorageClass and the cluster has no default one' : exists ? await warningsAbout(client, c.metadata.namespace ?? '', c.metadata.name) : `its StorageClass "${cls}" does not exist in this cluster`;
        return `${describeObject(c)} is ${live.status?.phase ?? 'not Bound'}: ${why}`;
      }),
    );
  }
}

/** Objects every namespace gets from the controllers, not from the stack. */
const NAMESPACE_DEFAULTS = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

/** What is still in the namespace (stack kinds plus what controllers make of them: ReplicaSets, Pods, EndpointSlices). */
export async function leftovers(client: KubeClient, namespace: string, kinds: readonly { apiVersion: string; kind: string }[]): Promise<string[]> {
  const all = [...kinds, { apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, { apiVersion: 'apps/v1', kind: 'ControllerRevision' }, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of all) {
    if (k.kind === 'Namespace' || seen.has(`${k.apiVersion}/${k.kind}`)) continue;
    seen.add(`${k.apiVersion}/${k.kind}`);
    for (const o of await client.list<KubeObject>(k.apiVersion, k.kind, namespace)) {
      if (!NAMESPACE_DEFAULTS.has(`${k.kind}/${o.metadata.name}`)) out.push(`${k.kind} ${namespace}/${o.metadata.name}`);
    }
  }
  return out;
}
