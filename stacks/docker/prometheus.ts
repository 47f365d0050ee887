/**
 * Prometheus on docker: prometheus.yml and the rule files uploaded byte for byte from the render,
 * the TSDB on a named volume, retention from config, the UI on config.docker.ports.prometheus.
 * Changing any uploaded file replaces the container (uploads cannot change in place).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { PROMETHEUS_DATA_DIR } from '../paths';
import { prometheusRecipe } from '../recipes';
import { buildStatefulContainer, type DockerServiceArgs, type StatefulContainerRefs } from './common';
import { configUpload, dockerName } from './container';
import { pullImage } from './image';

export interface PrometheusArgs extends DockerServiceArgs {
  /** The plain render, renderStack(config); everything under prometheus/ is uploaded. */
  readonly artifacts: readonly Artifact[];
}

export function buildPrometheusUploads(artifacts: readonly Artifact[]): docker.types.input.ContainerUpload[] {
  return [...filesUnder(artifacts, 'prometheus/'), ...filesUnder(artifacts, 'prometheus/rules/')].map((f) => configUpload(f.containerPath, f.content));
}

export type PrometheusRefs = StatefulContainerRefs;

export function buildPrometheusContainer(config: StackConfig, artifacts: readonly Artifact[], refs: PrometheusRefs): docker.ContainerArgs {
  return buildStatefulContainer(config, prometheusRecipe(config), buildPrometheusUploads(artifacts), refs, PROMETHEUS_DATA_DIR, 'prometheus');
}

export class Prometheus extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Prometheus', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, prometheusRecipe(config).image, this);
    const volume = new docker.Volume(`${name}-data`, { name: dockerName(config, 'prometheus-data') }, { parent: this });
    const container = new docker.Container(
      `${name}-container`,
      buildPrometheusContainer(config, args.artifacts, { imageId: image.imageId, network: args.network, volumeName: volume.name }),
      // A fixed container name cannot exist twice, so replacements delete first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
