/**
 * alertmanager.yml for a stack: a route tree by severity (critical -> PagerDuty and Slack,
 * warning -> Slack, info -> e-mail), grouped by alertname and service, warnings inhibited by the
 * critical alert of the same family and service, one page per incident across the threshold and
 * SLO families, and the Watchdog sent to the dead man's switch. Only receivers the stack config
 * enables are configured; an alert no route takes goes to a catch-all people's receiver.
 *
 * Secrets go inline, one mechanism for all of them: render (generated/) writes
 * secretPlaceholder(key); the Pulumi program calls the same function with ctx.options.secrets and
 * ships the result as a Secret. (Alertmanager 0.25 has *_file fields for Slack, PagerDuty and SMTP
 * but none for webhook URLs, so files could not cover the dead man's switch.)
 */
import type { Artifact, RenderContext } from '../generators/artifact';
import { generatedHeader, toYaml } from '../generators/yaml';
import { secretPlaceholder, type SecretKey } from '../stacks/config/secrets';
import { ObservatoryError } from '../catalog/errors';
import { FAMILY_LABEL, resolveAlerts } from './index';
import { WATCHDOG } from './selfMonitoring';
import type { Severity } from './types';

export const ALERTMANAGER_CONFIG_PATH = 'alertmanager/alertmanager.yml';
/** Alertmanager groups notifications by these labels: one message per alert and service. */
export const GROUP_BY = ['alertname', 'service'] as const;
export const BLACKHOLE = 'blackhole';
export const DEAD_MANS_SWITCH = 'deadmansswitch';

export interface AmRoute {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AmRoute[];
}
export interface SlackConfig {
  channel: string;
  send_resolved: boolean;
  title: string;
  title_link: string;
  text: string;
}
export interface PagerdutyConfig {
  routing_key: string;
  send_resolved: boolean;
  severity: string;
  description: string;
  links: { href: string; text: string }[];
}
export interface EmailConfig {
  to: string;
  send_resolved: boolean;
  headers: Record<string, string>;
}
export interface WebhookConfig {
  url: string;
  send_resolved: boolean;
}
export interface AmReceiver {
  name: string;
  slack_configs?: SlackConfig[];
  pagerduty_configs?: PagerdutyConfig[];
  email_configs?: EmailConfig[];
  webhook_configs?: WebhookConfig[];
}
export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}
export interface AlertmanagerConfig {
  global: Record<string, string | boolean>;
  route: AmRoute;
  inhibit_rules: InhibitRule[];
  receivers: AmReceiver[];
}

/** The secret's value when the caller (Pulumi) has it, else the placeholder generated/ holds. */
export function secretValue(ctx: RenderContext, key: SecretKey): string {
  return ctx.options.secrets?.[key] ?? secretPlaceholder(key);
}

// Notification text (Go templates over Alertmanager's notification data).
const TITLE = '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }})';
/**
 * Grafana's `time` (ms) and `time.window` (ms) centre the dashboard on the moment the alert
 * started, an hour either side. Only Alertmanager knows that moment; dashboard_url (which already
 * carries `?orgId=1&var-...`) comes from the rule.
 */
const AT_START = '&time={{ .StartsAt.Unix }}000&time.window=7200000';
const TEXT =
  `{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }}\n{{ .Annotations.description }}\n<{{ .Annotations.runbook_url }}|Runbook> | <{{ .Annotations.dashboard_url }}${AT_START}|Dashboard>\n{{ end }}`;
const FIRST_DASHBOARD = `{{ with index .Alerts 0 }}{{ .Annotations.dashboard_url }}${AT_START}{{ end }}`;
/**
 * One line for PagerDuty, whose incident shows no per-alert list: the group (alert and service),
 * then the summary of the one firing alert, or how many fire and the first one's summary.
 * CommonAnnotations would be empty as soon as two instances' summaries differ.
 */
const PAGER_DESCRIPTION =
  '{{ .CommonLabels.alertname }} ({{ .CommonLabels.service }}): {{ with .Alerts.Firing }}{{ if gt (len .) 1 }}{{ len . }} firing, first: {{ end }}{{ (index . 0).Annotations.summary }}{{ else }}resolved{{ end }}';
export const NOTIFICATION_TEMPLATES = { TITLE, TEXT, FIRST_DASHBOARD, PAGER_DESCRIPTION } as const;

function slackConfig(channel: string): SlackConfig {
  return { channel, send_resolved: true, title: TITLE, title_link: FIRST_DASHBOARD, text: TEXT };
}

function receiversByPurpose(ctx: RenderContext): { bySeverity: Partial<Record<Severity, AmReceiver>>; deadMansSwitch?: AmReceiver } {
  const r = ctx.config.receivers;
  const bySeverity: Partial<Record<Severity, AmReceiver>> = {};
  const critical: AmReceiver = { name: 'critical' };
  if (r.pagerduty?.enabled) {
    critical.pagerduty_configs = [
      {
        routing_key: secretValue(ctx, 'pagerdutyRoutingKey'),
        send_resolved: true,
        severity: 'critical',
        description: PAGER_DESCRIPTION,
        links: [
          { href: '{{ (index .Alerts 0).Annotations.runbook_url }}', text: 'Runbook' },
          { href: FIRST_DASHBOARD, text: 'Dashboard' },
        ],
      },
    ];
  }
  if (r.slack) critical.slack_configs = [slackConfig(r.slack.channel)];
  if (critical.pagerduty_configs || critical.slack_configs) bySeverity.critical = critical;
  if (r.slack) bySeverity.warning = { name: 'warning', slack_configs: [slackConfig(r.slack.channel)] };
  if (r.email) {
    bySeverity.info = {
      name: 'info',
      email_configs: [{ to: r.email.to, send_resolved: false, headers: { Subject: `[${ctx.config.stack}] ${TITLE}` } }],
    };
  }
  const deadMansSwitch: AmReceiver | undefined = r.deadMansSwitch?.enabled
    ? { name: DEAD_MANS_SWITCH, webhook_configs: [{ url: secretValue(ctx, 'deadMansSwitchUrl'), send_resolved: false }] }
    : undefined;
  return { bySeverity, deadMansSwitch };
}

/** Repeat intervals per severity: pages repeat hourly while unresolved, e-mail daily. */
const REPEAT: Record<Severity, string> = { critical: '1h', warning: '4h', info: '24h' };

export function buildAlertmanagerConfig(ctx: RenderContext): AlertmanagerConfig {
  const r = ctx.config.receivers;
  const families = new Set(resolveAlerts(ctx).map((a) => a.def.family));
  for (const incident of INCIDENTS) {
    for (const family of [...incident.thresholdFamilies, incident.sloFamily]) {
      if (!families.has(family)) throw new ObservatoryError(`alertmanager.inhibit_rules (${incident.name})`, `no alert has family ${family}`);
    }
  }
  const { bySeverity, deadMansSwitch } = receiversByPurpose(ctx);
  const global: Record<string, string | boolean> = { resolve_timeout: '5m' };
  if (r.slack) global.slack_api_url = secretValue(ctx, 'slackWebhookUrl');
  if (r.email) {
    global.smtp_smarthost = r.email.smarthost;
    global.smtp_from = r.email.from;
    global.smtp_auth_username = r.email.username;
    global.smtp_auth_password = secretValue(ctx, 'smtpPassword');
    global.smtp_require_tls = true;
  }
  const routes: AmRoute[] = [
    // First, and always present: the Watchdog must never reach people, with or without a switch.
    {
      receiver: deadMansSwitch?.name ?? BLACKHOLE,
      matchers: [`alertname="${WATCHDOG}"`],
      group_wait: '0s',
      // The switch expects a heartbeat: resend every minute while the Watchdog fires (always).
      group_interval: '1m',
      repeat_interval: '1m',
    },
  ];
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const receiver = bySeverity[severity];
    if (receiver) routes.push({ receiver: receiver.name, matchers: [`severity="${severity}"`], repeat_interval: REPEAT[severity] });
  }
  const receivers: AmReceiver[] = [{ name: BLACKHOLE }, ...Object.values(bySeverity), ...(deadMansSwitch ? [deadMansSwitch] : [])];
  return {
    global,
    route: { receiver: catchAllReceiver(bySeverity), group_by: [...GROUP_BY], group_wait: '30s', group_interval: '5m', repeat_interval: REPEAT.warning, routes },
    inhibit_rules: [
      // A critical alert makes the warning of the same signal (family) and service redundant.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [FAMILY_LABEL, 'service'] },
      ...INCIDENTS.flatMap(incidentInhibitions),
    ],
    receivers,
  };
}

/**
 * Where an alert goes that no severity route takes (an info alert without e-mail, a severity
 * label a rule was not meant to have): the people's receiver that is least urgent yet read, so
 * it reaches someone. Only a stack without any receiver keeps the blackhole root; its alerts stay
 * visible in the Alertmanager UI.
 */
export function catchAllReceiver(bySeverity: Partial<Record<Severity, AmReceiver>>): string {
  return (bySeverity.warning ?? bySeverity.info ?? bySeverity.critical)?.name ?? BLACKHOLE;
}

/**
 * Families that report one incident from different angles: the fast threshold alerts (5m windows)
 * and the SLO burn-rate alerts over the same requests. Without inhibition a 5xx storm pages as
 * HttpErrorRateHigh after ~5 minutes and again as SloAvailabilityBurn1h once the hour's ratio
 * catches up.
 */
export interface Incident {
  readonly name: string;
  /** Families whose critical alert fires first (short windows). */
  readonly thresholdFamilies: readonly string[];
  /** The SLO burn-rate family over the same requests. */
  readonly sloFamily: string;
}
export const INCIDENTS: readonly Incident[] = [
  { name: 'availability', thresholdFamilies: ['HttpErrorRate'], sloFamily: 'SloAvailabilityBurn' },
  { name: 'latency', thresholdFamilies: ['HttpLatencyP95', 'HttpLatencyP99'], sloFamily: 'SloLatencyBurn' },
];

function familyMatcher(families: readonly string[]): string {
  return families.length === 1 ? `${FAMILY_LABEL}="${families[0]}"` : `${FAMILY_LABEL}=~"${families.join('|')}"`;
}

/**
 * Per incident and service: (1) any critical alert of the incident mutes its warnings (tickets
 * add nothing while a page is open); (2) the threshold page mutes the SLO pages, which fire later
 * for the same requests. The direction matters: the first page is the one that stays, so the
 * SLO page cannot page a second time. An SLO page with no threshold page (a slow burn below the
 * 5m thresholds, or a service under minRequestRate) is not muted.
 */
function incidentInhibitions(incident: Incident): InhibitRule[] {
  const all = familyMatcher([...incident.thresholdFamilies, incident.sloFamily]);
  return [
    { source_matchers: ['severity="critical"', all], target_matchers: ['severity="warning"', all], equal: ['service'] },
    { source_matchers: ['severity="critical"', familyMatcher(incident.thresholdFamilies)], target_matchers: ['severity="critical"', familyMatcher([incident.sloFamily])], equal: ['service'] },
  ];
}

export function alertmanagerArtifact(ctx: RenderContext): Artifact {
  const header = `${generatedHeader(ctx.config.stack, `Pulumi.${ctx.config.stack}.yaml and alerts/`)}\nIn generated/, secrets are \${secret:<key>} placeholders; deployments get the same file with the real values.`;
  return { path: ALERTMANAGER_CONFIG_PATH, content: toYaml(buildAlertmanagerConfig(ctx), header) };
}
