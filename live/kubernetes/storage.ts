/**
 * Storage for the test cluster, which has no provisioner: one default StorageClass with
 * WaitForFirstConsumer binding (what GKE, EKS and AKS default classes do) and, standing in for
 * its provisioner, a loop that gives every Pending claim of that class (the stack's own and the
 * ones StatefulSet claim templates make) one hostPath PersistentVolume, sized as the claim asks
 * and pre-bound to it (claimRef), as a dynamic provisioner's volume is. A claim naming another
 * class gets no volume: on a real cluster it would stay Pending just the same, and the test
 * reports it. Nothing mounts the volumes (no kubelet).
 */
import * as path from 'node:path';
import type { KubeClient, KubeObject } from './client';

export const TEST_STORAGE_CLASS = 'observatory-test-default';
/** The label of the test's volumes: their reclaim policy is Retain, so the test deletes them itself. */
const TEST_VOLUME_LABEL = ['observatory.test/volume', 'provisioned'] as const;
export const TEST_VOLUME_SELECTOR = TEST_VOLUME_LABEL.join('=');

export async function installDefaultStorageClass(client: KubeClient): Promise<void> {
  await client.apply(
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: TEST_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
    },
    'observatory-test',
  );
}

interface Claim {
  metadata: { name: string; namespace: string; uid: string };
  spec: { storageClassName?: string; accessModes: string[]; resources: { requests: { storage: string } }; volumeName?: string };
  status?: { phase?: string };
}

/** The volume the provisioner makes for a claim (exported for its unit test). */
export function volumeFor(claim: Claim, dir: string): KubeObject {
  const name = `${claim.metadata.namespace}-${claim.metadata.name}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: { [TEST_VOLUME_LABEL[0]]: TEST_VOLUME_LABEL[1] } },
    spec: {
      capacity: { storage: claim.spec.resources.requests.storage },
      accessModes: claim.spec.accessModes,
      storageClassName: TEST_STORAGE_CLASS,
      persistentVolumeReclaimPolicy: 'Retain',
      // Pre-bound to its claim (uid included, so a new claim of the same name gets a new volume).
      claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      hostPath: { path: path.join(dir, name), type: 'DirectoryOrCreate' },
    },
  };
}

export interface Provisioner {
  /** Claims it made a volume for, as "namespace/name". */
  readonly provisioned: readonly string[];
  stop(): Promise<void>;
}

/** Polls every claim of the cluster; a Pending one of the default class without a volume gets one. */
export function startProvisioner(client: KubeClient, dir: string, intervalMs = 500): Provisioner {
  const provisioned: string[] = [];
  const made = new Set<string>();
  let stopped = false;
  const tick = async () => {
    for (const claim of await client.listAllNamespaces<Claim>('v1', 'PersistentVolumeClaim')) {
      if (claim.status?.phase !== 'Pending' || claim.spec.volumeName || claim.spec.storageClassName !== TEST_STORAGE_CLASS) continue;
      if (made.has(claim.metadata.uid)) continue;
      const pv = volumeFor(claim, dir);
      // A volume left from an earlier claim of the same name (Retain) is Released; replace it.
      if (await client.getOrUndefined('v1', 'PersistentVolume', pv.metadata.name)) await client.delete(pv);
      await client.apply(pv, 'observatory-test');
      made.add(claim.metadata.uid);
      provisioned.push(`${claim.metadata.namespace}/${claim.metadata.name}`);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    provisioned,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
