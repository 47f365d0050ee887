/**
 * Checks of secret values. Only the Pulumi program has them (render never decrypts), so these run
 * in the program before any resource exists. Each catches a value the stack would deploy and then
 * fail on: Alertmanager refuses to load a config whose Slack or webhook URL is not a URL, so no
 * alert at all would be delivered. Messages never echo the value.
 */
import { ObservatoryError } from '../../catalog/errors';
import type { SecretKey } from './secrets';

type Check = (value: string) => string | undefined;

function url(protocols: readonly string[], example: string): Check {
  return (value) => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      return `secret value is not a URL; expected ${example}`;
    }
    if (!protocols.includes(u.protocol)) return `secret value must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL (got ${u.protocol}//...); expected ${example}`;
    if (u.hostname === '') return `secret value has no host; expected ${example}`;
    return undefined;
  };
}

/** postgres_exporter's DATA_SOURCE_NAME: a postgres(ql):// URL or libpq key=value pairs with a host. */
const postgresDsn: Check = (value) => {
  if (/^\s*(host|hostaddr)=/.test(value) || /\s(host|hostaddr)=/.test(value)) return undefined;
  return url(['postgresql:', 'postgres:'], 'postgresql://user:password@host:5432/db?sslmode=require')(value);
};

const noSpace: Check = (value) => (/\s/.test(value) ? 'secret value contains white space (a stray newline from the shell?)' : undefined);

export const SECRET_VALUE_CHECKS: Readonly<Record<SecretKey, readonly Check[]>> = {
  grafanaAdminPassword: [],
  postgresDsn: [postgresDsn],
  redisPassword: [],
  slackWebhookUrl: [noSpace, url(['https:'], 'https://hooks.slack.com/services/...')],
  pagerdutyRoutingKey: [noSpace],
  smtpPassword: [],
  deadMansSwitchUrl: [noSpace, url(['https:'], 'https://<your dead man\'s switch service>/ping/...')],
  remoteWritePassword: [],
  remoteWriteBearerToken: [noSpace],
};

export function checkSecretValue(stack: string, key: SecretKey, value: string): void {
  const fail = (problem: string) => new ObservatoryError(`stack ${stack}: observatory:${key}`, problem);
  if (value.length === 0) throw fail('secret value is empty');
  for (const check of SECRET_VALUE_CHECKS[key]) {
    const problem = check(value);
    if (problem !== undefined) throw fail(problem);
  }
}
