/**
 * Reads the stack config inside the Pulumi program through stacks/config/load.ts, the same
 * validation the render CLI runs. The engine's config already has the form load.ts takes; here the
 * secret values are known too, so they are checked (and a secret stored in plain text is refused)
 * before any resource is created. The values then reach the components only as secret Outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadStackConfig, NAMESPACE, type EngineConfig } from './load';
import type { StackConfig } from './schema';
import { SECRET_KEYS, type SecretKey } from './secrets';

/** Exported by the SDK's runtime but marked internal: whether the engine passed a key as a secret. */
function isConfigSecret(key: string): boolean {
  const runtimeConfig = require('@pulumi/pulumi/runtime/config') as { isConfigSecret(k: string): boolean };
  return runtimeConfig.isConfigSecret(key);
}

/** Every config key the engine passed, with whether it is stored encrypted. */
export function engineConfig(): EngineConfig {
  const entries: Record<string, { text: string; secret: boolean }> = {};
  for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) entries[key] = { text, secret: isConfigSecret(key) };
  return entries;
}

export function loadStackConfigFromPulumi(): StackConfig {
  return loadStackConfig(pulumi.getStack(), engineConfig(), 'deploy');
}

/** The secret values the config requires (plus optional ones that are set), as secret Outputs. */
export function secretOutputs(config: StackConfig): Partial<Record<SecretKey, pulumi.Output<string>>> {
  const cfg = new pulumi.Config(NAMESPACE);
  const out: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
  for (const key of SECRET_KEYS) {
    if (config.requiredSecrets.includes(key)) out[key] = cfg.requireSecret(key);
    else {
      const v = cfg.getSecret(key);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}
