/**
 * The stack file the live stack renders: a copy of a committed docker stack (dev by default) with
 * every receiver switched on, so the rendered alertmanager.yml has Slack, PagerDuty, e-mail and the
 * dead man's switch for the live test to route to its local stand-ins. Secret values are never
 * needed by render; they are marked present (`secure`) so the config validates as on a real
 * deployment, and the derived alertmanager.yml replaces the placeholders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { ObservatoryError } from '../catalog/errors';
import { listStacks, stackFilePath } from '../stacks/config/fromYaml';
import { SECRET_KEYS } from '../stacks/config/secrets';

/** Receivers the live stack enables on top of the committed stack's own settings. */
export const LIVE_RECEIVERS = {
  slack: { channel: '#alerts-live' },
  pagerduty: { enabled: true },
  email: { to: 'oncall@live.invalid', from: 'alertmanager@live.invalid', smarthost: 'smtp.live.invalid:25', username: 'alertmanager@live.invalid' },
  deadMansSwitch: { enabled: true },
} as const;

/**
 * Uptime settings of the live stack: probes as often as it scrapes (so "N failed probes" takes
 * seconds, not minutes) and an https URL served by live/tlsServer.ts (self-signed, hence
 * insecureSkipVerify), so the certificate panel and alert have a certificate to read.
 */
export const LIVE_TLS_URL = { name: 'tls-demo', url: 'https://tls-demo:8443/', expectedStatus: 200, insecureSkipVerify: true } as const;
export const LIVE_UPTIME_INTERVAL = '2s';

/** The committed stack file's text -> the live stack file's text. */
export function liveStackFile(stack: string, committed: string): string {
  const doc = yaml.load(committed) as { config?: Record<string, unknown> } | undefined;
  const config = { ...(doc?.config ?? {}) };
  if (config['observatory:target'] !== 'docker') {
    throw new ObservatoryError(`stack ${stack}: observatory:target`, 'the live stack runs static targets on this machine; use a stack with target: docker');
  }
  config['observatory:receivers'] = LIVE_RECEIVERS;
  const uptime = (config['observatory:uptime'] ?? {}) as { urls?: unknown[] };
  config['observatory:uptime'] = { ...uptime, interval: LIVE_UPTIME_INTERVAL, urls: [...(uptime.urls ?? []), LIVE_TLS_URL] };
  for (const key of SECRET_KEYS) config[`observatory:${key}`] = { secure: 'v1:live-test-placeholder' };
  return yaml.dump({ ...doc, config }, { sortKeys: true, lineWidth: -1 });
}

/** The committed Pulumi.<stack>.yaml; an unknown stack is an error naming the ones there are. */
export function readStackFile(repoRoot: string, stack: string): string {
  const source = stackFilePath(repoRoot, stack);
  if (!fs.existsSync(source)) throw new ObservatoryError('--stack', `no ${path.basename(source)} in ${repoRoot} (have: ${listStacks(repoRoot).join(', ')})`);
  return fs.readFileSync(source, 'utf8');
}

/** Writes Pulumi.<stack>.yaml for the live stack into dir (a render root of its own). */
export function writeLiveStackFile(repoRoot: string, stack: string, dir: string): void {
  const text = liveStackFile(stack, readStackFile(repoRoot, stack));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(stackFilePath(dir, stack), text);
}
