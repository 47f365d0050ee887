/**
 * What Grafana sends to Prometheus for a dashboard panel: the panel queries of a dashboard JSON,
 * the step Grafana picks for a panel of a given width, and the expression with Grafana's variables
 * replaced. Pure.
 */
import { durationSeconds, isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';

export interface PanelQuery {
  readonly dashboardUid: string;
  readonly dashboardTitle: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** Grafana sends an instant query (/api/v1/query) instead of a range query. */
  readonly instant: boolean;
  /** Panel or query "min interval" (e.g. "1m"), which raises the minimum step. */
  readonly minInterval?: string;
}

interface JsonPanel {
  title?: string;
  id?: number;
  interval?: string;
  targets?: { expr?: string; refId?: string; instant?: boolean; range?: boolean; interval?: string; hide?: boolean }[];
  panels?: JsonPanel[];
}

export interface JsonVariable {
  name: string;
  type: string;
  query?: unknown;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { value?: string | string[]; text?: string | string[] };
  options?: { value: string; selected?: boolean }[];
}

export interface JsonDashboard {
  uid?: string;
  title?: string;
  panels?: JsonPanel[];
  templating?: { list?: JsonVariable[] };
}

/** Every Prometheus query of every panel, rows' nested panels included; hidden queries skipped. */
export function panelQueries(dashboard: JsonDashboard): PanelQuery[] {
  const uid = dashboard.uid ?? '(no uid)';
  const title = dashboard.title ?? uid;
  const out: PanelQuery[] = [];
  const visit = (panels: readonly JsonPanel[]) => {
    for (const p of panels) {
      if (p.panels) visit(p.panels);
      for (const t of p.targets ?? []) {
        if (!t.expr || t.hide) continue;
        const minInterval = t.interval || p.interval || undefined;
        out.push({
          dashboardUid: uid,
          dashboardTitle: title,
          panel: p.title ?? `panel ${p.id ?? '?'}`,
          refId: t.refId ?? 'A',
          expr: t.expr,
          instant: t.instant === true && t.range !== true,
          ...(minInterval ? { minInterval } : {}),
        });
      }
    }
  };
  visit(dashboard.panels ?? []);
  return out;
}

/** Grafana's interval rounding (upper bound of each band in ms -> the value it rounds to). */
const ROUNDING: readonly (readonly [number, number])[] = [
  [10, 1], [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000], [7500, 5000],
  [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000], [210000, 120000], [450000, 300000],
  [750000, 600000], [1050000, 900000], [1500000, 1200000], [2700000, 1800000], [5400000, 3600000], [9000000, 7200000],
  [16200000, 10800000], [32400000, 21600000], [86400000, 43200000], [172800000, 86400000], [604800000, 86400000],
  [1814400000, 604800000], [3628800000, 2592000000],
];

/** Rounds a raw interval (ms) to the "nice" interval Grafana uses. */
export function roundInterval(ms: number): number {
  for (const [upTo, value] of ROUNDING) if (ms <= upTo) return value;
  return 31536000000;
}

/**
 * The step (seconds) of a range query over `rangeSeconds` for a panel `widthPixels` wide: the range
 * per pixel rounded the way Grafana rounds, and never below the minimum interval (the scrape
 * interval, or the panel's own min interval when larger).
 */
export function grafanaStep(rangeSeconds: number, minIntervalSeconds: number, widthPixels = 1000): number {
  const raw = (rangeSeconds * 1000) / widthPixels;
  if (raw < minIntervalSeconds * 1000) return minIntervalSeconds;
  return Math.max(minIntervalSeconds, roundInterval(raw) / 1000);
}

/** $__rate_interval: at least four scrapes, and one step plus one scrape. */
export function rateInterval(stepSeconds: number, scrapeSeconds: number): number {
  return Math.max(4 * scrapeSeconds, stepSeconds + scrapeSeconds);
}

/** A duration the way Grafana prints intervals: the largest whole unit (1m, 75s, 2h). */
export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  if (Number.isInteger(seconds)) return `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}

/** Start and end aligned down to the step, as Grafana's Prometheus data source does. */
export function alignRange(startSeconds: number, endSeconds: number, stepSeconds: number): { start: number; end: number } {
  return { start: Math.floor(startSeconds / stepSeconds) * stepSeconds, end: Math.floor(endSeconds / stepSeconds) * stepSeconds };
}

export function minIntervalSeconds(query: PanelQuery, scrapeSeconds: number): number {
  if (!query.minInterval) return scrapeSeconds;
  const text = query.minInterval.replace(/^>/, '');
  if (!isDuration(text)) throw new ObservatoryError(`dashboard ${query.dashboardUid}, panel "${query.panel}"`, `min interval "${query.minInterval}" is not a duration`);
  return Math.max(scrapeSeconds, durationSeconds(text));
}

/** Escapes a value for use inside a PromQL regex matcher, as Grafana does for multi-value variables. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
}

/**
 * The text Grafana puts in place of a template variable: "All" (or every option) for multi-value
 * and include-all variables (their allValue, else a regex alternation of the values), otherwise
 * the first value. `values` are the variable's options as Grafana would list them.
 */
export function variableText(v: JsonVariable, values: readonly string[]): string {
  if (v.includeAll || v.multi) {
    if (v.includeAll && v.allValue) return v.allValue;
    if (values.length === 0) return '.*';
    return values.length === 1 ? escapeRegex(values[0]) : `(${values.map(escapeRegex).join('|')})`;
  }
  const current = Array.isArray(v.current?.value) ? v.current?.value[0] : v.current?.value;
  if (current && !current.startsWith('$') && current !== '$__all') return current;
  return values[0] ?? '.*';
}

export interface Substitution {
  readonly stepSeconds: number;
  readonly rangeSeconds: number;
  readonly scrapeSeconds: number;
  /** Values of dashboard variables by name; unknown variables become `.*`. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Replaces Grafana's built-in and dashboard variables in `expr`. */
export function substituteVariables(expr: string, s: Substitution): string {
  const builtins: Record<string, string> = {
    __rate_interval: formatDuration(rateInterval(s.stepSeconds, s.scrapeSeconds)),
    __rate_interval_ms: String(rateInterval(s.stepSeconds, s.scrapeSeconds) * 1000),
    __interval: formatDuration(s.stepSeconds),
    __interval_ms: String(s.stepSeconds * 1000),
    __range: formatDuration(s.rangeSeconds),
    __range_s: String(s.rangeSeconds),
    __range_ms: String(s.rangeSeconds * 1000),
  };
  const value = (name: string) => builtins[name] ?? s.variables[name] ?? '.*';
  return expr
    .replace(/\$\{([A-Za-z0-9_]+)(?::[a-z]+)?\}/g, (_, name: string) => value(name))
    .replace(/\[\[([A-Za-z0-9_]+)(?::[a-z]+)?\]\]/g, (_, name: string) => value(name))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => value(name));
}
