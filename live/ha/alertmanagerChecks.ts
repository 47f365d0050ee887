/**
 * What a clustered Alertmanager promises, as checks that report each broken promise instead of
 * throwing (so the same check can be run against the cluster with gossip off and must fail):
 * a firing alert is notified exactly once although every member got it from every Prometheus,
 * and a silence made on one member is honoured by all.
 */
import type { Notification } from '../webhookReceiver';
import type { CheckOutcome } from './engineChecks';

const outcome = (problems: string[]): CheckOutcome => ({ ok: problems.length === 0, problems });

/** Webhook notifications that name the alert. */
export function notificationsOf(notifications: readonly Notification[], alert: string): Notification[] {
  return notifications.filter((n) => {
    const alerts = (n.body as { alerts?: { labels?: Record<string, string> }[] } | undefined)?.alerts ?? [];
    return alerts.some((a) => a.labels?.alertname === alert);
  });
}

export function checkNotifiedExactlyOnce(notifications: readonly Notification[], alert: string): CheckOutcome {
  const n = notificationsOf(notifications, alert).length;
  return outcome(n === 1 ? [] : [`${alert}: ${n} notifications at the webhook receiver, expected exactly 1`]);
}

export function checkNotNotified(notifications: readonly Notification[], alert: string): CheckOutcome {
  const n = notificationsOf(notifications, alert).length;
  return outcome(n === 0 ? [] : [`${alert}: ${n} notifications although it is silenced`]);
}

interface ApiSilence {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string }[];
}
interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** Creates a silence of `alert` for an hour on one Alertmanager; returns its id. */
export async function createSilence(alertmanagerUrl: string, alert: string): Promise<string> {
  const now = Date.now();
  const res = await fetch(`${alertmanagerUrl}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: alert, isRegex: false, isEqual: true }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      createdBy: 'observatory HA fault test',
      comment: 'made on one member; every member must honour it',
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`POST silence: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { silenceID: string }).silenceID;
}

/** Every member knows the silence as active, and holds the alert (if it has it) as suppressed by it. */
export async function checkSilenceHonoured(members: readonly { name: string; url: string }[], silenceId: string, alert: string): Promise<CheckOutcome> {
  const problems: string[] = [];
  for (const m of members) {
    const silences = await getJson<ApiSilence[]>(`${m.url}/api/v2/silences`);
    const s = silences.find((x) => x.id === silenceId);
    if (!s || s.status.state !== 'active') problems.push(`${m.name}: does not know silence ${silenceId} as active`);
    const alerts = (await getJson<ApiAlert[]>(`${m.url}/api/v2/alerts`)).filter((a) => a.labels.alertname === alert);
    if (alerts.length === 0) problems.push(`${m.name}: has not received ${alert} at all`);
    for (const a of alerts) if (a.status.state !== 'suppressed' || !a.status.silencedBy.includes(silenceId)) problems.push(`${m.name}: holds ${alert} as ${a.status.state}, not silenced by ${silenceId}`);
  }
  return outcome(problems);
}

/** Position of a member in the cluster's notification order (alertmanager_peer_position); undefined without gossip. */
export async function peerPosition(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const m = /^alertmanager_peer_position (\d+)/m.exec(await res.text());
  return m ? Number(m[1]) : undefined;
}

/** Whether a member holds the alert as active. */
export async function holdsActive(url: string, alert: string): Promise<boolean> {
  const alerts = await getJson<ApiAlert[]>(`${url}/api/v2/alerts`);
  return alerts.some((a) => a.labels.alertname === alert && a.status.state === 'active');
}
