/**
 * Reads the stack config inside the Pulumi program, through the same schema the render CLI uses.
 * Secret values stay Outputs; only their presence is validated before any resource is created.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig, type StackConfig } from './schema';
import { SECRET_KEYS, type SecretKey, type SecretPresence } from './secrets';

const NAMESPACE = 'observatory';

/** Every `observatory:*` key that is set, parsed as Pulumi parses structured config. */
function rawConfig(): { raw: Record<string, unknown>; secrets: SecretPresence } {
  const raw: Record<string, unknown> = {};
  const secrets: SecretPresence = {};
  const all = pulumi.runtime.allConfig();
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const key = fullKey.slice(NAMESPACE.length + 1);
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      // Whether it was stored encrypted is checked on the committed stack file by the render CLI;
      // here requireSecret() makes the value a secret Output either way.
      secrets[key as SecretKey] = 'secret';
      continue;
    }
    try {
      raw[key] = JSON.parse(text);
    } catch {
      raw[key] = text; // plain strings are stored unquoted
    }
  }
  return { raw, secrets };
}

export function loadStackConfigFromPulumi(): StackConfig {
  const { raw, secrets } = rawConfig();
  return parseStackConfig(pulumi.getStack(), raw, secrets);
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
