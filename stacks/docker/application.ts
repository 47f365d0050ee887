/**
 * One application on docker: replicas.min containers (docker does not autoscale), each reachable
 * as appReplicaHost(app, i) (the static targets generators/prometheusConfig.ts scrapes) and all of
 * them as the app's name. Read-only root file system with a tmpfs /tmp.
 *
 * The health check runs wget or curl through the image's shell; an image with neither reports
 * "unhealthy" (it still runs), and `pulumi up` does not wait on it.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { appReplicaHost } from '../../generators/topology';
import type { AppConfig, StackConfig } from '../config/schema';
import { appRecipe } from '../recipes';
import type { DockerServiceArgs } from './common';
import { buildContainerArgs, dockerName } from './container';
import { pullImage } from './image';

export interface ApplicationArgs extends DockerServiceArgs {
  /** One entry of config.apps. */
  readonly app: AppConfig;
}

/** Container args of replica `index` (0-based, below app.replicas.min). */
export function buildAppReplicaContainer(config: StackConfig, app: AppConfig, index: number, refs: { imageId: pulumi.Input<string>; network: pulumi.Input<string> }): docker.ContainerArgs {
  const host = appReplicaHost(app, index);
  return buildContainerArgs(appRecipe(config, app), {
    config,
    containerName: dockerName(config, host),
    imageId: refs.imageId,
    network: refs.network,
    aliases: [host, app.name],
    probe: 'wget-or-curl',
    waitHealthy: false,
    extra: { tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' } },
  });
}

export class Application extends pulumi.ComponentResource {
  public readonly containerNames: pulumi.Output<string>[];

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    const { config, app } = args;
    super('observatory:docker:Application', name, {}, opts);
    const image = pullImage(name, app.image, this);
    this.containerNames = Array.from({ length: app.replicas.min }, (_, i) => {
      const c = new docker.Container(`${name}-${i}`, buildAppReplicaContainer(config, app, i, { imageId: image.imageId, network: args.network }), { parent: this, deleteBeforeReplace: true });
      return c.name;
    });
    this.registerOutputs({ containerNames: this.containerNames });
  }
}
