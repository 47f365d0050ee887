/**
 * blackbox_exporter on docker: the uptime probes from inside the stack network, so an app's
 * health path is probed at the alias every replica answers to. blackbox.yml is uploaded byte for
 * byte from the render; a changed module replaces the container.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { blackboxExporterRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, configUpload, dockerName } from './container';
import { pullImage } from './image';

export interface BlackboxExporterArgs extends DockerServiceArgs {
  /** The plain render, renderStack(config); everything under blackbox/ is uploaded. */
  readonly artifacts: readonly Artifact[];
}

export function buildBlackboxExporterContainer(config: StackConfig, artifacts: readonly Artifact[], refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string> }): docker.ContainerArgs {
  const recipe = blackboxExporterRecipe(config);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    uploads: filesUnder(artifacts, 'blackbox/').map((f) => configUpload(f.containerPath, f.content)),
  });
}

export class BlackboxExporter extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:BlackboxExporter', name, {}, opts);
    const image = pullImage(name, blackboxExporterRecipe(args.config).image, this);
    const container = new docker.Container(`${name}-container`, buildBlackboxExporterContainer(args.config, args.artifacts, { imageId: image.imageId, network: args.network }), {
      parent: this,
      deleteBeforeReplace: true,
    });
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
