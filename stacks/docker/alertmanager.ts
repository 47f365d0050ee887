/**
 * Alertmanager on docker. Its configuration holds receiver secrets, so each file under
 * alertmanager/ is uploaded from the render with secret values, as a secret readable only by
 * Alertmanager's user; the plain render only decides which files exist.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { ALERTMANAGER_DATA_DIR } from '../paths';
import { alertmanagerRecipe } from '../recipes';
import { buildStatefulContainer, type DockerServiceArgs, type StatefulContainerRefs } from './common';
import { dockerName, secretUpload } from './container';
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

export class Alertmanager extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Alertmanager', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, alertmanagerRecipe(config).image, this);
    const volume = new docker.Volume(`${name}-data`, { name: dockerName(config, 'alertmanager-data') }, { parent: this });
    const uploads = buildAlertmanagerUploads(config, args.artifacts, args.secretArtifacts);
    const container = new docker.Container(
      `${name}-container`,
      buildAlertmanagerContainer(config, uploads, { imageId: image.imageId, network: args.network, volumeName: volume.name }),
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
