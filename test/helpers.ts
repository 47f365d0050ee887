/** Shared test fixtures: a valid stack config and helpers to build variants of it. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { ObservatoryError } from '../catalog/errors';
import { validateStackConfig } from '../stacks/config/load';
import type { StackConfig } from '../stacks/config/schema';
import type { SecretPresence } from '../stacks/config/secrets';

export const REPO = path.resolve(__dirname, '..');

export const ALL_SECRETS: SecretPresence = {
  grafanaAdminPassword: 'secret',
  postgresDsn: 'secret',
  slackWebhookUrl: 'secret',
  pagerdutyRoutingKey: 'secret',
  smtpPassword: 'secret',
  deadMansSwitchUrl: 'secret',
};

/**
 * Where the test stacks' runbooks are published. A prod environment refuses the demo default
 * (stacks/config/placeholders.ts), so baseRaw sets it unless the overrides name another.
 */
export const TEST_RUNBOOK_BASE_URL = 'https://runbooks.corp.internal/observatory';

export function baseRaw(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const alerts = (overrides.alerts ?? {}) as Record<string, unknown>;
  return {
    target: 'kubernetes',
    apps: [{ name: 'api', image: 'registry.example.com/api:1.2.3', port: 8080 }],
    receivers: { slack: { channel: '#alerts' }, pagerduty: { enabled: true }, deadMansSwitch: { enabled: true } },
    ...overrides,
    alerts: { runbookBaseUrl: TEST_RUNBOOK_BASE_URL, ...alerts },
  };
}

export function config(overrides: Record<string, unknown> = {}, stack = 'prod', secrets: SecretPresence = ALL_SECRETS): StackConfig {
  return validateStackConfig(stack, baseRaw(overrides), secrets, 'deploy');
}

/** The ObservatoryError a function throws (fails the test if it throws nothing or something else). */
export function errorOf(fn: () => unknown): ObservatoryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ObservatoryError) return e;
    throw new Error(`expected an ObservatoryError, got: ${String(e)}`);
  }
  throw new Error('expected an ObservatoryError, nothing was thrown');
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `observatory-${prefix}-`));
}

/** A tempDir() whose directories are removed once the calling test file's tests are done. */
export function cleanedTempDir(): (prefix: string) => string {
  const made: string[] = [];
  // Thousands of small files on a disk busy with the toolchain's background builds (scripts/test.sh)
  // took over two minutes to delete once: cleanup gets its own, longer limit.
  afterAll(async () => {
    await Promise.all(made.map((d) => fs.promises.rm(d, { recursive: true, force: true })));
  }, 600_000);
  return (prefix) => {
    const dir = tempDir(prefix);
    made.push(dir);
    return dir;
  };
}
