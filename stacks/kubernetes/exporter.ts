/**
 * The shape the exporters share on kubernetes: one stateless replica, its connection secrets by
 * reference, its rendered config files (if any) from a ConfigMap, a ClusterIP Service Prometheus
 * scrapes (generators/topology.ts hostOf) and a policy that lets only Prometheus reach the port.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerRecipe } from '../recipes';
import { FROM_PROMETHEUS, buildIngressPolicy } from './networkPolicy';
import { buildSingleReplicaDeployment } from './pod';
import type { VolumeData } from './volumeData';

/** Rendered files mounted read-only from a ConfigMap at `mountPath`. */
export interface ExporterFiles {
  readonly configMapName: pulumi.Input<string>;
  readonly data: VolumeData;
  readonly mountPath: string;
}

export function buildExporterDeployment(recipe: ContainerRecipe, namespace: pulumi.Input<string>, secretName?: pulumi.Input<string>, files?: ExporterFiles): k8s.apps.v1.DeploymentArgs {
  return buildSingleReplicaDeployment(recipe, namespace, {
    ...(secretName !== undefined ? { secretName } : {}),
    ...(files
      ? {
          volumes: [{ name: 'config', configMap: { name: files.configMapName, items: files.data.items } }],
          volumeMounts: [{ name: 'config', mountPath: files.mountPath, readOnly: true }],
        }
      : {}),
  });
}

export function buildExporterIngressPolicy(recipe: ContainerRecipe, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
  return buildIngressPolicy(recipe.name, namespace, [{ ports: recipe.ports.map((p) => p.port), from: [FROM_PROMETHEUS] }]);
}
