/**
 * What both targets share before any resource exists: the stack-wide checks, the render (plain
 * for ConfigMaps and uploads, with secret values for the secret routes), and the endpoints the
 * program exports. The per-target compositions are stacks/kubernetes/stack.ts and
 * stacks/docker/stack.ts; stacks/program.ts picks one from config.target.
 */
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../catalog/errors';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../generators/renderStack';
import { SERVICE_NAMES, appReplicaHosts } from '../generators/topology';
import { assertNoPlaceholders, checkArtifacts, routeOf } from './artifacts';
import type { StackConfig } from './config/schema';
import type { SecretKey } from './config/secrets';

/** Secret values by key, as secret Outputs (stacks/config/fromPulumi.ts secretOutputs). */
export type StackSecrets = Partial<Record<SecretKey, pulumi.Output<string>>>;

/** Everything a target composition needs; produced by prepareStack(). */
export interface PreparedStack {
  readonly config: StackConfig;
  /** renderStack(config): byte for byte what generated/<stack>/ holds. Never contains secrets. */
  readonly artifacts: readonly Artifact[];
  /** The secret routes' artifacts rendered with secret values; a secret Output. */
  readonly secretArtifacts: pulumi.Output<Artifact[]>;
  readonly secrets: StackSecrets;
}

export type { StackEndpoints } from '../generators/topology';

function missingSecret(config: StackConfig, key: SecretKey): ObservatoryError {
  return new ObservatoryError(`stack ${config.stack}: observatory:${key}`, `secret is missing; set it with \`pulumi config set --secret observatory:${key} <value>\``);
}

/** A secret value the component cannot run without; a clear error when it is not set. */
export function requireSecretValue(secrets: StackSecrets, config: StackConfig, key: SecretKey): pulumi.Output<string> {
  const value = secrets[key];
  if (value === undefined) throw missingSecret(config, key);
  return value;
}

/** Checks that need the whole config; throws one ObservatoryError naming the key. */
export function checkStackConfig(config: StackConfig, secretKeys: readonly SecretKey[]): void {
  const at = (key: string) => `stack ${config.stack}: observatory:${key}`;
  for (const key of config.requiredSecrets) {
    if (!secretKeys.includes(key)) throw missingSecret(config, key);
  }
  const reserved = new Set<string>(Object.values(SERVICE_NAMES));
  config.apps.forEach((app, i) => {
    if (reserved.has(app.name)) throw new ObservatoryError(at(`apps[${i}].name`), `"${app.name}" is the name of a monitoring service; pick another name`);
  });
  if (config.target === 'docker') {
    // Network aliases share one DNS namespace: services, apps and app replicas.
    const owner = new Map<string, string>(Object.values(SERVICE_NAMES).map((s) => [s, `service ${s}`]));
    config.apps.forEach((app, i) => {
      for (const host of [app.name, ...appReplicaHosts(app)]) {
        const other = owner.get(host);
        if (other !== undefined && other !== `apps[${i}]`) throw new ObservatoryError(at(`apps[${i}].name`), `docker network alias "${host}" is also used by ${other}`);
        owner.set(host, `apps[${i}]`);
      }
    });
    const seen = new Map<number, string>();
    for (const [key, port] of Object.entries(config.docker.ports)) {
      const other = seen.get(port);
      if (other !== undefined) throw new ObservatoryError(at(`docker.ports.${key}`), `(${port}) is also used by docker.ports.${other}`);
      seen.set(port, key);
    }
  }
}

/**
 * Validates config and artifacts and renders everything; creates no resources, so bad input stops
 * `pulumi up` before anything is registered.
 */
export function prepareStack(config: StackConfig, secrets: StackSecrets): PreparedStack {
  checkStackConfig(config, Object.keys(secrets) as SecretKey[]);
  const artifacts = renderStack(config);
  checkArtifacts(config.stack, artifacts);
  const secretPaths = artifacts.filter((a) => routeOf(a.path)?.secret).map((a) => a.path);
  const secretArtifacts = pulumi.secret(
    pulumi.all(secrets).apply((values) => {
      const rendered = renderStack(config, { secrets: values }).filter((a) => routeOf(a.path)?.secret);
      const paths = rendered.map((a) => a.path);
      if (paths.join('\n') !== secretPaths.join('\n')) {
        throw new ObservatoryError(`stack ${config.stack}: render`, `rendering with secrets produced different files (${paths.join(', ')}) than without (${secretPaths.join(', ')})`);
      }
      assertNoPlaceholders(config.stack, rendered);
      return rendered;
    }),
  );
  return { config, artifacts, secretArtifacts, secrets };
}
