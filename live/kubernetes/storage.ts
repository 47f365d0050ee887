/**
 * Storage for the test cluster, which has no provisioner: one default StorageClass with
 * WaitForFirstConsumer binding (what GKE, EKS and AKS default classes do) and, standing in for
 * its provisioner, one hostPath PersistentVolume per claim of the stack that uses that class,
 * sized as the claim asks and pre-bound to it (claimRef). A claim naming another class gets no volume: on a real cluster it would
 * stay Pending just the same, so the test reports it. Nothing mounts the volumes (no kubelet).
 */
import * as path from 'node:path';
import type { KubeClient, KubeObject } from './client';

export const TEST_STORAGE_CLASS = 'observatory-test-default';

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

/** One volume per claim of the default class (or none named); returns the volumes, to delete later. */
export async function volumesForClaims(client: KubeClient, objects: readonly KubeObject[], dir: string): Promise<KubeObject[]> {
  const volumes: KubeObject[] = [];
  for (const claim of objects.filter((o) => o.kind === 'PersistentVolumeClaim')) {
    const spec = claim.spec as { storageClassName?: string; accessModes: string[]; resources: { requests: { storage: string } } };
    if (spec.storageClassName !== undefined && spec.storageClassName !== TEST_STORAGE_CLASS) continue;
    const name = `${claim.metadata.namespace}-${claim.metadata.name}`;
    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, labels: { 'observatory.test/volume': 'static' } },
      spec: {
        capacity: { storage: spec.resources.requests.storage },
        accessModes: spec.accessModes,
        storageClassName: TEST_STORAGE_CLASS,
        persistentVolumeReclaimPolicy: 'Retain',
        // Pre-bound to its claim, as a provisioner's volume is: unbound volumes race (a 1Gi claim
        // the scheduler sees before the 1Gi volume takes the 20Gi one, leaving Prometheus none).
        claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name },
        hostPath: { path: path.join(dir, name), type: 'DirectoryOrCreate' },
      },
    };
    await client.apply(pv, 'observatory-test');
    volumes.push(pv);
  }
  return volumes;
}
