/** Jaeger v2 on docker: OTLP (gRPC, HTTP) and the UI published on the host for local apps. */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { jaegerRecipe } from '../recipes';
import { publishedPorts, type DockerServiceArgs } from './common';
import { buildContainerArgs, dockerName } from './container';
import { pullImage } from './image';

export function buildJaegerContainer(config: StackConfig, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = jaegerRecipe(config);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    ports: publishedPorts(config, ['jaegerUi', 'otlpGrpc', 'otlpHttp']),
  });
}

export class Jaeger extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: DockerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Jaeger', name, {}, opts);
    const image = pullImage(name, jaegerRecipe(args.config).image, this);
    const container = new docker.Container(`${name}-container`, buildJaegerContainer(args.config, { imageId: image.imageId, network: args.network }), { parent: this, deleteBeforeReplace: true });
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
