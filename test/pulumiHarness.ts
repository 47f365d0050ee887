/**
 * Runs the Pulumi program against pulumi.runtime.setMocks with a real Pulumi.<stack>.yaml (read
 * through splitConfig, as `pulumi config` stores it) plus fake secret values, and records every
 * registered resource. Call setupMocks() before importing anything that creates resources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import * as pulumi from '@pulumi/pulumi';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { splitConfig } from '../stacks/config/fromYaml';
import { parseStackConfig } from '../stacks/config/schema';
import type { SecretKey } from '../stacks/config/secrets';
import { REPO } from './helpers';


export interface Registered {
  readonly type: string;
  readonly name: string;
  /** As the provider would receive them; secret values stay wrapped (see isSecretWrapper). */
  readonly inputs: Record<string, unknown>;
  /** What the mock "provider" returned (inputs plus provider-computed fields). */
  readonly state: Record<string, unknown>;
}

/** Distinctive fake values: a leak is a plain substring search away. */
export const FAKE_SECRETS: Record<SecretKey, string> = {
  grafanaAdminPassword: 'fake-grafana-admin-7Qx2',
  postgresDsn: 'postgresql://observer:fake-pg-pass-9Kd4@db.internal:5432/app?sslmode=disable',
  redisPassword: 'fake-redis-pass-3Vb8',
  slackWebhookUrl: 'https://hooks.slack.com/services/FAKE/SLACK/hook5Tz1',
  pagerdutyRoutingKey: 'fake-pagerduty-key-8Lm6',
  smtpPassword: 'fake-smtp-pass-2Wn7',
  deadMansSwitchUrl: 'https://deadmansswitch.example.com/ping/fake-dms-4Hc9',
  remoteWritePassword: 'fake-remote-write-pass-6Jq3',
  remoteWriteBearerToken: 'fake-remote-write-token-1Rp5',
};

/** Substrings that must never leave a secret: whole values and the password inside the DSN. */
export const SECRET_NEEDLES: string[] = [...Object.values(FAKE_SECRETS), 'fake-pg-pass-9Kd4'];

/** The stack file's `config:` mapping as `pulumi config` stores it (keys with the namespace). */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const doc = yaml.load(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), 'utf8')) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/**
 * Installs the mocks and the config. `raw` is without the observatory: prefix (as splitConfig
 * returns it); secrets are set as secret config values.
 */
export function setConfig(raw: Record<string, unknown>, secrets: Partial<Record<SecretKey, string>>): void {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) all[`observatory:${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) all[`observatory:${k}`] = v;
  pulumi.runtime.setAllConfig(all, Object.keys(secrets).map((k) => `observatory:${k}`));
}

/**
 * Installs a stack file's `config:` mapping as the engine passes it to the program: every value as
 * text (structured values as JSON), `{secure: ...}` values decrypted to `secretValues[key]` (default
 * FAKE_SECRETS) and listed as secret keys, everything else (a secret key set in plain text too) not.
 */
export function setStackFileConfig(mapping: Record<string, unknown>, secretValues: Partial<Record<string, string>> = FAKE_SECRETS): void {
  const all: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(mapping)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'secure' in value) {
      const name = key.slice(key.indexOf(':') + 1);
      all[key] = secretValues[name] ?? 'fake-secret-value';
      secretKeys.push(key);
    } else all[key] = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  pulumi.runtime.setAllConfig(all, secretKeys);
}

export function setupMocks(stack: string): Registered[] {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state: Record<string, unknown> = { ...args.inputs };
        // What the providers compute: auto-names for kubernetes objects, image ids for pulls.
        const metadata = args.inputs.metadata as Record<string, unknown> | undefined;
        if (args.type.startsWith('kubernetes:') && metadata && metadata.name === undefined) state.metadata = { ...metadata, name: `${args.name}-auto` };
        if (args.type === 'docker:index/remoteImage:RemoteImage') state.imageId = `sha256:image-of-${String(args.inputs.name)}`;
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    'observatory',
    stack,
    false,
  );
  return registered;
}

/** The secrets a stack file's config requires, plus any optional ones named. */
export function secretsFor(stack: string, optional: SecretKey[] = []): Partial<Record<SecretKey, string>> {
  const { raw } = splitConfig(stack, stackFileConfig(stack));
  const keys = [...parseStackConfig(stack, raw, {}, 'render').requiredSecrets, ...optional];
  return Object.fromEntries(keys.map((k) => [k, FAKE_SECRETS[k]]));
}

/** Real stack file + the given secrets; returns the list resources are recorded into. */
export function setupStack(stack: string, secrets: Partial<Record<SecretKey, string>>): Registered[] {
  const registered = setupMocks(stack);
  setConfig(splitConfig(stack, stackFileConfig(stack)).raw, secrets);
  return registered;
}

/** Waits until every resource registration the program started has completed. */
export async function settle(): Promise<void> {
  // Exported by the SDK but marked internal (absent from its .d.ts); disconnect() would also wait
  // but ends the session, and one test file registers several programs.
  const settings = require('@pulumi/pulumi/runtime/settings') as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

export function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

export function isSecretWrapper(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** The value with every secret wrapper removed (for reading inputs). */
export function unwrap(v: unknown): unknown {
  if (isSecretWrapper(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

/** Paths (a.b[0].c) of strings containing a needle, outside any secret wrapper. */
export function plainLeaks(v: unknown, needles: readonly string[], at = ''): string[] {
  if (isSecretWrapper(v)) return [];
  if (typeof v === 'string') return needles.some((n) => v.includes(n)) ? [at || '(root)'] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => plainLeaks(x, needles, `${at}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => plainLeaks(x, needles, at ? `${at}.${k}` : k));
  return [];
}

/** Paths of strings containing a needle anywhere, wrapped or not. */
export function anyLeaks(v: unknown, needles: readonly string[]): string[] {
  return plainLeaks(unwrap(v), needles);
}

/** URNs of everything registered so far (they carry the parent type chain). */
export function registeredUrns(): string[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, unknown> };
  return [...monitor.getRegisteredResources().keys()];
}

export function byType(registered: readonly Registered[], type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

export function one(registered: readonly Registered[], type: string, name: string): Registered {
  const found = registered.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${byType(registered, type).map((r) => r.name).join(', ')})`);
  return found[0];
}
