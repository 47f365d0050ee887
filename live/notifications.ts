/**
 * Who was told about an alert, and at which severity, from the notifications the webhook receiver
 * and SMTP sink recorded: each integration carries the severity in its own shape.
 */
import { alertNamesIn, type Notification } from './webhookReceiver';

export const SEVERITIES = ['critical', 'warning', 'info', 'none'] as const;

export interface Delivery {
  readonly receiver: string;
  readonly integration: string;
  /** The severity the message states; undefined when it states none. */
  readonly severity: string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The severity a notification about `alertname` states. */
export function severityOf(n: Notification, alertname: string): string | undefined {
  const body = isObject(n.body) ? n.body : {};
  if (n.integration === 'webhook' && Array.isArray(body.alerts)) {
    const alert = body.alerts.find((a): a is Json => isObject(a) && isObject(a.labels) && a.labels.alertname === alertname);
    const severity = alert && isObject(alert.labels) ? alert.labels.severity : undefined;
    return typeof severity === 'string' ? severity : undefined;
  }
  if (n.integration === 'pagerduty' && isObject(body.payload) && typeof body.payload.severity === 'string') return body.payload.severity;
  // Slack and e-mail: the message text; the first severity word it names.
  const found = SEVERITIES.map((s) => ({ s, at: n.text.search(new RegExp(`\\b${s}\\b`)) })).filter((x) => x.at >= 0);
  return found.sort((a, b) => a.at - b.at)[0]?.s;
}

/** Distinct (receiver, integration, severity) of every notification about the alert, sorted. */
export function deliveriesOf(notifications: readonly Notification[], alertname: string, knownAlerts: readonly string[]): Delivery[] {
  const seen = new Map<string, Delivery>();
  for (const n of notifications) {
    if (!alertNamesIn(n, knownAlerts).includes(alertname)) continue;
    const d = { receiver: n.receiver, integration: n.integration, severity: severityOf(n, alertname) };
    seen.set(`${d.receiver}\u0000${d.integration}\u0000${d.severity}`, d);
  }
  return [...seen.values()].sort((a, b) => `${a.receiver}/${a.integration}`.localeCompare(`${b.receiver}/${b.integration}`));
}

export interface ReceiverSummary {
  readonly name: string;
  /** Integration kinds, one per config: ['pagerduty', 'slack']. */
  readonly integrations: readonly string[];
  /** Webhook URLs as rendered (secret placeholders included). */
  readonly webhookUrls: readonly string[];
}

/** The receivers of a rendered alertmanager.yml and what each one notifies. */
export function receiversOf(alertmanagerYaml: unknown): ReceiverSummary[] {
  const receivers = isObject(alertmanagerYaml) && Array.isArray(alertmanagerYaml.receivers) ? alertmanagerYaml.receivers : [];
  return receivers.filter(isObject).map((r) => {
    const integrations: string[] = [];
    const webhookUrls: string[] = [];
    for (const [key, value] of Object.entries(r)) {
      const kind = /^(.+)_configs$/.exec(key)?.[1];
      if (!kind || !Array.isArray(value)) continue;
      for (const c of value) {
        integrations.push(kind);
        if (kind === 'webhook' && isObject(c) && typeof c.url === 'string') webhookUrls.push(c.url);
      }
    }
    return { name: String(r.name), integrations: integrations.sort(), webhookUrls };
  });
}
