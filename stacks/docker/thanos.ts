/**
 * The long-term engine on docker (longTermStorage kind thanos): Thanos Receive with its TSDB on
 * a named volume, and Thanos Query, which Grafana reads (deduplicating the Prometheus replicas).
 * Neither publishes a host port: Grafana reaches Query on the stack network.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { THANOS_RECEIVE_DATA_DIR } from '../paths';
import { thanosQueryRecipe, thanosReceiveRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, dockerName } from './container';
import { pullImage } from './image';

export function buildThanosReceiveContainer(config: StackConfig, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string>; volumeName: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = thanosReceiveRecipe(config);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    volumes: [{ volumeName: refs.volumeName, containerPath: THANOS_RECEIVE_DATA_DIR }],
  });
}

export function buildThanosQueryContainer(config: StackConfig, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = thanosQueryRecipe(config);
  return buildContainerArgs(recipe, { config, containerName: dockerName(config, recipe.name), imageId: refs.imageId, network: refs.network });
}

export class Thanos extends pulumi.ComponentResource {
  constructor(name: string, args: DockerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Thanos', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, thanosReceiveRecipe(config).image, this);
    const replace = { parent: this, deleteBeforeReplace: true };
    const volume = new docker.Volume(`${name}-receive-data`, { name: dockerName(config, 'thanos-receive-data') }, { parent: this });
    new docker.Container(`${name}-receive`, buildThanosReceiveContainer(config, { imageId: image.imageId, network: args.network, volumeName: volume.name }), replace);
    new docker.Container(`${name}-query`, buildThanosQueryContainer(config, { imageId: image.imageId, network: args.network }), replace);
    this.registerOutputs({});
  }
}
