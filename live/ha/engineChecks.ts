/**
 * What the HA Prometheus pair promises through the long-term engine, as checks that report each
 * broken promise (a problem list) instead of throwing, so a test can run the same check against a
 * deliberately broken variant and see it fail:
 *  - one series per target after deduplication, and one per replica before it (the replicas are
 *    told apart by the replica label, or the engine merges their samples blindly);
 *  - no gap while one replica is down (deduplication fills it from the other);
 *  - no double counting: a target's samples per window are what one scraper produces, across a
 *    replica's stop and restart.
 */
import { instant, rawSamples, type RawSeries } from './thanosApi';

export interface CheckOutcome {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

const outcome = (problems: string[]): CheckOutcome => ({ ok: problems.length === 0, problems });

const byInstance = <T extends { metric: Readonly<Record<string, string>> }>(rows: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const key = r.metric.instance ?? '(no instance)';
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
};

export interface SeriesCheckInput {
  readonly queryUrl: string;
  /** Selects the targets' `up` series of one stack, e.g. up{job="ha-demo",stack="ha"}. */
  readonly selector: string;
  readonly instances: readonly string[];
  readonly replicas: number;
  readonly replicaLabel: string;
  readonly time: number;
}

/** Deduplicated: exactly one series per target. Raw (dedup=false): one per replica, each with its own replica label. */
export async function checkOneSeriesPerTarget(i: SeriesCheckInput): Promise<CheckOutcome> {
  const problems: string[] = [];
  const deduped = byInstance(await instant(i.queryUrl, i.selector, i.time, true));
  const raw = byInstance(await instant(i.queryUrl, i.selector, i.time, false));
  for (const instance of i.instances) {
    const d = deduped.get(instance) ?? [];
    if (d.length !== 1) problems.push(`${instance}: ${d.length} series through the engine with deduplication, expected 1 (${d.map((s) => JSON.stringify(s.metric)).join(' ')})`);
    const r = raw.get(instance) ?? [];
    const replicas = new Set(r.map((s) => s.metric[i.replicaLabel]).filter((v) => v !== undefined && v !== ''));
    if (r.length !== i.replicas || replicas.size !== i.replicas) {
      problems.push(`${instance}: ${r.length} raw series with ${replicas.size} distinct ${i.replicaLabel} labels, expected ${i.replicas}: the replicas' samples are not kept apart`);
    }
  }
  return outcome(problems);
}

export interface GapCheckInput {
  readonly queryUrl: string;
  readonly selector: string;
  readonly instances: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Longest pause between two samples that still counts as no gap. */
  readonly maxGapSeconds: number;
  /** Default: true */
  readonly dedup?: boolean;
}

function largestGap(s: RawSeries, from: number, to: number): number {
  const ts = [from, ...s.samples.map(([t]) => t).filter((t) => t >= from && t <= to), to];
  let gap = 0;
  for (let k = 1; k < ts.length; k++) gap = Math.max(gap, ts[k] - ts[k - 1]);
  return gap;
}

/** Every returned series of every target has samples with no pause longer than maxGapSeconds in [from, to]. */
export async function checkNoGap(i: GapCheckInput): Promise<CheckOutcome> {
  const problems: string[] = [];
  const series = byInstance(await rawSamples(i.queryUrl, i.selector, i.to - i.from + 1, i.to, i.dedup ?? true));
  for (const instance of i.instances) {
    const rows = series.get(instance) ?? [];
    if (rows.length === 0) problems.push(`${instance}: no samples at all between ${i.from} and ${i.to}`);
    for (const s of rows) {
      const gap = largestGap(s, i.from, i.to);
      if (gap > i.maxGapSeconds) problems.push(`${instance}${s.metric.replica ? ` (replica ${s.metric.replica})` : ''}: a gap of ${gap.toFixed(1)} s, more than ${i.maxGapSeconds} s`);
    }
  }
  return outcome(problems);
}

export interface CountCheckInput {
  readonly queryUrl: string;
  readonly selector: string;
  readonly instances: readonly string[];
  readonly windowSeconds: number;
  readonly scrapeIntervalSeconds: number;
  readonly time: number;
  /** Allowed deviation from windowSeconds / scrapeIntervalSeconds, as a share. */
  readonly tolerance: number;
}

/**
 * What a dashboard's `sum by (instance) (count_over_time(up[w]))` shows per target: the samples
 * of one scraper (w / interval), not of two.
 */
export async function checkNoDoubleCount(i: CountCheckInput): Promise<CheckOutcome> {
  const problems: string[] = [];
  const rows = byInstance(await instant(i.queryUrl, `count_over_time(${i.selector}[${i.windowSeconds}s])`, i.time, true));
  const expected = i.windowSeconds / i.scrapeIntervalSeconds;
  for (const instance of i.instances) {
    const total = (rows.get(instance) ?? []).reduce((a, r) => a + r.value, 0);
    if (Math.abs(total - expected) > expected * i.tolerance) {
      problems.push(`${instance}: ${total} samples in ${i.windowSeconds} s through the engine, expected about ${expected} (one scraper at ${i.scrapeIntervalSeconds} s)`);
    }
  }
  return outcome(problems);
}
