/**
 * postgres_exporter on kubernetes; the DSN (with its password) reaches it only through a Secret,
 * the rendered queries file (tables, unused indexes) through a ConfigMap.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { POSTGRES_QUERIES_DIR } from '../../generators/postgresQueries';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { postgresExporterRecipe } from '../recipes';
import { buildExporterDeployment, buildExporterIngressPolicy } from './exporter';
import { buildServiceArgs, serviceLabels } from './pod';
import { buildVolumeData, type VolumeData } from './volumeData';

/** Validates and shapes the shipped queries file; throws before anything is registered. */
export function planPostgresExporter(config: StackConfig, artifacts: readonly Artifact[]): VolumeData {
  return buildVolumeData(filesUnder(artifacts, 'postgres-exporter/'), `stack ${config.stack}: ConfigMap postgres-exporter-queries`);
}

export interface PostgresExporterArgs {
  readonly config: StackConfig;
  /** The plain render, renderStack(config); everything under postgres-exporter/ is shipped. */
  readonly artifacts: readonly Artifact[];
  /** The postgresDsn secret, e.g. postgresql://user:pass@db:5432/app?sslmode=require */
  readonly dsn: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
}

export class PostgresExporter extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    const queries = planPostgresExporter(args.config, args.artifacts);
    super('observatory:kubernetes:PostgresExporter', name, {}, opts);
    const parent = { parent: this };
    const recipe = postgresExporterRecipe(args.config);
    const ns = args.namespace;
    // Keyed by the secret key the recipe's secretEnv names.
    const secret = new k8s.core.v1.Secret(`${name}-dsn`, { metadata: { namespace: ns, labels: serviceLabels(recipe.name) }, type: 'Opaque', stringData: { postgresDsn: pulumi.secret(args.dsn) } }, parent);
    const configMap = new k8s.core.v1.ConfigMap(`${name}-queries`, { metadata: { namespace: ns, labels: serviceLabels(recipe.name) }, data: queries.data }, parent);
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      buildExporterDeployment(recipe, ns, secret.metadata.name, { configMapName: configMap.metadata.name, data: queries, mountPath: POSTGRES_QUERIES_DIR }),
      parent,
    );
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(recipe, ns), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildExporterIngressPolicy(recipe, ns), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
