/**
 * A prod environment must not ship documentation placeholders: alerts would link runbooks nobody
 * publishes, info alerts would go to smtp.example.com, Grafana would believe it lives at
 * grafana.example.com. The example.com/.net/.org domains and the .example top-level domain are
 * reserved for documentation (RFC 2606) and never reach anyone; the demo runbook base URL (the
 * default, defaultRunbookBaseUrl) is this repository's own demo. Dev and staging may keep them.
 */
import type { Fail } from './checks';
import { DEMO_REPOSITORY_URL, type StackConfig } from './schema';

const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|net|org)|example)\.?$/;

/** The reserved domain a host name belongs to, if it is one. */
export function placeholderDomain(host: string): string | undefined {
  const m = PLACEHOLDER_DOMAIN.exec(host.toLowerCase());
  return m ? m[2] : undefined;
}

const hostOfUrl = (url: string) => new URL(url).hostname;
const hostOfAddress = (hostPort: string) => hostPort.replace(/:[0-9]+$/, '');
const hostOfEmail = (address: string) => address.slice(address.lastIndexOf('@') + 1);

export function checkPlaceholders(config: StackConfig, fail: Fail): void {
  const refuse = (key: string, value: string, host: string, what: string) => {
    const domain = placeholderDomain(host);
    if (domain !== undefined) {
      fail(key, `(${value}) is on ${domain}, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to ${what}`);
    }
  };
  const { ingress } = config.grafana;
  if (ingress !== undefined) refuse('grafana.ingress.host', ingress.host, ingress.host, 'the host name people open Grafana at');
  refuse('grafana.rootUrl', config.grafana.rootUrl, hostOfUrl(config.grafana.rootUrl), 'the URL people open Grafana at');
  const email = config.receivers.email;
  if (email !== undefined) {
    refuse('receivers.email.smarthost', email.smarthost, hostOfAddress(email.smarthost), 'your SMTP relay (host:port)');
    refuse('receivers.email.from', email.from, hostOfEmail(email.from), 'the sender address your relay accepts');
    refuse('receivers.email.to', email.to, hostOfEmail(email.to), 'the mailbox info alerts go to');
    if (email.username.includes('@')) refuse('receivers.email.username', email.username, hostOfEmail(email.username), 'the account your relay authenticates');
  }
  if (config.exporters.redis.enabled) refuse('exporters.redis.address', config.exporters.redis.address, hostOfAddress(config.exporters.redis.address), 'the host:port of your Redis');
  const runbooks = config.alerts.runbookBaseUrl;
  if (runbooks === DEMO_REPOSITORY_URL || runbooks.startsWith(`${DEMO_REPOSITORY_URL}/`)) {
    fail('alerts.runbookBaseUrl', `(${runbooks}) is the demo repository's runbooks, the default when the key is not set; a prod environment must link where you publish generated/${config.stack}/runbooks: set observatory:alerts.runbookBaseUrl`);
  }
  refuse('alerts.runbookBaseUrl', runbooks, hostOfUrl(runbooks), `where you publish generated/${config.stack}/runbooks`);
}
