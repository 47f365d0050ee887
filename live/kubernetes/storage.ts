/**
 * Storage for the test cluster, which has no provisioner: one default StorageClass with
 * WaitForFirstConsumer binding (what GKE, EKS and AKS default classes do) and, standing in for
 * its provisioner, one hostPath PersistentVolume per claim of the stack that uses that class
 * (StatefulSet claim templates included),
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

interface ClaimSpec {
  storageClassName?: string;
  accessModes: string[];
  resources: { requests: { storage: string } };
}

/**
 * The claims the objects will make: each PersistentVolumeClaim, and for every StatefulSet each
 * claim template once per replica, named `<template>-<statefulset>-<ordinal>` as the StatefulSet
 * controller names them.
 */
function claimsOf(objects: readonly KubeObject[]): { namespace: string; name: string; spec: ClaimSpec }[] {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((c) => ({ namespace: c.metadata.namespace!, name: c.metadata.name, spec: c.spec as ClaimSpec }));
  for (const set of objects.filter((o) => o.kind === 'StatefulSet')) {
    const spec = set.spec as { replicas?: number; volumeClaimTemplates?: { metadata: { name: string }; spec: ClaimSpec }[] };
    for (const t of spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (spec.replicas ?? 1); i++) claims.push({ namespace: set.metadata.namespace!, name: `${t.metadata.name}-${set.metadata.name}-${i}`, spec: t.spec });
    }
  }
  return claims;
}

/** One volume per claim of the default class (or none named); returns the volumes, to delete later. */
export async function volumesForClaims(client: KubeClient, objects: readonly KubeObject[], dir: string): Promise<KubeObject[]> {
  const volumes: KubeObject[] = [];
  for (const claim of claimsOf(objects)) {
    const spec = claim.spec;
    if (spec.storageClassName !== undefined && spec.storageClassName !== TEST_STORAGE_CLASS) continue;
    const name = `${claim.namespace}-${claim.name}`;
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
        claimRef: { namespace: claim.namespace, name: claim.name },
        hostPath: { path: path.join(dir, name), type: 'DirectoryOrCreate' },
      },
    };
    await client.apply(pv, 'observatory-test');
    volumes.push(pv);
  }
  return volumes;
}
