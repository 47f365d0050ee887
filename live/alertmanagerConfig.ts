/**
 * Derives the live stack's alertmanager.yml from the rendered one. Routing (the tree, matchers,
 * grouping, inhibition) is kept exactly; what changes:
 *  - every integration's destination points at the local webhook receiver, at a path naming the
 *    receiver and integration (Slack api_url, PagerDuty url, webhook url), and e-mail goes to a
 *    local SMTP sink with an X-Live-Receiver header, so nothing leaves the machine and the test
 *    sees who got what;
 *  - secrets (`${secret:key}` placeholders and `*_file` references) get inline dummy values;
 *  - group_wait / group_interval are shortened so a notification follows a firing alert within
 *    seconds instead of minutes (repeat_interval stays as rendered).
 * Integrations the live stack cannot receive (opsgenie, ...) are rejected rather than left
 * pointing at the internet.
 */
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { toYaml } from '../generators/yaml';

export interface AlertmanagerDeriveOptions {
  /** URL the given integration of a receiver posts to. */
  readonly urlFor: (receiver: string, integration: string, index: number) => string;
  /** host:port of the local SMTP sink for email_configs. */
  readonly smarthost: string;
  /** Replaces every group_wait in the route tree. */
  readonly groupWait: string;
  /** Replaces every group_interval in the route tree. */
  readonly groupInterval: string;
  /** Directory the rendered notification templates were copied to. Default: templates stay as rendered. */
  readonly templatesDir?: string;
}

/** Header the derived e-mail configs add, naming receiver and config index (`name/0`). */
export const RECEIVER_HEADER = 'X-Live-Receiver';

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Integrations the live stack can receive, and the key that holds each one's destination. */
const URL_KEYS: Readonly<Record<string, string>> = { slack: 'api_url', pagerduty: 'url', webhook: 'url' };
const SECRET_PLACEHOLDER = /\$\{secret:([A-Za-z0-9_]+)\}/g;

/** `*_file` keys (secrets mounted as files) -> the same key inline with a dummy value. */
function inlineFileSecrets(m: Mapping, keep: ReadonlySet<string> = new Set()): Mapping {
  const out: Mapping = {};
  for (const [k, v] of Object.entries(m)) {
    if (k.endsWith('_file') && !keep.has(k)) {
      const inline = k.slice(0, -'_file'.length);
      if (m[inline] === undefined) out[inline] = `live-${inline}`;
      continue;
    }
    out[k] = isMapping(v) ? inlineFileSecrets(v, keep) : v;
  }
  return out;
}

function replacePlaceholders(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(SECRET_PLACEHOLDER, (_, key: string) => `live-${key}`);
  if (Array.isArray(v)) return v.map(replacePlaceholders);
  if (isMapping(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replacePlaceholders(x)]));
  return v;
}

function rewriteReceiver(receiver: Mapping, i: number, o: AlertmanagerDeriveOptions): Mapping {
  const name = receiver.name;
  if (typeof name !== 'string') throw new ObservatoryError(`alertmanager.yml receivers[${i}]`, 'has no name');
  const out: Mapping = { name };
  for (const [key, value] of Object.entries(receiver)) {
    if (key === 'name') continue;
    const kind = /^(.+)_configs$/.exec(key)?.[1];
    if (!kind || !Array.isArray(value)) throw new ObservatoryError(`alertmanager.yml receiver ${name}`, `unexpected key "${key}"`);
    out[key] = value.map((cfg, j) => {
      if (!isMapping(cfg)) throw new ObservatoryError(`alertmanager.yml receiver ${name}.${key}[${j}]`, 'must be a mapping');
      const c = inlineFileSecrets(cfg);
      if (kind === 'email') {
        const headers = isMapping(c.headers) ? c.headers : {};
        return { ...c, smarthost: o.smarthost, require_tls: false, headers: { ...headers, [RECEIVER_HEADER]: `${name}/${j}` } };
      }
      const urlKey = URL_KEYS[kind];
      if (!urlKey) throw new ObservatoryError(`alertmanager.yml receiver ${name}`, `${key} cannot be received by the live stack (supported: ${Object.keys(URL_KEYS).join(', ')}, email)`);
      return { ...c, [urlKey]: o.urlFor(name, kind, j) };
    });
  }
  return out;
}

function rewriteRoute(route: Mapping, o: AlertmanagerDeriveOptions, isRoot: boolean): Mapping {
  const out: Mapping = { ...route };
  if (isRoot || out.group_wait !== undefined) out.group_wait = o.groupWait;
  if (isRoot || out.group_interval !== undefined) out.group_interval = o.groupInterval;
  if (Array.isArray(route.routes)) out.routes = route.routes.map((r) => (isMapping(r) ? rewriteRoute(r, o, false) : r));
  return out;
}

/** The rendered alertmanager.yml text -> the live stack's alertmanager.yml text. */
export function deriveLiveAlertmanagerConfig(rendered: string, options: AlertmanagerDeriveOptions): string {
  for (const d of [options.groupWait, options.groupInterval]) {
    if (!isDuration(d)) throw new ObservatoryError('alertmanager timing', `"${d}" is not a Prometheus duration`);
  }
  const doc = yaml.load(rendered);
  if (!isMapping(doc) || !Array.isArray(doc.receivers) || !isMapping(doc.route)) {
    throw new ObservatoryError('alertmanager.yml', 'needs a route and a receivers list');
  }
  const out: Mapping = { ...doc };
  if (isMapping(doc.global)) {
    const g = inlineFileSecrets(doc.global);
    // Integration configs carry their own destinations; global defaults must not point outside.
    for (const k of ['slack_api_url', 'pagerduty_url', 'opsgenie_api_url', 'victorops_api_url', 'wechat_api_url', 'telegram_api_url', 'webex_api_url']) delete g[k];
    if (g.smtp_smarthost !== undefined) g.smtp_smarthost = options.smarthost;
    if (g.smtp_smarthost !== undefined || g.smtp_require_tls !== undefined) g.smtp_require_tls = false;
    out.global = g;
  }
  out.receivers = doc.receivers.map((r, i) => {
    if (!isMapping(r)) throw new ObservatoryError(`alertmanager.yml receivers[${i}]`, 'must be a mapping');
    return rewriteReceiver(r, i, options);
  });
  out.route = rewriteRoute(doc.route, options, true);
  if (options.templatesDir && Array.isArray(doc.templates)) {
    out.templates = doc.templates.map((t) => (typeof t === 'string' ? path.join(options.templatesDir!, path.basename(t)) : t));
  }
  return toYaml(replacePlaceholders(out), 'Derived by live/alertmanagerConfig.ts from the rendered alertmanager.yml for the live stack.');
}
