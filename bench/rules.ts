/**
 * Rule evaluation cost: with the rendered rule files loaded over the backfilled history, read
 * Prometheus's own prometheus_rule_group_last_duration_seconds after each evaluation of every group
 * and compare it with the group's rendered interval.
 */
import { labelValue, metricValues, sleep, type PrometheusServer } from './prometheus';

export interface RuleGroupResult {
  /** `file;group` as Prometheus labels it. */
  readonly ruleGroup: string;
  readonly group: string;
  readonly rules: number;
  readonly intervalSeconds: number;
  /** Durations of the observed evaluations, in order. */
  readonly durationsSeconds: readonly number[];
  readonly medianSeconds: number;
  readonly maxSeconds: number;
  /** median / interval (the rendered interval, not the one used while measuring). */
  readonly shareOfInterval: number;
  /** Samples the last evaluation wrote. */
  readonly samples: number;
  readonly failures: number;
}

/** Share of its interval a group may take (the acceptance bound). */
export const MAX_SHARE = 0.05;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Polls /metrics until every group has been evaluated `evaluations` times after the first poll
 * (or `timeoutSeconds` pass), recording each evaluation's duration.
 */
export async function measureRuleGroups(
  server: PrometheusServer,
  groupRules: ReadonlyMap<string, number>,
  renderedIntervals: ReadonlyMap<string, number>,
  evaluations: number,
  timeoutSeconds: number,
  log: (l: string) => void,
): Promise<RuleGroupResult[]> {
  const seen = new Map<string, { last: number; durations: number[] }>();
  const deadline = Date.now() + timeoutSeconds * 1000;
  let text = '';
  const done = () => groupRules.size > 0 && [...groupRules.keys()].every((g) => [...seen.entries()].some(([k, v]) => labelValue(k, 'rule_group')?.endsWith(`;${g}`) && v.durations.length >= evaluations));
  log(`rules: waiting for ${evaluations} evaluations of ${groupRules.size} groups`);
  while (Date.now() < deadline && !done()) {
    text = await server.metricsText();
    const stamps = metricValues(text, 'prometheus_rule_group_last_evaluation_timestamp_seconds');
    const durations = metricValues(text, 'prometheus_rule_group_last_duration_seconds');
    for (const [labels, ts] of stamps) {
      if (!(ts > 0)) continue;
      const entry = seen.get(labels);
      if (!entry) {
        // The evaluation already finished at the first poll may have overlapped startup work; count from the next one.
        seen.set(labels, { last: ts, durations: [] });
      } else if (ts !== entry.last) {
        entry.last = ts;
        entry.durations.push(durations.get(labels) ?? NaN);
      }
    }
    await sleep(500);
  }
  const samples = metricValues(text, 'prometheus_rule_group_last_evaluation_samples');
  const failures = new Map<string, number>();
  for (const [labels, v] of metricValues(text, 'prometheus_rule_evaluation_failures_total')) {
    const g = labelValue(labels, 'rule_group') ?? '';
    failures.set(g, (failures.get(g) ?? 0) + v);
  }
  const out: RuleGroupResult[] = [];
  for (const [labels, entry] of seen) {
    const ruleGroup = labelValue(labels, 'rule_group') ?? labels;
    const group = ruleGroup.slice(ruleGroup.lastIndexOf(';') + 1);
    const intervalSeconds = renderedIntervals.get(group) ?? NaN;
    const med = median(entry.durations);
    out.push({
      ruleGroup,
      group,
      rules: groupRules.get(group) ?? 0,
      intervalSeconds,
      durationsSeconds: entry.durations,
      medianSeconds: med,
      maxSeconds: entry.durations.length ? Math.max(...entry.durations) : NaN,
      shareOfInterval: med / intervalSeconds,
      samples: samples.get(labels) ?? 0,
      failures: failures.get(ruleGroup) ?? 0,
    });
  }
  const missing = [...groupRules.keys()].filter((g) => !out.some((r) => r.group === g && r.durationsSeconds.length > 0));
  if (missing.length > 0) log(`rules: warning: no complete evaluation observed for ${missing.join(', ')}`);
  return out.sort((a, b) => (a.group < b.group ? -1 : 1));
}
