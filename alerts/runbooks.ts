/**
 * runbooks/<AlertName>.md: one page per alert, generated from the same definition as the rule,
 * so the page always shows the stack's real expression, threshold, severity and `for`, plus
 * runbooks/README.md listing every alert (GitHub shows it when the runbook folder is opened).
 * Alerts link their page through runbook_url (config alerts.runbookBaseUrl).
 */
import type { DashboardKey } from '../dashboards/uids';
import type { Artifact, RenderContext } from '../generators/artifact';
import { annotationsOf, resolveAlerts, type ResolvedAlert } from './index';
import type { AnnotationVars } from './types';

export const RUNBOOKS_DIR = 'runbooks';
export const RUNBOOK_INDEX = `${RUNBOOKS_DIR}/README.md`;

const DASHBOARD_TITLES: Record<DashboardKey, string> = {
  apiPerformance: 'API performance',
  databaseRedis: 'Database & Redis',
  serviceOverview: 'Service overview',
  monitoringHealth: 'Monitoring health',
};

export function runbookPath(alertName: string): string {
  return `${RUNBOOKS_DIR}/${alertName}.md`;
}

/** Placeholders that read well in Markdown prose: `{service}`, `{value}` (angle brackets would vanish as HTML). */
const PROSE_VARS: AnnotationVars<string> = { label: (name) => `{${name}}`, urlLabel: (name) => `{${name}}`, value: '{value}' };

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function runbookPage(ctx: RenderContext, alert: ResolvedAlert, all: readonly ResolvedAlert[]): string {
  const d = alert.def;
  const text = annotationsOf(alert, PROSE_VARS);
  const related = all.filter((a) => a.def.family === d.family && a.def.name !== d.name).map((a) => `[${a.def.name}](${a.def.name}.md) (${a.severity})`);
  const lines = [
    `# ${d.name}`,
    '',
    `> ${text.summary}`,
    '',
    '| | |',
    '|---|---|',
    `| Severity | \`${alert.severity}\` |`,
    `| Fires after | the condition held for \`${alert.for}\` |`,
    `| Rule group | \`${alert.group}\` (prometheus/rules/${alert.group}.yml) |`,
    `| Dashboard | [${DASHBOARD_TITLES[d.dashboard]}](${alert.dashboardUrl}) |`,
    ...(related.length > 0 ? [`| Same signal | ${related.join(', ')} |`] : []),
    '',
    '## What it means',
    '',
    d.runbook.meaning,
    '',
    text.description,
    '',
    'The alert fires when this expression returns a series:',
    '',
    '```promql',
    d.expr.toString(),
    '```',
    '',
    '## Likely causes',
    '',
    ...d.runbook.causes.map((c) => `- ${c}`),
    '',
    '## First checks',
    '',
    ...d.runbook.checks.map((c, i) => `${i + 1}. ${c}`),
    '',
    '## How to fix',
    '',
    ...d.runbook.fixes.map((f) => `- ${f}`),
    '',
    '## Tuning',
    '',
    `Stack config \`observatory:alerts.severities.${d.name}\` changes the severity; thresholds are under \`observatory:alerts.thresholds\` (see docs/alerting.md). Generated for stack \`${ctx.config.stack}\` by \`npm run render\`; do not edit.`,
    '',
  ];
  return lines.join('\n');
}

function indexPage(ctx: RenderContext, alerts: readonly ResolvedAlert[]): string {
  const lines = [
    `# Runbooks (stack ${ctx.config.stack})`,
    '',
    'One page per alert, generated from alerts/ by `npm run render`.',
    '',
    '| alert | severity | for | summary |',
    '|---|---|---|---|',
    ...alerts.map((a) => `| [${a.def.name}](${a.def.name}.md) | ${a.severity} | ${a.for} | ${cell(annotationsOf(a, PROSE_VARS).summary)} |`),
    '',
  ];
  return lines.join('\n');
}

export function runbookArtifacts(ctx: RenderContext): Artifact[] {
  const alerts = resolveAlerts(ctx);
  return [{ path: RUNBOOK_INDEX, content: indexPage(ctx, alerts) }, ...alerts.map((a) => ({ path: runbookPath(a.def.name), content: runbookPage(ctx, a, alerts) }))];
}
