/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi engine does, for the render CLI (which runs
 * without the Pulumi CLI): values become text as the engine passes them to the program, and secret
 * values (`{secure: ...}`) are never decrypted — only their presence is passed on. Validation is
 * stacks/config/load.ts, the same as inside the program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { ObservatoryError } from '../../catalog/errors';
import { checkStackName, decodeEntries, loadStackConfig, type EngineConfig } from './load';
import type { StackConfig } from './schema';
import type { SecretPresence } from './secrets';

/** Top-level keys of a Pulumi stack file. */
const STACK_FILE_KEYS = ['config', 'environment', 'secretsprovider', 'encryptedkey', 'encryptionsalt'];

const isSecure = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) && 'secure' in value;

/** A stack file's `config:` mapping in the engine's form: scalars as text, structured values as JSON. */
export function stackFileEntries(stack: string, config: unknown): EngineConfig {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ObservatoryError(`stack ${stack}: config`, 'must be a mapping of "observatory:<key>: value"');
  }
  const entries: Record<string, { text: string | undefined; secret: boolean }> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (isSecure(value)) entries[key] = { text: undefined, secret: true };
    else if (value === null || value === undefined) entries[key] = { text: '', secret: false };
    else entries[key] = { text: typeof value === 'object' ? JSON.stringify(value) : String(value), secret: false };
  }
  return entries;
}

/** Splits a stack file's `config:` mapping into plain values and secret presence. */
export function splitConfig(stack: string, config: unknown): { raw: Record<string, unknown>; secrets: SecretPresence } {
  const { raw, secrets } = decodeEntries(stack, stackFileEntries(stack, config));
  return { raw, secrets };
}

export function stackFilePath(root: string, stack: string): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/**
 * Stacks that have a `Pulumi.<stack>.yaml` in root, sorted. A stack file whose name is not a usable
 * stack name, or a `.yml` one (which render would otherwise skip in silence), is an error.
 */
export function listStacks(root: string): string[] {
  const stacks: string[] = [];
  for (const f of fs.readdirSync(root).sort()) {
    if (f === 'Pulumi.yaml' || f === 'Pulumi.yml') continue;
    const yml = /^Pulumi\.(.+)\.yml$/.exec(f);
    if (yml) throw new ObservatoryError(f, `stack files end in .yaml: rename it to Pulumi.${yml[1]}.yaml`);
    const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
    if (!m) continue;
    checkStackName(m[1], `${f}: stack name "${m[1]}"`);
    stacks.push(m[1]);
  }
  return stacks;
}

/** The parsed stack file: a mapping with Pulumi's top-level keys only. */
function readStackFile(root: string, stack: string): Record<string, unknown> {
  const file = stackFilePath(root, stack);
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ObservatoryError(`stack ${stack}`, code === 'ENOENT' ? `no stack file ${name} in ${root}` : `cannot read ${name} (${code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    // The core schema, as Pulumi's YAML reader: no timestamps or other implicit types.
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    throw new ObservatoryError(`stack ${stack}: ${name}`, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ObservatoryError(`stack ${stack}: ${name}`, 'must be a mapping with a config: key');
  for (const key of Object.keys(doc)) {
    if (!STACK_FILE_KEYS.includes(key)) throw new ObservatoryError(`stack ${stack}: ${name}: ${key}`, `unknown top-level key (a stack file holds ${STACK_FILE_KEYS.join(', ')}); check the spelling`);
  }
  return doc as Record<string, unknown>;
}

export function loadStackConfigFile(root: string, stack: string): StackConfig {
  checkStackName(stack);
  return loadStackConfig(stack, stackFileEntries(stack, readStackFile(root, stack).config), 'render');
}
