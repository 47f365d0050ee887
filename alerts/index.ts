/**
 * Every alert of a stack: the concern modules' definitions with the stack's overrides applied
 * (severities, thresholds via AlertInputs, the live test's `for` override), validated, and
 * rendered to Prometheus rule groups. Runbooks, Alertmanager routing and the promtool unit tests
 * all start from resolveAlerts(), so they cannot disagree about names, severities or links.
 */
import { isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { DASHBOARD_UIDS, DASHBOARD_VARIABLES } from '../dashboards/uids';
import type { RenderContext } from '../generators/artifact';
import { diskAlerts } from './disk';
import { hostAlerts } from './host';
import { httpAlerts } from './http';
import { postgresAlerts } from './postgres';
import { prometheusServerAlerts } from './prometheusServer';
import { redisAlerts } from './redis';
import { remoteWriteAlerts } from './remoteWrite';
import { selfMonitoringAlerts, WATCHDOG } from './selfMonitoring';
import { sloAlerts } from './slo';
import { targetAlertsConcern } from './targets';
import { uptimeAlerts } from './uptime';
import type { AlertConcern, AlertDefinition, AlertInputs, AlertSeverity, AnnotationVars, PromRule, PromRuleGroup, ValueFormat } from './types';

/** Rule groups in evaluation-independent order; each becomes prometheus/rules/<group>.yml. */
export const ALERT_CONCERNS: readonly AlertConcern[] = [httpAlerts, postgresAlerts, redisAlerts, hostAlerts, diskAlerts, sloAlerts, selfMonitoringAlerts, prometheusServerAlerts, remoteWriteAlerts, targetAlertsConcern, uptimeAlerts];

/** The label Alertmanager's inhibition matches critical and warning alerts of one signal on. */
export const FAMILY_LABEL = 'family';

export interface ResolvedAlert {
  readonly def: AlertDefinition;
  readonly group: string;
  readonly severity: AlertSeverity;
  /** The `for` written to the rule: the definition's, or RenderOptions.alertForOverride. */
  readonly for: string;
  /** Rule labels: severity, family and the definition's own labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly runbookUrl: string;
  /** The dashboard, without variables: runbooks link this. */
  readonly dashboardUrl: string;
  /** Dashboard variable -> label of the firing series, added to the alert's dashboard_url. */
  readonly dashboardVariables: Readonly<Record<string, string>>;
}

export function alertInputs(ctx: RenderContext): AlertInputs {
  return { config: ctx.config, thresholds: ctx.config.alerts.thresholds, slo: ctx.config.slo };
}

const HUMANIZE: Record<ValueFormat, string> = { duration: 'humanizeDuration', percentage: 'humanizePercentage', number: 'humanize' };

/** Go template placeholders for the rule file. */
export function templateVars(format: ValueFormat): AnnotationVars<string> {
  return { label: (name) => `{{ $labels.${name} }}`, urlLabel: (name) => `{{ $labels.${name} | urlquery }}`, value: `{{ $value | ${HUMANIZE[format]} }}` };
}

/**
 * `<dashboard>?orgId=1&var-x=<label>...`: the alert's dashboard opened on its own service or
 * instance. It always has a query, so notification templates can append the time range
 * (alerts/alertmanager.ts), which only Alertmanager knows (the alert's start).
 */
export function dashboardLinkOf(alert: ResolvedAlert, vars: AnnotationVars<string>): string {
  const params = ['orgId=1', ...Object.entries(alert.dashboardVariables).map(([variable, label]) => `var-${variable}=${vars.urlLabel(label)}`)];
  return `${alert.dashboardUrl}?${params.join('&')}`;
}

/** Annotations of an alert, written with the given placeholders (templates, or test values). */
export function annotationsOf(alert: ResolvedAlert, vars: AnnotationVars<string>): Record<string, string> {
  return {
    summary: alert.def.summary(vars),
    description: alert.def.description(vars),
    runbook_url: alert.runbookUrl,
    dashboard_url: dashboardLinkOf(alert, vars),
  };
}

/** The dashboard variables an alert's link sets: its own choice, or every variable that is a label of its expression. */
function dashboardVariablesOf(def: AlertDefinition, group: string): Record<string, string> {
  const variables = DASHBOARD_VARIABLES[def.dashboard];
  const labels = def.expr.labels as readonly string[];
  if (def.dashboardVariables === undefined) return Object.fromEntries(variables.filter((v) => labels.includes(v)).map((v) => [v, v]));
  for (const [variable, label] of Object.entries(def.dashboardVariables)) {
    if (!variables.includes(variable)) throw new ObservatoryError(`alert ${def.name} (${group})`, `dashboard ${def.dashboard} has no variable "${variable}" (variables: ${variables.join(', ')})`);
    if (!labels.includes(label)) throw new ObservatoryError(`alert ${def.name} (${group})`, `dashboard variable "${variable}" reads label "${label}", which the expression does not carry (${labels.join(', ') || 'none'})`);
  }
  return { ...def.dashboardVariables };
}

function checkDefinition(def: AlertDefinition, group: string): void {
  const fail = (problem: string): never => {
    throw new ObservatoryError(`alert ${def.name} (${group})`, problem);
  };
  if (!/^[A-Z][A-Za-z0-9]*$/.test(def.name)) fail('alert names must be PascalCase');
  if (def.name === 'README') fail('README is the runbook index page');
  if (!isDuration(def.for)) fail(`for "${def.for}" is not a Prometheus duration`);
  if (!(def.expr.labels as readonly string[]).includes('service') && def.labels?.service === undefined) {
    fail('neither its expression nor its labels carry "service", which Alertmanager groups by');
  }
  if (!def.scenarios.some((s) => s.kind === 'fires') || !def.scenarios.some((s) => s.kind === 'quiet')) {
    fail('needs at least one unit-test scenario that fires and one that stays quiet');
  }
}

/** Every alert of the stack with overrides applied, in concern order. Throws on bad overrides. */
export function resolveAlerts(ctx: RenderContext): ResolvedAlert[] {
  const { config, options } = ctx;
  const inputs = alertInputs(ctx);
  const out: ResolvedAlert[] = [];
  const names = new Set<string>();
  for (const concern of ALERT_CONCERNS) {
    for (const def of concern.alerts(inputs)) {
      checkDefinition(def, concern.group);
      if (names.has(def.name)) throw new ObservatoryError(`alert ${def.name}`, `is defined twice (second time in ${concern.group})`);
      names.add(def.name);
      const severity = config.alerts.severities[def.name] ?? def.severity;
      out.push({
        def,
        group: concern.group,
        severity,
        for: options.alertForOverride ?? def.for,
        labels: { ...def.labels, severity, [FAMILY_LABEL]: def.family },
        runbookUrl: `${config.alerts.runbookBaseUrl}/${def.name}.md`,
        dashboardUrl: `${config.grafana.rootUrl.replace(/\/+$/, '')}/d/${DASHBOARD_UIDS[def.dashboard]}`,
        dashboardVariables: dashboardVariablesOf(def, concern.group),
      });
    }
  }
  for (const name of Object.keys(config.alerts.severities)) {
    const key = `stack ${config.stack}: observatory:alerts.severities.${name}`;
    if (!names.has(name)) throw new ObservatoryError(key, `no alert is named ${name} (alerts: ${[...names].sort().join(', ')})`);
    if (name === WATCHDOG) throw new ObservatoryError(key, `the ${WATCHDOG} is routed by name to the dead man's switch; its severity cannot be changed`);
  }
  return out;
}

export function alertRule(alert: ResolvedAlert): PromRule {
  return {
    alert: alert.def.name,
    expr: alert.def.expr.toString(),
    for: alert.for,
    labels: alert.labels,
    annotations: annotationsOf(alert, templateVars(alert.def.valueFormat)),
  };
}

/** One rule group per concern, rules in definition order. */
export function alertRuleGroups(ctx: RenderContext): PromRuleGroup[] {
  const alerts = resolveAlerts(ctx);
  return ALERT_CONCERNS.map((c) => ({ name: c.group, omit: c.omitWhenEmpty === true, rules: alerts.filter((a) => a.group === c.group).map(alertRule) }))
    .filter((g) => !(g.omit && g.rules.length === 0))
    .map(({ name, rules }) => ({ name, rules }));
}
