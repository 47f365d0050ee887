/**
 * Pure builders shared by the docker components: a docker.Container from a recipe (pinned image,
 * numeric non-root user, all capabilities dropped, memory and CPU limits, a health check, a restart
 * policy, bounded logs) plus naming. Config files arrive as `uploads`, so a remote Docker host
 * (DOCKER_HOST=ssh://...) works the same as the local one.
 */
import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { cpuString, memoryMiB } from '../quantity';
import type { ContainerRecipe } from '../recipes';

type Upload = docker.types.input.ContainerUpload;

/** Docker object names are global on a host; the stack name keeps two stacks apart. */
export function dockerName(config: StackConfig, name: string): string {
  return `observatory-${config.stack}-${name}`;
}

export function dockerLabels(config: StackConfig, service: string): docker.types.input.ContainerLabel[] {
  return [
    { label: 'observatory.stack', value: config.stack },
    { label: 'observatory.service', value: service },
  ];
}

/** How the health check runs inside the image. */
export type HealthProbe =
  /** busybox/alpine images (every monitoring image): `wget` is there. */
  | 'wget'
  /** An application image: whichever of wget or curl it has, through its shell. */
  | 'wget-or-curl';

export function buildHealthcheck(recipe: ContainerRecipe, probe: HealthProbe): docker.types.input.ContainerHealthcheck {
  const url = `http://127.0.0.1:${recipe.readiness.port}${recipe.readiness.path}`;
  const tests = probe === 'wget' ? ['CMD', 'wget', '-q', '-O', '/dev/null', url] : ['CMD-SHELL', `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`];
  return { tests, interval: '15s', timeout: '5s', retries: 3, startPeriod: '30s' };
}

export interface DockerContainerOptions {
  /** Container name, from dockerName(). */
  readonly containerName: string;
  /** Image id from the component's docker.RemoteImage (pulls recipe.image). */
  readonly imageId: pulumi.Input<string>;
  readonly network: pulumi.Input<string>;
  /** DNS names on the network. Default: [recipe.name] */
  readonly aliases?: readonly string[];
  /** Default: none */
  readonly uploads?: readonly pulumi.Input<Upload>[];
  /** Default: none */
  readonly volumes?: readonly docker.types.input.ContainerVolume[];
  /** Host ports. Default: none */
  readonly ports?: readonly docker.types.input.ContainerPort[];
  /** Values for recipe.secretEnv, by variable name; required for every one. Default: none */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Default: 'wget' */
  readonly probe?: HealthProbe;
  /** Block `pulumi up` until the health check passes. Default: true */
  readonly waitHealthy?: boolean;
  /** Default: none */
  readonly extra?: Partial<Pick<docker.ContainerArgs, 'pidMode' | 'tmpfs'>>;
  readonly config: StackConfig;
}

export function buildContainerArgs(recipe: ContainerRecipe, o: DockerContainerOptions): docker.ContainerArgs {
  const key = (what: string) => `stack ${o.config.stack}: ${recipe.name} ${what}`;
  const plainEnv = Object.keys(recipe.env)
    .sort()
    .map((k) => `${k}=${recipe.env[k]}`);
  const secretNames = Object.keys(recipe.secretEnv).sort();
  const secretEnv = secretNames.map((k) => {
    const v = o.secretEnv?.[k];
    if (v === undefined) throw new Error(`${recipe.name}: no value for secret env ${k}`);
    return pulumi.interpolate`${k}=${v}`;
  });
  const uploads = o.uploads ?? [];
  return {
    name: o.containerName,
    image: o.imageId,
    ...(recipe.args.length > 0 ? { command: [...recipe.args] } : {}),
    // A secret value anywhere in the list makes the whole list a secret in state.
    ...(secretEnv.length > 0 ? { envs: pulumi.secret(pulumi.all([...plainEnv, ...secretEnv])) } : plainEnv.length > 0 ? { envs: plainEnv } : {}),
    user: recipe.group !== undefined ? `${recipe.user}:${recipe.group}` : String(recipe.user),
    capabilities: { drops: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    // Uploads are copied into the container's file system, which a read-only root would refuse.
    readOnly: recipe.readOnlyRootFilesystem && uploads.length === 0,
    memory: memoryMiB(recipe.resources.limits.memory, key('memory limit')),
    memoryReservation: memoryMiB(recipe.resources.requests.memory, key('memory request')),
    cpus: cpuString(recipe.resources.limits.cpu, key('cpu limit')),
    restart: 'unless-stopped',
    healthcheck: buildHealthcheck(recipe, o.probe ?? 'wget'),
    wait: o.waitHealthy ?? true,
    waitTimeout: 180,
    // Let Prometheus and Alertmanager flush to their volumes before removal.
    destroyGraceSeconds: 60,
    logDriver: 'json-file',
    logOpts: { 'max-size': '10m', 'max-file': '3' },
    labels: dockerLabels(o.config, recipe.name),
    networksAdvanced: [{ name: o.network, aliases: [...(o.aliases ?? [recipe.name])] }],
    ...(uploads.length > 0 ? { uploads: [...uploads] } : {}),
    ...(o.volumes && o.volumes.length > 0 ? { volumes: [...o.volumes] } : {}),
    ...(o.ports && o.ports.length > 0 ? { ports: [...o.ports] } : {}),
    ...o.extra,
  };
}

/** A config file; readable by the (non-root) service user, owned by root so it cannot change it. */
export function configUpload(containerPath: string, content: pulumi.Input<string>): Upload {
  return { file: containerPath, content, permissions: '0644' };
}

/** A secret file readable only by the service's user. The content must be a secret Output. */
export function secretUpload(containerPath: string, content: pulumi.Input<string>, uid: number): Upload {
  return { file: containerPath, content: pulumi.secret(content), owner: String(uid), permissions: '0400' };
}
