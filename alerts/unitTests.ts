/**
 * promtool unit-test files (`promtool test rules`) for every alert of a stack, built from the
 * scenarios each concern module writes next to its alerts. Per firing scenario the alert must be
 * absent one evaluation before its `for` elapses and present, with exactly the expected labels and
 * annotations, when it does; per quiet scenario it must be absent. The tests load every rule file
 * (recordings included), so they prove the whole chain from raw series to notification text.
 *
 * The files are not artifacts: tests render them next to the rule files they check.
 */
import { durationSeconds } from '../catalog/duration';
import type { RenderContext } from '../generators/artifact';
import { generatedHeader, toYaml } from '../generators/yaml';
import { goQueryEscape, humanize, humanizeDuration, humanizePercentage } from './humanize';
import { ALERT_CONCERNS, annotationsOf, resolveAlerts, type ResolvedAlert } from './index';
import { allRuleGroups } from './ruleFiles';
import type { AlertScenario, AnnotationVars, FiringScenario, ValueFormat } from './types';

/** Samples and rule evaluations are one minute apart. */
export const TEST_INTERVAL = '1m';

export interface PromtoolExpectedAlert {
  readonly exp_labels: Readonly<Record<string, string>>;
  readonly exp_annotations: Readonly<Record<string, string>>;
}
export interface PromtoolAlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly PromtoolExpectedAlert[];
}
export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly PromtoolAlertTest[];
}
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly group_eval_order: readonly string[];
  readonly tests: readonly PromtoolTestGroup[];
}

const FORMATTERS: Record<ValueFormat, (v: number) => string> = { duration: humanizeDuration, percentage: humanizePercentage, number: humanize };

/** Annotation text Prometheus will produce for these series labels and this value. */
export function expectedAnnotations(alert: ResolvedAlert, labels: Readonly<Record<string, string>>, value: number): Record<string, string> {
  const vars: AnnotationVars<string> = {
    label: (name) => {
      const v = labels[name];
      if (v === undefined) throw new Error(`alert ${alert.def.name}: annotation uses label "${name}" but the scenario's series have only ${Object.keys(labels).join(', ') || '(none)'}`);
      return v;
    },
    urlLabel: (name) => goQueryEscape(vars.label(name)),
    value: FORMATTERS[alert.def.valueFormat](value),
  };
  return annotationsOf(alert, vars);
}

function forMinutes(alert: ResolvedAlert): number {
  return Math.ceil(durationSeconds(alert.for) / 60);
}

function minutes(m: number): string {
  return `${m}m`;
}

function firingTests(alert: ResolvedAlert, s: FiringScenario): { tests: PromtoolAlertTest[]; horizon: number } {
  const name = alert.def.name;
  // The alert fires at the first evaluation at least `for` after the condition became true.
  const fireAt = s.activeAtMinutes + forMinutes(alert);
  const tests: PromtoolAlertTest[] = [];
  if (fireAt > s.activeAtMinutes) tests.push({ eval_time: minutes(fireAt - 1), alertname: name, exp_alerts: [] });
  const checkAt = Math.max(fireAt, s.valueExactFromMinutes ?? 0);
  tests.push({
    eval_time: minutes(checkAt),
    alertname: name,
    exp_alerts: [{ exp_labels: { ...s.labels, ...alert.labels }, exp_annotations: expectedAnnotations(alert, s.labels, s.value) }],
  });
  return { tests, horizon: checkAt };
}

function scenarioGroup(alert: ResolvedAlert, s: AlertScenario): PromtoolTestGroup {
  let tests: PromtoolAlertTest[];
  let horizon: number;
  if (s.kind === 'fires') {
    ({ tests, horizon } = firingTests(alert, s));
  } else {
    // By default, look when a condition true from the first rate onwards would have fired.
    horizon = s.evalAtMinutes ?? 1 + forMinutes(alert);
    tests = [{ eval_time: minutes(horizon), alertname: alert.def.name, exp_alerts: [] }];
  }
  const spacing = s.sampleSeconds ?? 60;
  const samples = Math.ceil(((horizon + 2) * 60) / spacing);
  return {
    name: `${alert.def.name} ${s.kind === 'fires' ? 'fires' : 'stays quiet'}: ${s.name}`,
    interval: s.sampleSeconds === undefined ? TEST_INTERVAL : `${spacing}s`,
    input_series: s.series.map((i) => ({ series: i.series, values: i.values(samples) })),
    alert_rule_test: tests,
  };
}

export interface AlertTestFile {
  /** File name, `<rule group>.test.yml`. */
  readonly name: string;
  readonly content: string;
}

/**
 * One test file per alert group. `ruleFile(group)` is the path promtool should load the group's
 * rules from (relative to the test file or absolute).
 */
export function buildAlertTestFiles(ctx: RenderContext, ruleFile: (group: string) => string): AlertTestFile[] {
  const alerts = resolveAlerts(ctx);
  const groups = allRuleGroups(ctx).map((g) => g.name);
  return ALERT_CONCERNS.filter((concern) => !concern.omitWhenEmpty || alerts.some((a) => a.group === concern.group)).map((concern) => {
    const file: PromtoolTestFile = {
      rule_files: groups.map(ruleFile),
      evaluation_interval: TEST_INTERVAL,
      // Recordings before alerts, so alerts see this evaluation's recorded samples.
      group_eval_order: groups,
      tests: alerts.filter((a) => a.group === concern.group).flatMap((a) => a.def.scenarios.map((s) => scenarioGroup(a, s))),
    };
    return { name: `${concern.group}.test.yml`, content: toYaml(file, generatedHeader(ctx.config.stack, 'alerts/ (unit tests)')) };
  });
}
