/**
 * redis_exporter on docker, pointed at config.exporters.redis.address (reachable from the stack's
 * docker network). The optional password is a secret environment variable, like the PostgreSQL DSN.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { redisExporterRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, dockerName } from './container';
import { pullImage } from './image';

export interface RedisExporterArgs extends DockerServiceArgs {
  /** The redisPassword secret. Default: none (Redis without AUTH) */
  readonly password?: pulumi.Input<string>;
}

export function buildRedisExporterContainer(config: StackConfig, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string>; password?: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = redisExporterRecipe(config, refs.password !== undefined);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    ...(refs.password !== undefined ? { secretEnv: { REDIS_PASSWORD: pulumi.secret(refs.password) } } : {}),
  });
}

export class RedisExporter extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: RedisExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:RedisExporter', name, {}, opts);
    const image = pullImage(name, redisExporterRecipe(args.config, args.password !== undefined).image, this);
    const container = new docker.Container(
      `${name}-container`,
      buildRedisExporterContainer(args.config, { imageId: image.imageId, network: args.network, password: args.password }),
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
