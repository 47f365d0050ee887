/**
 * What a config change should roll, derived rather than listed: the rendered files that differ
 * between the old and the new config (render/renderStack.ts, the same pure generator the program
 * ships from) name the ConfigMaps that hold them; those are replaced (the stack names ConfigMaps
 * by content, so a change is a new object), the workloads whose pods mount or read them are
 * updated (a new pod template, so their pods roll), and nothing else in the stack changes.
 */
import type { OpType } from '@pulumi/pulumi/automation';
import type { StateResource } from './pulumiStack';

const WORKLOAD_TYPES = new Set(['kubernetes:apps/v1:Deployment', 'kubernetes:apps/v1:StatefulSet', 'kubernetes:apps/v1:DaemonSet']);

/** The ConfigMap names anything under `node` refers to (volumes, projected volumes, envFrom, env valueFrom). */
export function configMapReferences(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const v of node) configMapReferences(v, into);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'configMap' || k === 'configMapRef' || k === 'configMapKeyRef') && v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') into.add((v as { name: string }).name);
      configMapReferences(v, into);
    }
  }
  return into;
}

export interface ExpectedRollout {
  /** ConfigMap URNs that hold a changed file. */
  readonly replaced: ReadonlySet<string>;
  /** Workload URNs whose pod template refers to one of them. */
  readonly updated: ReadonlySet<string>;
}

/**
 * `changed` is the old content of every rendered file the change alters; a ConfigMap holding one
 * (a data value equal to it) is replaced.
 */
export function expectedRollout(state: readonly StateResource[], changed: readonly string[]): ExpectedRollout {
  const wanted = new Set(changed);
  const replaced = new Map<string, string>();
  for (const r of state) {
    if (r.type !== 'kubernetes:core/v1:ConfigMap') continue;
    const data = (r.outputs.data ?? {}) as Record<string, string>;
    if (Object.values(data).some((v) => wanted.has(v))) replaced.set((r.outputs.metadata as { name: string }).name, r.urn);
  }
  const updated = new Set<string>();
  for (const r of state) {
    if (!WORKLOAD_TYPES.has(r.type)) continue;
    const template = (r.outputs.spec as { template?: unknown } | undefined)?.template;
    if ([...configMapReferences(template)].some((name) => replaced.has(name))) updated.add(r.urn);
  }
  return { replaced: new Set(replaced.values()), updated };
}

/** How an operation changed each resource, from its step ops: replaced, updated, created, deleted or untouched. */
export function changeOf(ops: ReadonlySet<OpType>): 'replaced' | 'updated' | 'created' | 'deleted' | 'same' {
  if (ops.has('replace') || ops.has('create-replacement') || ops.has('delete-replaced')) return 'replaced';
  if (ops.has('update')) return 'updated';
  if (ops.has('create')) return 'created';
  if (ops.has('delete')) return 'deleted';
  return 'same';
}
