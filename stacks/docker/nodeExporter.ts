/**
 * node_exporter on docker: the Docker host's /proc, /sys and / mounted read-only, its PID
 * namespace shared, and the container on the stack network so Prometheus scrapes node-exporter:9100.
 * On Docker Desktop the "host" is Docker's Linux VM.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { NODE_EXPORTER_HOST_PATHS, nodeExporterRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, dockerName } from './container';
import { pullImage } from './image';

export function buildNodeExporterContainer(config: StackConfig, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = nodeExporterRecipe(config);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    volumes: [
      { hostPath: '/proc', containerPath: NODE_EXPORTER_HOST_PATHS.proc, readOnly: true },
      { hostPath: '/sys', containerPath: NODE_EXPORTER_HOST_PATHS.sys, readOnly: true },
      { hostPath: '/', containerPath: NODE_EXPORTER_HOST_PATHS.root, readOnly: true },
    ],
    extra: { pidMode: 'host' },
  });
}

export class NodeExporter extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: DockerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:NodeExporter', name, {}, opts);
    const image = pullImage(name, nodeExporterRecipe(args.config).image, this);
    const container = new docker.Container(`${name}-container`, buildNodeExporterContainer(args.config, { imageId: image.imageId, network: args.network }), { parent: this, deleteBeforeReplace: true });
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
