/**
 * What both targets share before any resource exists: the render (plain
 * for ConfigMaps and uploads, with secret values for the secret routes), and the endpoints the
 * program exports. The per-target compositions are stacks/kubernetes/stack.ts and
 * stacks/docker/stack.ts; stacks/program.ts picks one from config.target.
 */
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../catalog/errors';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
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

/**
 * Renders and checks the artifacts of a config that stacks/config/load.ts validated; creates no
 * resources, so bad input stops `pulumi up` before anything is registered.
 */
export function prepareStack(config: StackConfig, secrets: StackSecrets): PreparedStack {
  for (const key of config.requiredSecrets) requireSecretValue(secrets, config, key);
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
