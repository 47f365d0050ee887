/**
 * What an alert is in Observatory: the rule (typed expression, `for`, severity), the text people
 * read (summary, description, runbook) and the promtool unit-test scenarios that prove it fires
 * and stays quiet, all written side by side in one concern module (alerts/http.ts, ...).
 */
import type { Query } from '../catalog/query';
import type { SloSettings } from '../catalog/slos';
import type { Thresholds } from '../catalog/thresholds';
import type { DashboardKey } from '../dashboards/uids';
import type { StackConfig } from '../stacks/config/schema';

/** Severities a stack may set (config.alerts.severities) and Alertmanager routes on. */
export type Severity = 'critical' | 'warning' | 'info';
/** `none`: the Watchdog, which is routed by name to the dead man's switch and never to people. */
export type AlertSeverity = Severity | 'none';

/** How `$value` is shown: Prometheus's humanize functions. */
export type ValueFormat = 'duration' | 'percentage' | 'number';

/** Placeholders an annotation is written with; rendered to Go template text or test strings. */
export interface AnnotationVars<L extends string> {
  /** The value of a label of the firing series, e.g. `{{ $labels.service }}`. */
  label(name: L): string;
  /** The same, escaped for a URL query (`{{ $labels.service | urlquery }}`). */
  urlLabel(name: L): string;
  /** The alert's value, humanized per the alert's ValueFormat. */
  readonly value: string;
}
export type AnnotationText<L extends string> = (v: AnnotationVars<L>) => string;

export interface RunbookText {
  /** What firing means, for someone woken at 3am. */
  readonly meaning: string;
  /** Likely causes, most common first. */
  readonly causes: readonly string[];
  /** First checks: where to look, which query to run. */
  readonly checks: readonly string[];
  /** How to fix or mitigate. */
  readonly fixes: readonly string[];
}

/** One input series of a promtool test: a catalog selector and its samples (one per minute). */
export interface InputSeries {
  /** `metric{label="value",...}`, built through catalog handles. */
  readonly series: string;
  /** promtool expanding notation for `samples` samples, e.g. `0+60x30`. */
  readonly values: (samples: number) => string;
}

/** The condition holds from `activeAt` on: the alert is pending until its `for` elapses, then fires. */
export interface FiringScenario {
  readonly kind: 'fires';
  readonly name: string;
  readonly series: readonly InputSeries[];
  /** Minutes after the start when the expression first returns the series. */
  readonly activeAtMinutes: number;
  /** Labels of the series the expression returns (rule labels are added by the harness). */
  readonly labels: Readonly<Record<string, string>>;
  /** `$value` when the alert fires (only its humanized form is compared). */
  readonly value: number;
  /**
   * From when `value` is exact: an absolute rate or increase over a 5m window undercounts until
   * the window is full of samples. If the alert fires earlier (a short `for`), its labels and
   * annotations are checked at this time instead. Default: when it fires.
   */
  readonly valueExactFromMinutes?: number;
}

/** The condition does not hold: no alert at `evalAtMinutes` (default: when a true condition would fire). */
export interface QuietScenario {
  readonly kind: 'quiet';
  readonly name: string;
  readonly series: readonly InputSeries[];
  readonly evalAtMinutes?: number;
}

/**
 * Seconds between input samples. Default: 60 (TEST_INTERVAL). Alerts that count samples (probes
 * at uptime.interval) set the spacing their expression assumes; `values` then receives the number
 * of samples at that spacing, while evaluations stay one minute apart.
 */
export interface SampleSpacing {
  readonly sampleSeconds?: number;
}

export type AlertScenario = (FiringScenario | QuietScenario) & SampleSpacing;

export interface AlertDefinition<L extends string = string> {
  /** PascalCase, unique: the key of config.alerts.severities and of runbooks/<name>.md. */
  readonly name: string;
  /**
   * Alerts that watch the same signal at different severities share a family; Alertmanager lets a
   * critical alert inhibit the warnings of its family for the same service.
   */
  readonly family: string;
  readonly severity: AlertSeverity;
  /** How long the condition must hold before the alert fires (a Prometheus duration). */
  readonly for: string;
  readonly expr: Query<L>;
  /** Labels added to every alert of the rule; must supply `service` when expr does not carry it. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly valueFormat: ValueFormat;
  readonly summary: AnnotationText<L>;
  readonly description: AnnotationText<L>;
  /** The dashboard that shows the signal (DASHBOARD_UIDS key). */
  readonly dashboard: DashboardKey;
  /**
   * Dashboard variables the link sets from labels of the firing series (variable -> label), so the
   * dashboard opens on the alerting service or instance. Default: every variable of the dashboard
   * that is also a label of the expression (service, instance, job, route). `{}` sets none, e.g.
   * for host alerts whose `service` (node-exporter) is not one of the dashboard's services.
   */
  readonly dashboardVariables?: Readonly<Record<string, L>>;
  readonly runbook: RunbookText;
  /** At least one scenario that fires and one that does not. */
  readonly scenarios: readonly AlertScenario[];
}

/** What concern modules build their alerts from. */
export interface AlertInputs {
  readonly config: StackConfig;
  readonly thresholds: Thresholds;
  readonly slo: SloSettings;
}

/** One concern: a rule group of related alerts. */
export interface AlertConcern {
  /** Rule group name; also the rules file name (prometheus/rules/<group>.yml). */
  readonly group: string;
  /** A concern of an optional feature (remote write): no rules file at all when it has no alerts for the stack. Default: false */
  readonly omitWhenEmpty?: boolean;
  readonly alerts: (inputs: AlertInputs) => readonly AlertDefinition[];
}

/** Keeps the label type of expr and annotations in step while building a heterogeneous list. */
export function defineAlert<L extends string>(def: AlertDefinition<L>): AlertDefinition {
  return def;
}

/** A Prometheus rule as written to prometheus/rules/<group>.yml (recording or alerting). */
export interface PromRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}
export interface PromRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly PromRule[];
}
