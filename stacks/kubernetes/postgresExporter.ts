/** postgres_exporter on kubernetes; the DSN (with its password) reaches it only through a Secret. */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { postgresExporterRecipe } from '../recipes';
import { buildExporterDeployment, buildExporterIngressPolicy } from './exporter';
import { buildServiceArgs, serviceLabels } from './pod';

export interface PostgresExporterArgs {
  readonly config: StackConfig;
  /** The postgresDsn secret, e.g. postgresql://user:pass@db:5432/app?sslmode=require */
  readonly dsn: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
}

export class PostgresExporter extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:PostgresExporter', name, {}, opts);
    const parent = { parent: this };
    const recipe = postgresExporterRecipe(args.config);
    const ns = args.namespace;
    // Keyed by the secret key the recipe's secretEnv names.
    const secret = new k8s.core.v1.Secret(`${name}-dsn`, { metadata: { namespace: ns, labels: serviceLabels(recipe.name) }, type: 'Opaque', stringData: { postgresDsn: pulumi.secret(args.dsn) } }, parent);
    new k8s.apps.v1.Deployment(`${name}-deployment`, buildExporterDeployment(recipe, ns, secret.metadata.name), parent);
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(recipe, ns), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildExporterIngressPolicy(recipe, ns), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
