/**
 * The shape the PostgreSQL and Redis exporters share on kubernetes: one stateless replica, its
 * connection secrets by reference, a ClusterIP Service Prometheus scrapes (generators/topology.ts
 * hostOf) and a policy that lets only Prometheus reach the metrics port.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerRecipe } from '../recipes';
import { FROM_PROMETHEUS, buildIngressPolicy } from './networkPolicy';
import { buildSingleReplicaDeployment } from './pod';

export function buildExporterDeployment(recipe: ContainerRecipe, namespace: pulumi.Input<string>, secretName?: pulumi.Input<string>): k8s.apps.v1.DeploymentArgs {
  return buildSingleReplicaDeployment(recipe, namespace, secretName !== undefined ? { secretName } : {});
}

export function buildExporterIngressPolicy(recipe: ContainerRecipe, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
  return buildIngressPolicy(recipe.name, namespace, [{ ports: recipe.ports.map((p) => p.port), from: [FROM_PROMETHEUS] }]);
}
