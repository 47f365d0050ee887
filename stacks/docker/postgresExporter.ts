/**
 * postgres_exporter on docker. Version 0.11 reads the DSN only from DATA_SOURCE_NAME (its *_FILE
 * variants take user, password and host separately), so the DSN is an environment variable whose
 * value is a Pulumi secret: encrypted in state, but visible to `docker inspect` on the host.
 * The database must be reachable from the stack's docker network. The rendered queries file
 * (tables, unused indexes) is uploaded byte for byte.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { postgresExporterRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, configUpload, dockerName } from './container';
import { pullImage } from './image';

export interface PostgresExporterArgs extends DockerServiceArgs {
  /** The plain render, renderStack(config); everything under postgres-exporter/ is uploaded. */
  readonly artifacts: readonly Artifact[];
  /** The postgresDsn secret. */
  readonly dsn: pulumi.Input<string>;
}

export function buildPostgresExporterContainer(
  config: StackConfig,
  artifacts: readonly Artifact[],
  refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string>; dsn: pulumi.Input<string> },
): docker.ContainerArgs {
  const recipe = postgresExporterRecipe(config);
  return buildContainerArgs(recipe, {
    uploads: filesUnder(artifacts, 'postgres-exporter/').map((f) => configUpload(f.containerPath, f.content)),
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    secretEnv: { DATA_SOURCE_NAME: pulumi.secret(refs.dsn) },
  });
}

export class PostgresExporter extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:PostgresExporter', name, {}, opts);
    const image = pullImage(name, postgresExporterRecipe(args.config).image, this);
    const container = new docker.Container(
      `${name}-container`,
      buildPostgresExporterContainer(args.config, args.artifacts, { imageId: image.imageId, network: args.network, dsn: args.dsn }),
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
