/**
 * alertmanager.yml for a stack: a route tree by severity (critical -> PagerDuty and Slack,
 * warning -> Slack, info -> e-mail), grouped by alertname and service, warnings inhibited by the
 * critical alert of the same family and service, and the Watchdog sent to the dead man's switch.
 * Only receivers the stack config enables are configured; anything without one goes to
 * `blackhole` and stays visible in the Alertmanager UI.
 *
 * Secrets go inline, one mechanism for all of them: render (generated/) writes
 * secretPlaceholder(key); the Pulumi program calls the same function with ctx.options.secrets and
 * ships the result as a Secret. (Alertmanager 0.25 has *_file fields for Slack, PagerDuty and SMTP
 * but none for webhook URLs, so files could not cover the dead man's switch.)
 */
import type { Artifact, RenderContext } from '../generators/artifact';
import { generatedHeader, toYaml } from '../generators/yaml';
import { secretPlaceholder, type SecretKey } from '../stacks/config/secrets';
import { FAMILY_LABEL } from './index';
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
const TEXT =
  '{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }}\n{{ .Annotations.description }}\n<{{ .Annotations.runbook_url }}|Runbook> | <{{ .Annotations.dashboard_url }}|Dashboard>\n{{ end }}';
const FIRST_DASHBOARD = '{{ (index .Alerts 0).Annotations.dashboard_url }}';
export const NOTIFICATION_TEMPLATES = { TITLE, TEXT, FIRST_DASHBOARD } as const;

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
        description: '{{ .CommonLabels.alertname }} ({{ .CommonLabels.service }}): {{ .CommonAnnotations.summary }}',
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
    route: { receiver: BLACKHOLE, group_by: [...GROUP_BY], group_wait: '30s', group_interval: '5m', repeat_interval: REPEAT.warning, routes },
    inhibit_rules: [
      // A critical alert makes the warning of the same signal (family) and service redundant.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [FAMILY_LABEL, 'service'] },
    ],
    receivers,
  };
}

export function alertmanagerArtifact(ctx: RenderContext): Artifact {
  const header = `${generatedHeader(ctx.config.stack, `Pulumi.${ctx.config.stack}.yaml and alerts/`)}\nIn generated/, secrets are \${secret:<key>} placeholders; deployments get the same file with the real values.`;
  return { path: ALERTMANAGER_CONFIG_PATH, content: toYaml(buildAlertmanagerConfig(ctx), header) };
}
