/**
 * The Kubernetes objects a stack's Pulumi program creates, as the kubernetes provider would send
 * them to the API server: index.ts run under Pulumi's mocks (test/pulumiHarness.ts) with the
 * committed Pulumi.<stack>.yaml and the fake secrets, every registered kubernetes resource turned
 * into a manifest (apiVersion and kind from its type token, inputs with secrets unwrapped,
 * auto-names as the mock provider assigned them).
 *
 * Pulumi's mocks hold one program per process, so this runs as its own process:
 *   npx tsx test/live/kubernetesObjects.ts <stack>     prints a JSON array of manifests
 */
import type { KubeObject } from '../../live/kubernetes/client';
import { secretsFor, settle, setupStack, unwrap, type Registered } from '../pulumiHarness';

/** `kubernetes:apps/v1:Deployment` -> apps/v1 Deployment; `kubernetes:core/v1:Secret` -> v1 Secret. */
export function manifestOf(r: Registered): KubeObject {
  const [, groupVersion, kind] = r.type.split(':');
  const apiVersion = groupVersion.startsWith('core/') ? groupVersion.slice('core/'.length) : groupVersion;
  const inputs = unwrap(r.inputs) as Record<string, unknown>;
  const state = unwrap(r.state) as { metadata?: { name?: string } };
  const metadata = { ...(inputs.metadata as Record<string, unknown>), name: state.metadata?.name } as KubeObject['metadata'];
  return { ...inputs, apiVersion, kind, metadata };
}

async function main(stack: string): Promise<void> {
  const registered = setupStack(stack, secretsFor(stack));
  await import('../../index');
  await settle();
  const objects = registered.filter((r) => r.type.startsWith('kubernetes:')).map(manifestOf);
  process.stdout.write(`${JSON.stringify(objects)}\n`);
}

if (require.main === module) {
  main(process.argv[2] ?? '').catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
