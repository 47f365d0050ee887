/**
 * The one way a stack's config is read. The render CLI (stacks/config/fromYaml.ts, from
 * `Pulumi.<stack>.yaml`) and the Pulumi program (stacks/config/fromPulumi.ts, from the engine)
 * both reduce what they have to the form the Pulumi engine hands a program — every key with its
 * namespace, every value as text (structured values as JSON), and which keys are stored
 * encrypted — and then run loadStackConfig(). So both accept and refuse exactly the same configs;
 * the only difference is that the program also knows the secret values and checks them.
 */
import { ObservatoryError } from '../../catalog/errors';
import { checkStackConfig } from './checks';
import { isTextKey, parseStackConfig, type SecretMode, type StackConfig } from './schema';
import { checkSecretValue } from './secretValues';
import { SECRET_KEYS, type SecretKey, type SecretPresence } from './secrets';

export const NAMESPACE = 'observatory';

/**
 * Config namespaces of the providers this program uses (and Pulumi's own). Their keys are left
 * to them; any other namespace is refused, since it is almost always a misspelled `observatory:`
 * whose keys would otherwise be dropped without a word.
 */
export const OTHER_NAMESPACES: readonly string[] = ['pulumi', 'kubernetes', 'docker'];

/** One config value as the engine passes it. */
export interface ConfigEntry {
  /** The value as text; undefined for an encrypted value the reader cannot decrypt (render). */
  readonly text: string | undefined;
  /** Stored encrypted (`pulumi config set --secret`). */
  readonly secret: boolean;
}

/** Config by full key (`observatory:apps`). */
export type EngineConfig = Readonly<Record<string, ConfigEntry>>;

/** What decodeEntries() makes of the engine form: plain values, secret presence, known secret values. */
export interface DecodedConfig {
  readonly raw: Record<string, unknown>;
  readonly secrets: SecretPresence;
  readonly secretValues: Partial<Record<SecretKey, string>>;
}

/**
 * Pulumi's own rule for stack names (letters, digits, "_", "." and "-", at most 100), and not
 * starting with ".": render builds generated/<stack> from it, so "." or ".." must never pass.
 */
const STACK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export function checkStackName(stack: string, key = `stack "${stack}"`): void {
  if (!STACK_NAME.test(stack)) {
    throw new ObservatoryError(key, 'is not a usable stack name: use letters, digits, "_", "." and "-" (at most 100), not starting with "." (so it can never be a path such as "." or "..")');
  }
}

const isSecretKey = (key: string): key is SecretKey => (SECRET_KEYS as readonly string[]).includes(key);

/** A plain value: text for keys whose schema is text (so `namespace: "true"` stays a string), else JSON. */
function decodeValue(key: string, text: string): unknown {
  if (isTextKey(key)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: the schema names the key and what it expected
  }
}

/** Splits the engine form into plain values and secrets; refuses foreign namespaces and misplaced secrets. */
export function decodeEntries(stack: string, entries: EngineConfig): DecodedConfig {
  const raw: Record<string, unknown> = {};
  const secrets: SecretPresence = {};
  const secretValues: Partial<Record<SecretKey, string>> = {};
  for (const fullKey of Object.keys(entries).sort()) {
    const entry = entries[fullKey];
    const at = `stack ${stack}: ${fullKey}`;
    const colon = fullKey.indexOf(':');
    if (colon < 0) throw new ObservatoryError(at, `config keys must be namespaced, e.g. "${NAMESPACE}:${fullKey}"`);
    const ns = fullKey.slice(0, colon);
    if (ns !== NAMESPACE) {
      if (OTHER_NAMESPACES.includes(ns)) continue;
      throw new ObservatoryError(at, `unknown config namespace "${ns}": Observatory reads ${NAMESPACE}:<key> (and leaves ${OTHER_NAMESPACES.map((n) => `${n}:`).join(', ')} to Pulumi and its providers); check the spelling`);
    }
    const key = fullKey.slice(colon + 1);
    if (isSecretKey(key)) {
      secrets[key] = entry.secret ? 'secret' : 'plaintext';
      if (entry.secret && entry.text !== undefined) secretValues[key] = entry.text;
      continue;
    }
    if (entry.secret) throw new ObservatoryError(at, 'is not a secret setting; set it without --secret');
    raw[key] = decodeValue(key, entry.text ?? '');
  }
  return { raw, secrets, secretValues };
}

/**
 * The schema (parseStackConfig) and then the whole-config checks (stacks/config/checks.ts), for
 * values already decoded; loadStackConfig() runs it, tests call it with raw objects.
 */
export function validateStackConfig(stack: string, raw: unknown, secrets: SecretPresence, mode: SecretMode): StackConfig {
  const config = parseStackConfig(stack, raw, secrets, mode);
  checkStackConfig(config);
  return config;
}

/**
 * Validates everything: the stack name, the namespaces, the schema and the whole-config checks,
 * secret presence (`deploy` requires every secret the config needs) and, where the values are
 * known (the program), the secret values. Throws one ObservatoryError naming stack, key and problem.
 */
export function loadStackConfig(stack: string, entries: EngineConfig, mode: SecretMode): StackConfig {
  checkStackName(stack);
  const { raw, secrets, secretValues } = decodeEntries(stack, entries);
  const config = validateStackConfig(stack, raw, secrets, mode);
  for (const key of SECRET_KEYS) {
    const value = secretValues[key];
    if (value !== undefined) checkSecretValue(stack, key, value);
  }
  return config;
}
