/**
 * Reads `Pulumi.<stack>.yaml` the way `pulumi config` stores it, for the render CLI (which runs
 * without the Pulumi CLI). Secret values (`{secure: ...}`) are never decrypted: only their presence
 * is passed on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { ObservatoryError } from '../../catalog/errors';
import { parseStackConfig, type StackConfig } from './schema';
import { SECRET_KEYS, type SecretKey, type SecretPresence } from './secrets';

const PREFIX = 'observatory:';

/** Splits a stack file's `config:` mapping into plain values and secret presence. */
export function splitConfig(stack: string, config: unknown): { raw: Record<string, unknown>; secrets: SecretPresence } {
  if (config === undefined || config === null) return { raw: {}, secrets: {} };
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ObservatoryError(`stack ${stack}: config`, 'must be a mapping of "observatory:<key>: value"');
  }
  const raw: Record<string, unknown> = {};
  const secrets: SecretPresence = {};
  for (const [fullKey, value] of Object.entries(config as Record<string, unknown>)) {
    if (!fullKey.startsWith(PREFIX)) {
      // Provider settings such as kubernetes:context belong to other namespaces; leave them alone.
      if (fullKey.includes(':')) continue;
      throw new ObservatoryError(`stack ${stack}: ${fullKey}`, `config keys must be namespaced, e.g. "${PREFIX}${fullKey}"`);
    }
    const key = fullKey.slice(PREFIX.length);
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      const isSecure = typeof value === 'object' && value !== null && 'secure' in value;
      secrets[key as SecretKey] = isSecure ? 'secret' : 'plaintext';
      continue;
    }
    if (typeof value === 'object' && value !== null && 'secure' in value) {
      throw new ObservatoryError(`stack ${stack}: ${fullKey}`, 'is not a secret setting; set it without --secret');
    }
    raw[key] = value;
  }
  return { raw, secrets };
}

export function stackFilePath(root: string, stack: string): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Stacks that have a `Pulumi.<stack>.yaml` in root, sorted. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export function loadStackConfigFile(root: string, stack: string): StackConfig {
  const file = stackFilePath(root, stack);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ObservatoryError(`stack ${stack}`, `no stack file ${path.basename(file)} in ${root}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new ObservatoryError(`stack ${stack}: ${path.basename(file)}`, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const config = doc && typeof doc === 'object' ? (doc as { config?: unknown }).config : undefined;
  const { raw, secrets } = splitConfig(stack, config);
  return parseStackConfig(stack, raw, secrets, 'render');
}
