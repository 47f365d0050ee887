/** redis_exporter on kubernetes; the address is plain config, the optional password a Secret. */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { redisExporterRecipe } from '../recipes';
import { buildExporterDeployment, buildExporterIngressPolicy } from './exporter';
import { buildServiceArgs, serviceLabels } from './pod';

export interface RedisExporterArgs {
  readonly config: StackConfig;
  /** The redisPassword secret. Default: none (Redis without AUTH) */
  readonly password?: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
}

export class RedisExporter extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: RedisExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:RedisExporter', name, {}, opts);
    const parent = { parent: this };
    const recipe = redisExporterRecipe(args.config, args.password !== undefined);
    const ns = args.namespace;
    const secret =
      args.password !== undefined
        ? new k8s.core.v1.Secret(`${name}-password`, { metadata: { namespace: ns, labels: serviceLabels(recipe.name) }, type: 'Opaque', stringData: { redisPassword: pulumi.secret(args.password) } }, parent)
        : undefined;
    new k8s.apps.v1.Deployment(`${name}-deployment`, buildExporterDeployment(recipe, ns, secret?.metadata.name), parent);
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(recipe, ns), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildExporterIngressPolicy(recipe, ns), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
