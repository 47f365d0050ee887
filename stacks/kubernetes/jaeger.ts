/**
 * Jaeger v2 (all-in-one configuration) on kubernetes: OTLP gRPC and HTTP receivers for the apps, the query UI for
 * Grafana. Traces live in memory (bounded by JAEGER_MAX_TRACES), so one replica.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { PORTS } from '../../generators/topology';
import type { StackConfig } from '../config/schema';
import { jaegerRecipe } from '../recipes';
import { FROM_APPS, FROM_GRAFANA, buildIngressPolicy, type IngressRule, type Peer } from './networkPolicy';
import { buildServiceArgs, buildSingleReplicaDeployment } from './pod';

export interface JaegerArgs {
  readonly config: StackConfig;
  readonly namespace: pulumi.Input<string>;
}

export function buildJaegerDeployment(config: StackConfig, namespace: pulumi.Input<string>): k8s.apps.v1.DeploymentArgs {
  return buildSingleReplicaDeployment(jaegerRecipe(config), namespace, {
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  });
}

/**
 * Grafana queries traces; the stack's apps and every pod of the watched namespaces send spans. The
 * admin port only answers kubelet probes.
 */
export function jaegerIngressRules(config: StackConfig): IngressRule[] {
  const senders: Peer[] = [FROM_APPS, ...(config.watchNamespaces.length > 0 ? [{ namespaces: config.watchNamespaces }] : [])];
  return [
    { ports: [PORTS.jaegerQuery], from: [FROM_GRAFANA] },
    { ports: [PORTS.otlpGrpc, PORTS.otlpHttp], from: senders },
  ];
}

export class Jaeger extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:Jaeger', name, {}, opts);
    const parent = { parent: this };
    const recipe = jaegerRecipe(args.config);
    new k8s.apps.v1.Deployment(`${name}-deployment`, buildJaegerDeployment(args.config, args.namespace), parent);
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      buildServiceArgs(recipe, args.namespace, { ports: recipe.ports.filter((p) => p.name !== 'admin') }),
      parent,
    );
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildIngressPolicy('jaeger', args.namespace, jaegerIngressRules(args.config)), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
