/**
 * The config corpus of test/badInput.test.ts through the Pulumi program under mocks: every case is
 * refused with the very message render gives, before any resource is registered, and every case
 * render accepts deploys. Secret values are the one thing only the program sees: their checks
 * (and "secret is missing", which render never needs) are asserted here, with render accepting.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ObservatoryError } from '../catalog/errors';
import type { SecretKey } from '../stacks/config/secrets';
import { ACCEPTED_CASES, CONFIG_CASES, dockerBase, type ConfigMapping } from './corpus/configCases';
import { makeTemplateRoot, runRender, writeStackFile } from './corpus/harness';
import { cleanedTempDir } from './helpers';
import { FAKE_SECRETS, settle, setStackFileConfig, setupMocks } from './pulumiHarness';

const scratch = cleanedTempDir();

/** Runs the program for one stack file; the ObservatoryError message, or undefined if it deployed. */
async function program(stack: string, mapping: ConfigMapping, secretValues: Partial<Record<SecretKey, string>> = FAKE_SECRETS): Promise<{ message?: string; registered: number }> {
  const registered = setupMocks(stack);
  setStackFileConfig(mapping, secretValues);
  const { deploy } = await import('../stacks/program');
  let message: string | undefined;
  try {
    deploy();
  } catch (e) {
    if (!(e instanceof ObservatoryError)) throw e;
    message = e.message;
  }
  await settle();
  return { message, registered: registered.length };
}

describe('the Pulumi program refuses the config corpus with render\'s message, before any resource', () => {
  it.each(CONFIG_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await program(c.stack ?? 'dev', c.config);
    expect(r.message).toBe(c.message);
    expect(r.registered).toBe(0);
  });

  it.each(ACCEPTED_CASES.map((c) => [c.name, c] as const))('accepted: %s', async (_name, c) => {
    const r = await program(c.stack ?? 'dev', c.config);
    expect(r.message).toBeUndefined();
    expect(r.registered).toBeGreaterThan(10);
  });
});

describe('secret values: checked where they are known, in the program', () => {
  const slack = { ...dockerBase(), 'observatory:receivers': { slack: { channel: '#alerts' }, deadMansSwitch: { enabled: true } }, 'observatory:slackWebhookUrl': { secure: 'v1:x' }, 'observatory:deadMansSwitchUrl': { secure: 'v1:y' } };
  const cases: [string, ConfigMapping, Partial<Record<SecretKey, string>>, string][] = [
    ['a Slack webhook URL without https://', slack, { ...FAKE_SECRETS, slackWebhookUrl: 'hooks.slack.com/services/T/B/x' }, 'stack dev: observatory:slackWebhookUrl: secret value is not a URL; expected https://hooks.slack.com/services/...'],
    ['a Slack webhook URL over http://', slack, { ...FAKE_SECRETS, slackWebhookUrl: 'http://hooks.slack.com/services/T/B/x' }, 'stack dev: observatory:slackWebhookUrl: secret value must be a https:// URL (got http://...); expected https://hooks.slack.com/services/...'],
    ['a Slack webhook URL with a trailing newline', slack, { ...FAKE_SECRETS, slackWebhookUrl: 'https://hooks.slack.com/services/T/B/x\n' }, 'stack dev: observatory:slackWebhookUrl: secret value contains white space (a stray newline from the shell?)'],
    ['a dead man\'s switch URL without a scheme', slack, { ...FAKE_SECRETS, deadMansSwitchUrl: 'deadmansswitch.example.com/ping/x' }, "stack dev: observatory:deadMansSwitchUrl: secret value is not a URL; expected https://<your dead man's switch service>/ping/..."],
    ['a PostgreSQL DSN for another database', dockerBase(), { ...FAKE_SECRETS, postgresDsn: 'mysql://u:p@db:3306/app' }, 'stack dev: observatory:postgresDsn: secret value must be a postgresql:// or postgres:// URL (got mysql://...); expected postgresql://user:password@host:5432/db?sslmode=require'],
    ['an empty Grafana admin password', dockerBase(), { ...FAKE_SECRETS, grafanaAdminPassword: '' }, 'stack dev: observatory:grafanaAdminPassword: secret value is empty'],
  ];
  it.each(cases)('%s', async (_name, mapping, values, message) => {
    const r = await program('dev', mapping, values);
    expect(r.message).toBe(message);
    expect(r.registered).toBe(0);
    // render never decrypts, so it cannot see the value and accepts the file
    const root = makeTemplateRoot(scratch('secret-values'));
    writeStackFile(root, 'dev', mapping);
    expect((await runRender(root, ['--stack', 'dev', '--out', `${root}-out`])).code).toBe(0);
    fs.rmSync(`${root}-out`, { recursive: true, force: true });
  });

  it('a missing secret stops the program (render, which needs no secret values, accepts the file)', async () => {
    const { 'observatory:postgresDsn': _dsn, ...mapping } = dockerBase();
    const r = await program('dev', mapping);
    expect(r.message).toBe('stack dev: observatory:postgresDsn: secret is missing; set it with `pulumi config set --secret observatory:postgresDsn <value>`');
    expect(r.registered).toBe(0);
  });

  it('valid values deploy', async () => {
    const r = await program('dev', slack);
    expect(r.message).toBeUndefined();
    expect(r.registered).toBeGreaterThan(10);
  });
});
