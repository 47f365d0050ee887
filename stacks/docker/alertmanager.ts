/**
 * Alertmanager on docker. Its configuration holds receiver secrets, so each file under
 * alertmanager/ is uploaded from the render with secret values, as a secret readable only by
 * Alertmanager's user; the plain render only decides which files exist.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { SERVICE_NAMES, alertmanagerIsClustered } from '../../generators/topology';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { ALERTMANAGER_DATA_DIR } from '../paths';
import { alertmanagerRecipe } from '../recipes';
import { buildStatefulContainer, publishedPorts, type DockerServiceArgs, type StatefulContainerRefs } from './common';
import { buildContainerArgs, dockerName, secretUpload } from './container';
import { pullImage } from './image';

export interface AlertmanagerArgs extends DockerServiceArgs {
  /** The plain render; fixes which files are uploaded. */
  readonly artifacts: readonly Artifact[];
  /** The secret routes rendered with secret values (PreparedStack.secretArtifacts). */
  readonly secretArtifacts: pulumi.Input<Artifact[]>;
}

export function buildAlertmanagerUploads(config: StackConfig, artifacts: readonly Artifact[], secretArtifacts: pulumi.Input<Artifact[]>): docker.types.input.ContainerUpload[] {
  const uid = alertmanagerRecipe(config).user;
  return filesUnder(artifacts, 'alertmanager/').map((f) =>
    secretUpload(
      f.containerPath,
      pulumi.output(secretArtifacts).apply((rendered) => {
        const file = rendered.find((a) => a.path === f.artifactPath);
        if (!file) throw new Error(`${f.artifactPath} missing from the secret render`);
        return file.content;
      }),
      uid,
    ),
  );
}

export type AlertmanagerRefs = StatefulContainerRefs;

export function buildAlertmanagerContainer(config: StackConfig, uploads: docker.types.input.ContainerUpload[], refs: AlertmanagerRefs): docker.ContainerArgs {
  return buildStatefulContainer(config, alertmanagerRecipe(config), uploads, refs, ALERTMANAGER_DATA_DIR, 'alertmanager');
}

/**
 * Member i of a gossiping cluster: container and alias alertmanager-<i> (the --cluster.peer
 * names and Prometheus's targets) plus the shared alias alertmanager (Grafana's datasource);
 * only member 0 publishes the host port.
 */
export function buildAlertmanagerMemberContainer(config: StackConfig, uploads: docker.types.input.ContainerUpload[], refs: AlertmanagerRefs, member: number): docker.ContainerArgs {
  const recipe = alertmanagerRecipe(config, member);
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    aliases: [recipe.name, SERVICE_NAMES.alertmanager],
    uploads,
    volumes: [{ volumeName: refs.volumeName, containerPath: ALERTMANAGER_DATA_DIR }],
    ports: member === 0 ? publishedPorts(config, ['alertmanager']) : [],
  });
}

export class Alertmanager extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Alertmanager', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, alertmanagerRecipe(config).image, this);
    const uploads = buildAlertmanagerUploads(config, args.artifacts, args.secretArtifacts);
    const opts_ = { parent: this, deleteBeforeReplace: true };
    if (!alertmanagerIsClustered(config)) {
      const volume = new docker.Volume(`${name}-data`, { name: dockerName(config, 'alertmanager-data') }, { parent: this });
      const container = new docker.Container(`${name}-container`, buildAlertmanagerContainer(config, uploads, { imageId: image.imageId, network: args.network, volumeName: volume.name }), opts_);
      this.containerName = container.name;
    } else {
      const containers = Array.from({ length: config.alertmanager.replicas }, (_, i) => {
        const volume = new docker.Volume(`${name}-${i}-data`, { name: dockerName(config, `alertmanager-${i}-data`) }, { parent: this });
        return new docker.Container(`${name}-${i}-container`, buildAlertmanagerMemberContainer(config, uploads, { imageId: image.imageId, network: args.network, volumeName: volume.name }, i), opts_);
      });
      this.containerName = containers[0].name;
    }
    this.registerOutputs({ containerName: this.containerName });
  }
}
