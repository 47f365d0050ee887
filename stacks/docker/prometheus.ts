/**
 * Prometheus on docker: prometheus.yml and the rule files uploaded byte for byte from the render,
 * the TSDB on a named volume, retention from config, the UI on config.docker.ports.prometheus.
 * Changing any uploaded file replaces the container (uploads cannot change in place).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { remoteWriteSecretFile, remoteWriteSecretKeys } from '../../generators/remoteWrite';
import { SERVICE_NAMES, prometheusIsReplicated } from '../../generators/topology';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { requireSecretValue, type StackSecrets } from '../monitoringStack';
import { PROMETHEUS_DATA_DIR } from '../paths';
import { prometheusRecipe } from '../recipes';
import { buildStatefulContainer, publishedPorts, type DockerServiceArgs, type StatefulContainerRefs } from './common';
import { buildContainerArgs, configUpload, dockerName, secretUpload } from './container';
import { pullImage } from './image';

export interface PrometheusArgs extends DockerServiceArgs {
  /** The plain render, renderStack(config); everything under prometheus/ is uploaded. */
  readonly artifacts: readonly Artifact[];
  /** The stack's secrets; remote-write credentials the config names are uploaded as files. Default: none */
  readonly secrets?: StackSecrets;
}

export function buildPrometheusUploads(artifacts: readonly Artifact[]): docker.types.input.ContainerUpload[] {
  return [...filesUnder(artifacts, 'prometheus/'), ...filesUnder(artifacts, 'prometheus/rules/')].map((f) => configUpload(f.containerPath, f.content));
}

export type PrometheusRefs = StatefulContainerRefs;

/** The remote-write credential files, readable only by Prometheus's user. */
export function buildRemoteWriteUploads(config: StackConfig, secrets: StackSecrets): docker.types.input.ContainerUpload[] {
  const uid = prometheusRecipe(config).user;
  return remoteWriteSecretKeys(config).map((key) => secretUpload(remoteWriteSecretFile(key), requireSecretValue(secrets, config, key), uid));
}

export function buildPrometheusContainer(config: StackConfig, artifacts: readonly Artifact[], refs: PrometheusRefs, secretUploads: docker.types.input.ContainerUpload[] = []): docker.ContainerArgs {
  return buildStatefulContainer(config, prometheusRecipe(config), [...buildPrometheusUploads(artifacts), ...secretUploads], refs, PROMETHEUS_DATA_DIR, 'prometheus');
}

/**
 * Replica i of an HA set: container and alias prometheus-<i> plus the shared alias prometheus
 * (what Grafana and the stack outputs name), its own volume; only replica 0 publishes the host port.
 */
export function buildPrometheusReplicaContainer(config: StackConfig, artifacts: readonly Artifact[], refs: PrometheusRefs, replica: number, secretUploads: docker.types.input.ContainerUpload[] = []): docker.ContainerArgs {
  const recipe = prometheusRecipe(config, replica);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    aliases: [recipe.name, SERVICE_NAMES.prometheus],
    uploads: [...buildPrometheusUploads(artifacts), ...secretUploads],
    volumes: [{ volumeName: refs.volumeName, containerPath: PROMETHEUS_DATA_DIR }],
    ports: replica === 0 ? publishedPorts(config, ['prometheus']) : [],
  });
}

export class Prometheus extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Prometheus', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, prometheusRecipe(config).image, this);
    const secretUploads = buildRemoteWriteUploads(config, args.secrets ?? {});
    // A fixed container name cannot exist twice, so replacements delete first.
    const opts_ = { parent: this, deleteBeforeReplace: true };
    if (!prometheusIsReplicated(config)) {
      const volume = new docker.Volume(`${name}-data`, { name: dockerName(config, 'prometheus-data') }, { parent: this });
      const container = new docker.Container(`${name}-container`, buildPrometheusContainer(config, args.artifacts, { imageId: image.imageId, network: args.network, volumeName: volume.name }, secretUploads), opts_);
      this.containerName = container.name;
    } else {
      const containers = Array.from({ length: config.prometheus.replicas }, (_, i) => {
        const volume = new docker.Volume(`${name}-${i}-data`, { name: dockerName(config, `prometheus-${i}-data`) }, { parent: this });
        return new docker.Container(`${name}-${i}-container`, buildPrometheusReplicaContainer(config, args.artifacts, { imageId: image.imageId, network: args.network, volumeName: volume.name }, i, secretUploads), opts_);
      });
      this.containerName = containers[0].name;
    }
    this.registerOutputs({ containerName: this.containerName });
  }
}
