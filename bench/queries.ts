/**
 * Dashboard query cost: every panel query of every dashboard, as Grafana would send it for a
 * 1000-pixel-wide panel over 1 h, 6 h and 24 h, timed by Prometheus itself (`stats=all`), once as
 * rendered (reading recording rules) and once rewritten to the raw expressions they replace.
 */
import { ObservatoryError } from '../catalog/errors';
import { directlyRecorded, expandRecorded, type RecordingDefinition } from './expand';
import {
  alignRange, grafanaStep, minIntervalSeconds, panelQueries, substituteVariables, variableText,
  type JsonDashboard, type JsonVariable, type PanelQuery,
} from './grafana';
import { PromApiError, type PrometheusServer, type QueryStats } from './prometheus';

export const RANGES: readonly { name: string; seconds: number }[] = [
  { name: '1h', seconds: 3600 },
  { name: '6h', seconds: 6 * 3600 },
  { name: '24h', seconds: 24 * 3600 },
];
export const PANEL_WIDTH = 1000;
/**
 * Raw rewrites of the service overview take 3-40 s each on 2 cores (the 30-day SLO panels run a
 * 30-day subquery over every raw request series); uncapped they were a third of the benchmark's
 * 10 minutes. Past 5 s the exact figure does not change a conclusion (rendered panels take
 * milliseconds), so such a query is stopped and counted as 5 s: a lower bound.
 */
export const RAW_CAP_SECONDS = 5;

export interface Measurement {
  /** Server-side evaluation time (stats.timings.evalTotalTime), seconds; best of the repeats (one run when over 1 s). */
  readonly seconds: number;
  readonly wallSeconds: number;
  /** stats.samples.totalQueryableSamples: samples the query touched. */
  readonly samples?: number;
  readonly peakSamples?: number;
  readonly resultSeries: number;
  /** Stopped at the time cap: `seconds` is the cap, a lower bound of the real cost. */
  readonly timedOut?: boolean;
  /** Not run: it timed out over a shorter range, and a longer range costs at least as much. */
  readonly skipped?: boolean;
  readonly error?: string;
}

export interface PanelResult {
  readonly dashboardUid: string;
  readonly panel: string;
  readonly refId: string;
  readonly range: string;
  readonly stepSeconds: number;
  readonly instant: boolean;
  readonly expr: string;
  /** The raw rewrite; absent when the query reads no recorded series. */
  readonly rawExpr?: string;
  readonly recorded: Measurement;
  readonly raw: Measurement;
}

export interface DashboardResult {
  readonly uid: string;
  readonly title: string;
  readonly range: string;
  readonly queries: number;
  readonly recordedSeconds: number;
  readonly rawSeconds: number;
  /** raw / recorded server time. */
  readonly ratio: number;
  readonly slowestPanel: string;
  readonly slowestSeconds: number;
  readonly recordedSamples: number;
  readonly rawSamples: number;
  /** Raw queries stopped at the time cap: rawSeconds and ratio are then lower bounds. */
  readonly rawTimedOut: number;
  readonly errors: number;
}

interface Variables {
  readonly [name: string]: string;
}

function variableQuery(v: JsonVariable): string {
  if (typeof v.query === 'string') return v.query;
  if (v.query && typeof v.query === 'object' && 'query' in v.query) return String((v.query as { query: unknown }).query);
  return '';
}

/** Values of a dashboard's variables as Grafana would resolve them against this Prometheus. */
export async function resolveVariables(server: PrometheusServer, dashboard: JsonDashboard, window: { start: number; end: number }): Promise<Variables> {
  const out: Record<string, string> = {};
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type === 'datasource' || v.type === 'adhoc') continue;
    const q = substituteVariables(variableQuery(v), { stepSeconds: 60, rangeSeconds: 3600, scrapeSeconds: 15, variables: out });
    let values: string[] = [];
    if (v.type === 'query') {
      const m = /^\s*label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(q);
      if (m) {
        const params: Record<string, string | number> = { start: window.start, end: window.end };
        if (m[1]) params['match[]'] = m[1];
        try {
          values = await server.api<string[]>(`/api/v1/label/${m[2]}/values`, params, 'GET');
        } catch (e) {
          // Never silently `.*`: an imported dashboard's variable could select something else entirely.
          throw new ObservatoryError(`dashboard ${dashboard.title ?? dashboard.uid ?? '?'}: variable ${v.name}`, `label_values(${m[2]}) failed against Prometheus: ${(e as Error).message}`);
        }
      }
    } else if (v.type === 'custom') {
      values = q.split(',').map((s) => s.trim()).filter(Boolean);
    } else if (v.type === 'constant' || v.type === 'textbox') {
      values = [q];
    } else {
      values = (v.options ?? []).map((o) => o.value);
    }
    if (v.type === 'interval' && values.length === 0) values = q.split(',').map((s) => s.trim()).filter(Boolean);
    out[v.name] = variableText(v, values);
  }
  return out;
}

/** Times one query (best of `repeat`; one run when over 1 s); with `capSeconds`, Prometheus stops it there. */
export async function measure(server: PrometheusServer, q: Pick<PanelQuery, 'instant'>, expr: string, range: { start: number; end: number; step: number }, repeat: number, capSeconds?: number): Promise<Measurement> {
  let best: Measurement | undefined;
  // The API reads a bare number as seconds, fractions included.
  const cap: Record<string, string> = capSeconds === undefined ? {} : { timeout: String(capSeconds) };
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    try {
      const data = q.instant
        ? await server.api<{ result: unknown[]; stats?: QueryStats }>('/api/v1/query', { query: expr, time: range.end, stats: 'all', ...cap })
        : await server.api<{ result: unknown[]; stats?: QueryStats }>('/api/v1/query_range', { query: expr, start: range.start, end: range.end, step: range.step, stats: 'all', ...cap });
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m: Measurement = {
        seconds: data.stats?.timings?.evalTotalTime ?? wallSeconds,
        wallSeconds,
        samples: data.stats?.samples?.totalQueryableSamples,
        peakSamples: data.stats?.samples?.peakSamples,
        resultSeries: data.result.length,
      };
      if (!best || m.seconds < best.seconds) best = m;
      // A query over a second is timed once: a repeat would not change its order of magnitude, and
      // raw 24 h queries would otherwise double the run time.
      if (m.seconds > 1) break;
    } catch (e) {
      if (!(e instanceof PromApiError)) throw e;
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (e.errorType === 'timeout' && capSeconds !== undefined) return { seconds: capSeconds, wallSeconds, resultSeries: 0, timedOut: true };
      return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9, resultSeries: 0, error: e.message };
    }
  }
  return best!;
}

export interface QueryBenchOptions {
  readonly scrapeSeconds: number;
  readonly evalInterval: string;
  /** Timestamp (s) the dashboards are looked at: the end of the history. */
  readonly endSeconds: number;
  /** Runs per query; the fastest counts (queries over 1 s run once). Default 2. */
  readonly repeat?: number;
  /**
   * Time cap for the raw rewrites, seconds (default RAW_CAP_SECONDS). A raw query stopped there
   * counts as the cap, so raw totals and ratios become lower bounds and say so.
   */
  readonly rawCapSeconds?: number;
  readonly log: (l: string) => void;
}

/** Recorded series the dashboards read directly (only these need backfilled recording rules). */
export function recordedSeriesUsed(dashboards: readonly JsonDashboard[], recordings: readonly RecordingDefinition[], scrapeSeconds: number): Set<string> {
  const names = new Set(recordings.map((r) => r.record));
  const out = new Set<string>();
  for (const d of dashboards) {
    for (const q of panelQueries(d)) {
      const expr = substituteVariables(q.expr, { stepSeconds: 60, rangeSeconds: 3600, scrapeSeconds, variables: {} });
      for (const name of directlyRecorded(expr, names)) out.add(name);
    }
  }
  return out;
}

export async function benchmarkDashboards(server: PrometheusServer, dashboards: readonly JsonDashboard[], recordings: readonly RecordingDefinition[], opts: QueryBenchOptions): Promise<PanelResult[]> {
  const repeat = opts.repeat ?? 2;
  const out: PanelResult[] = [];
  const cappedBefore = new Set<string>();
  for (const d of dashboards) {
    const queries = panelQueries(d);
    const vars = await resolveVariables(server, d, { start: opts.endSeconds - 86400, end: opts.endSeconds });
    opts.log(`queries: ${d.title ?? d.uid}: ${queries.length} queries x ${RANGES.length} ranges`);
    for (const range of RANGES) {
      for (const q of queries) {
        const step = grafanaStep(range.seconds, minIntervalSeconds(q, opts.scrapeSeconds), PANEL_WIDTH);
        const aligned = alignRange(opts.endSeconds - range.seconds, opts.endSeconds, step);
        const expr = substituteVariables(q.expr, { stepSeconds: step, rangeSeconds: range.seconds, scrapeSeconds: opts.scrapeSeconds, variables: vars });
        const rawExpr = expandRecorded(expr, recordings, opts.evalInterval);
        const window = { ...aligned, step };
        const recorded = await measure(server, q, expr, window, repeat);
        const cap = opts.rawCapSeconds ?? RAW_CAP_SECONDS;
        const key = `${q.dashboardUid}\u0000${q.panel}\u0000${q.refId}`;
        // RANGES grow, and with them both the span and the number of steps, so a raw query that
        // hit the cap over a shorter range would hit it again: count the cap without running it
        // (Prometheus checks the deadline only between expression nodes, so a capped 30-day
        // subquery still runs up to twice the cap).
        const raw =
          rawExpr === expr
            ? recorded
            : cappedBefore.has(key)
              ? { seconds: cap, wallSeconds: 0, resultSeries: 0, timedOut: true, skipped: true }
              : await measure(server, q, rawExpr, window, repeat, cap);
        if (raw.timedOut) cappedBefore.add(key);
        out.push({
          dashboardUid: q.dashboardUid,
          panel: q.panel,
          refId: q.refId,
          range: range.name,
          stepSeconds: step,
          instant: q.instant,
          expr,
          ...(rawExpr !== expr ? { rawExpr } : {}),
          recorded,
          raw,
        });
      }
    }
  }
  return out;
}

export function summarizeDashboards(dashboards: readonly JsonDashboard[], panels: readonly PanelResult[]): DashboardResult[] {
  const out: DashboardResult[] = [];
  for (const d of dashboards) {
    for (const range of RANGES) {
      const rows = panels.filter((p) => p.dashboardUid === d.uid && p.range === range.name);
      if (rows.length === 0) continue;
      const sum = (f: (p: PanelResult) => number) => rows.reduce((n, p) => n + f(p), 0);
      const slowest = rows.reduce((a, b) => (b.recorded.seconds > a.recorded.seconds ? b : a));
      const recordedSeconds = sum((p) => p.recorded.seconds);
      const rawSeconds = sum((p) => p.raw.seconds);
      out.push({
        uid: d.uid ?? '',
        title: d.title ?? d.uid ?? '',
        range: range.name,
        queries: rows.length,
        recordedSeconds,
        rawSeconds,
        ratio: rawSeconds / recordedSeconds,
        slowestPanel: `${slowest.panel} (${slowest.refId})`,
        slowestSeconds: slowest.recorded.seconds,
        recordedSamples: sum((p) => p.recorded.samples ?? 0),
        rawSamples: sum((p) => p.raw.samples ?? 0),
        rawTimedOut: rows.filter((p) => p.raw.timedOut).length,
        errors: rows.filter((p) => p.recorded.error || p.raw.error).length,
      });
    }
  }
  return out;
}

