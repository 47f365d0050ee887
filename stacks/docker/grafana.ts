/**
 * Grafana on docker: provisioning files and dashboards uploaded from the render, its database on a
 * named volume, anonymous access off. The admin password is uploaded as a file only Grafana's user
 * can read and passed as GF_SECURITY_ADMIN_PASSWORD__FILE, so it is in no environment variable.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { DOCKER_SECRETS_DIR, GRAFANA_DATA_DIR } from '../paths';
import { grafanaRecipe, type ContainerRecipe } from '../recipes';
import { buildStatefulContainer, type DockerServiceArgs, type StatefulContainerRefs } from './common';
import { configUpload, dockerName, secretUpload } from './container';
import { pullImage } from './image';

export interface GrafanaArgs extends DockerServiceArgs {
  /** The plain render; grafana/provisioning/ and dashboards/ are uploaded. */
  readonly artifacts: readonly Artifact[];
  /** The grafanaAdminPassword secret. */
  readonly adminPassword: pulumi.Input<string>;
}

export const GRAFANA_ADMIN_PASSWORD_FILE = `${DOCKER_SECRETS_DIR}/grafana-admin-password`;

/** The recipe with its secret env turned into a `__FILE` reference (Grafana reads any setting that way). */
export function dockerGrafanaRecipe(config: StackConfig): ContainerRecipe {
  const recipe = grafanaRecipe(config);
  const env: Record<string, string> = { ...recipe.env };
  for (const name of Object.keys(recipe.secretEnv)) env[`${name}__FILE`] = GRAFANA_ADMIN_PASSWORD_FILE;
  return { ...recipe, env, secretEnv: {} };
}

export function buildGrafanaUploads(config: StackConfig, artifacts: readonly Artifact[], adminPassword: pulumi.Input<string>): docker.types.input.ContainerUpload[] {
  const files = [...filesUnder(artifacts, 'grafana/provisioning/'), ...filesUnder(artifacts, 'dashboards/')];
  return [...files.map((f) => configUpload(f.containerPath, f.content)), secretUpload(GRAFANA_ADMIN_PASSWORD_FILE, adminPassword, grafanaRecipe(config).user)];
}

export type GrafanaRefs = StatefulContainerRefs;

export function buildGrafanaContainer(config: StackConfig, uploads: docker.types.input.ContainerUpload[], refs: GrafanaRefs): docker.ContainerArgs {
  return buildStatefulContainer(config, dockerGrafanaRecipe(config), uploads, refs, GRAFANA_DATA_DIR, 'grafana');
}

export class Grafana extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:docker:Grafana', name, {}, opts);
    const { config } = args;
    const image = pullImage(name, grafanaRecipe(config).image, this);
    const volume = new docker.Volume(`${name}-data`, { name: dockerName(config, 'grafana-data') }, { parent: this });
    const container = new docker.Container(
      `${name}-container`,
      buildGrafanaContainer(config, buildGrafanaUploads(config, args.artifacts, args.adminPassword), { imageId: image.imageId, network: args.network, volumeName: volume.name }),
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}
