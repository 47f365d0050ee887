/**
 * The long-term engine on kubernetes (longTermStorage kind thanos): Thanos Receive, which every
 * Prometheus replica remote-writes to, with its TSDB on a PersistentVolumeClaim, and Thanos
 * Query, which Grafana reads and which deduplicates the replicas on prometheus.replicaLabel.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { PORTS } from '../../generators/topology';
import type { StackConfig } from '../config/schema';
import { THANOS_RECEIVE_DATA_DIR } from '../paths';
import { IMAGE_USERS, thanosQueryRecipe, thanosReceiveRecipe } from '../recipes';
import { FROM_GRAFANA, FROM_PROMETHEUS, FROM_THANOS_QUERY, buildIngressPolicy, type IngressRule } from './networkPolicy';
import { buildContainer, buildPvcArgs, buildServiceArgs, buildSingleReplicaDeployment, podSecurityContext, selectorOf, serviceLabels } from './pod';

export interface ThanosArgs {
  readonly config: StackConfig;
  readonly namespace: pulumi.Input<string>;
}

export const THANOS_RECEIVE_PVC = 'thanos-receive-data';

export function buildThanosReceiveDeployment(config: StackConfig, namespace: pulumi.Input<string>, pvcName: pulumi.Input<string>): k8s.apps.v1.DeploymentArgs {
  const recipe = thanosReceiveRecipe(config);
  return {
    metadata: { name: recipe.name, namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' }, // ReadWriteOnce TSDB volume
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(recipe, IMAGE_USERS.thanosReceive),
          terminationGracePeriodSeconds: 120,
          containers: [buildContainer(recipe, { volumeMounts: [{ name: 'data', mountPath: THANOS_RECEIVE_DATA_DIR }] })],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvcName } }],
        },
      },
    },
  };
}

export const THANOS_RECEIVE_INGRESS: readonly IngressRule[] = [
  // Prometheus writes and scrapes; Query reads the Store API.
  { ports: [PORTS.thanosRemoteWrite, PORTS.thanosHttp], from: [FROM_PROMETHEUS] },
  { ports: [PORTS.thanosGrpc], from: [FROM_THANOS_QUERY] },
];
export const THANOS_QUERY_INGRESS: readonly IngressRule[] = [{ ports: [PORTS.thanosHttp], from: [FROM_GRAFANA, FROM_PROMETHEUS] }];

export class Thanos extends pulumi.ComponentResource {
  /** In-cluster name of the Query Service Grafana reads. */
  public readonly queryServiceName: pulumi.Output<string>;

  constructor(name: string, args: ThanosArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:Thanos', name, {}, opts);
    const parent = { parent: this };
    const { config, namespace } = args;
    const receive = thanosReceiveRecipe(config);
    const query = thanosQueryRecipe(config);
    const pvc = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-receive-data`,
      buildPvcArgs(THANOS_RECEIVE_PVC, namespace, config.longTermStorage?.storage ?? '50Gi', config.storage.storageClass, serviceLabels(receive.name)),
      parent,
    );
    new k8s.apps.v1.Deployment(`${name}-receive`, buildThanosReceiveDeployment(config, namespace, pvc.metadata.name), parent);
    new k8s.core.v1.Service(`${name}-receive-service`, buildServiceArgs(receive, namespace), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-receive-ingress`, buildIngressPolicy(receive.name, namespace, THANOS_RECEIVE_INGRESS), parent);
    new k8s.apps.v1.Deployment(`${name}-query`, buildSingleReplicaDeployment(query, namespace), parent);
    const service = new k8s.core.v1.Service(`${name}-query-service`, buildServiceArgs(query, namespace), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-query-ingress`, buildIngressPolicy(query.name, namespace, THANOS_QUERY_INGRESS), parent);
    this.queryServiceName = service.metadata.name;
    this.registerOutputs({ queryServiceName: this.queryServiceName });
  }
}
