/** Arguments every docker service component takes, and the host ports they may publish. */
import type * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import { PORTS } from '../../generators/topology';
import type { StackConfig } from '../config/schema';
import type { ContainerRecipe } from '../recipes';
import { buildContainerArgs, dockerName } from './container';

export interface DockerServiceArgs {
  readonly config: StackConfig;
  /** Name of the stack's docker network (pass the Network's output so containers wait for it). */
  readonly network: pulumi.Input<string>;
}

export type PublishedPort = keyof StackConfig['docker']['ports'];

/** Container port behind each config.docker.ports entry. */
export const DOCKER_PUBLISHED: Record<PublishedPort, number> = {
  grafana: PORTS.grafana,
  prometheus: PORTS.prometheus,
  alertmanager: PORTS.alertmanager,
  jaegerUi: PORTS.jaegerQuery,
  otlpGrpc: PORTS.otlpGrpc,
  otlpHttp: PORTS.otlpHttp,
};

/** Host ports for the named entries of config.docker.ports, bound to config.docker.bindAddress (127.0.0.1 by default). */
export function publishedPorts(config: StackConfig, keys: readonly PublishedPort[]): docker.types.input.ContainerPort[] {
  return keys.map((k) => ({ internal: DOCKER_PUBLISHED[k], external: config.docker.ports[k], ip: config.docker.bindAddress, protocol: 'tcp' }));
}

/** What a service with a data volume (Prometheus, Alertmanager, Grafana) needs from its component. */
export interface StatefulContainerRefs {
  readonly imageId: pulumi.Input<string>;
  readonly network: pulumi.Input<string>;
  readonly volumeName: pulumi.Input<string>;
}

/** Container args for a service that keeps data in one named volume and publishes one host port. */
export function buildStatefulContainer(
  config: StackConfig,
  recipe: ContainerRecipe,
  uploads: docker.types.input.ContainerUpload[],
  refs: StatefulContainerRefs,
  dataDir: string,
  published: PublishedPort,
): docker.ContainerArgs {
  return buildContainerArgs(recipe, {
    config,
    containerName: dockerName(config, recipe.name),
    imageId: refs.imageId,
    network: refs.network,
    uploads,
    volumes: [{ volumeName: refs.volumeName, containerPath: dataDir }],
    ports: publishedPorts(config, [published]),
  });
}
