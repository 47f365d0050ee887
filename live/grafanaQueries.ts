/**
 * What Grafana sends to Prometheus for a rendered dashboard: the panel queries and template
 * variable queries it contains, and the variable substitution Grafana performs before a query
 * leaves the browser ($__rate_interval, $__range, `$service` as a value or an escaped regex).
 * Pure functions; live/checks.ts runs the results against the live Prometheus.
 */
import { ObservatoryError } from '../catalog/errors';

export interface PanelQuery {
  readonly dashboardUid: string;
  readonly dashboardTitle: string;
  readonly panelId: number | undefined;
  readonly panelTitle: string;
  readonly refId: string;
  /** The expression as stored in the dashboard (variables not yet substituted). */
  readonly expr: string;
}

export interface VariableSpec {
  readonly name: string;
  /** query, custom, constant, interval, datasource, textbox, adhoc, ... */
  readonly type: string;
  /** The query text (query variables), comma-separated options (custom), or the value (constant). */
  readonly query: string;
  readonly multi: boolean;
  readonly includeAll: boolean;
  readonly allValue: string | undefined;
  /** Grafana's `regex` filter, e.g. `/(.*):[0-9]+/`. */
  readonly regex: string | undefined;
  /** Value(s) saved with the dashboard, if any. */
  readonly current: readonly string[] | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function dashboardUid(dashboard: unknown): string {
  const uid = isObject(dashboard) ? str(dashboard.uid) : undefined;
  if (!uid) throw new ObservatoryError('dashboard', 'has no uid');
  return uid;
}

/** Every Prometheus expression of every panel, rows' nested panels included. */
export function panelQueries(dashboard: unknown): PanelQuery[] {
  const uid = dashboardUid(dashboard);
  const d = dashboard as Json;
  const title = str(d.title) ?? uid;
  const out: PanelQuery[] = [];
  const visit = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (!isObject(p)) continue;
      visit(p.panels);
      if (!Array.isArray(p.targets)) continue;
      p.targets.forEach((t, i) => {
        if (!isObject(t)) return;
        const expr = str(t.expr);
        if (expr === undefined || expr.trim() === '') return;
        out.push({
          dashboardUid: uid,
          dashboardTitle: title,
          panelId: typeof p.id === 'number' ? p.id : undefined,
          panelTitle: str(p.title) ?? '(untitled)',
          refId: str(t.refId) ?? String.fromCharCode(65 + i),
          expr,
        });
      });
    }
  };
  visit(d.panels);
  return out;
}

function currentValues(v: Json): string[] | undefined {
  const cur = v.current;
  if (!isObject(cur)) return undefined;
  const value = cur.value;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((x) => typeof x === 'string')) return value as string[];
  return undefined;
}

/** The dashboard's template variables, in order (later ones may use earlier ones). */
export function templateVariables(dashboard: unknown): VariableSpec[] {
  const d = isObject(dashboard) ? dashboard : {};
  const list = isObject(d.templating) && Array.isArray(d.templating.list) ? d.templating.list : [];
  return list.filter(isObject).map((v) => {
    const q = v.query;
    const query = typeof q === 'string' ? q : isObject(q) ? (str(q.query) ?? '') : '';
    return {
      name: str(v.name) ?? '',
      type: str(v.type) ?? 'query',
      query,
      multi: v.multi === true,
      includeAll: v.includeAll === true,
      allValue: str(v.allValue) || undefined,
      regex: str(v.regex) || undefined,
      current: currentValues(v),
    };
  });
}

export type VariableQuery =
  | { readonly kind: 'label_values'; readonly match: string | undefined; readonly label: string }
  | { readonly kind: 'label_names'; readonly match: string | undefined }
  | { readonly kind: 'metrics'; readonly regex: string }
  | { readonly kind: 'query_result'; readonly expr: string };

/** Parses Grafana's Prometheus variable query functions. */
export function parseVariableQuery(query: string, where: string): VariableQuery {
  const q = query.trim();
  let m = /^label_values\(\s*(?:([\s\S]+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(q);
  if (m) return { kind: 'label_values', match: m[1], label: m[2] };
  m = /^label_names\(\s*([\s\S]*?)\s*\)$/.exec(q);
  if (m) return { kind: 'label_names', match: m[1] || undefined };
  m = /^metrics\(\s*([\s\S]+?)\s*\)$/.exec(q);
  if (m) return { kind: 'metrics', regex: m[1] };
  m = /^query_result\(\s*([\s\S]+)\s*\)$/.exec(q);
  if (m) return { kind: 'query_result', expr: m[1] };
  throw new ObservatoryError(where, `variable query "${query}" is none of label_values(), label_names(), metrics(), query_result()`);
}

/** Applies a variable's `/regex/flags` filter the way Grafana does: keep matches, take group 1 if any. */
export function applyVariableRegex(regex: string | undefined, values: readonly string[]): string[] {
  if (!regex) return [...values];
  const m = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
  const re = new RegExp(m ? m[1] : regex, m ? m[2].replace('g', '') : '');
  const out: string[] = [];
  for (const v of values) {
    const r = re.exec(v);
    if (!r) continue;
    out.push(r.groups?.value ?? r[1] ?? r[0]);
  }
  return [...new Set(out)];
}

/** Grafana's escaping of a value used inside a Prometheus regex matcher (multi-value/All variables). */
export function prometheusRegexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** Grafana's escaping of a single-value variable. */
export function prometheusValueEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/** The text Grafana puts in place of a variable, given its options and the default selection. */
export function variableReplacement(v: VariableSpec, options: readonly string[]): string {
  const wantsAll = v.current?.includes('$__all') || (v.current === undefined && v.includeAll);
  if (v.includeAll && wantsAll) {
    if (v.allValue !== undefined) return v.allValue;
    return formatMulti(options);
  }
  const selected = v.current?.filter((c) => options.includes(c)) ?? [];
  const chosen = selected.length > 0 ? selected : options.slice(0, 1);
  if (chosen.length === 0) throw new ObservatoryError(`variable $${v.name}`, 'has no value to select');
  if (!v.multi && !v.includeAll) return prometheusValueEscape(chosen[0]);
  return formatMulti(chosen);
}

function formatMulti(values: readonly string[]): string {
  const escaped = values.map(prometheusRegexEscape);
  return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
}

export interface TimeSettings {
  /** The datasource's scrape interval (Grafana's "min interval"), in seconds. */
  readonly scrapeIntervalSeconds: number;
  /** The dashboard time range, in seconds. */
  readonly rangeSeconds: number;
  /** Points Grafana asks for per panel. Default: 1000 (a wide panel). */
  readonly maxDataPoints?: number;
}

/** Grafana's built-in interval variables for a time range. */
export function builtinVariables(t: TimeSettings): Record<string, string> {
  const interval = Math.max(t.scrapeIntervalSeconds, Math.ceil(t.rangeSeconds / (t.maxDataPoints ?? 1000)));
  // $__rate_interval = max($__interval + scrape interval, 4 * scrape interval)
  const rateInterval = Math.max(interval + t.scrapeIntervalSeconds, 4 * t.scrapeIntervalSeconds);
  return {
    __interval: `${interval}s`,
    __interval_ms: String(interval * 1000),
    __rate_interval: `${rateInterval}s`,
    __range: `${t.rangeSeconds}s`,
    __range_s: String(t.rangeSeconds),
    __range_ms: String(t.rangeSeconds * 1000),
  };
}

/**
 * Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` with their values. A variable
 * without a value is an error naming it (Grafana would send the text unreplaced).
 */
export function interpolate(expr: string, values: Readonly<Record<string, string>>, where: string): string {
  const lookup = (name: string) => {
    const v = values[name];
    if (v === undefined) throw new ObservatoryError(where, `uses $${name}, which is neither a dashboard variable nor a Grafana built-in`);
    return v;
  };
  return expr
    .replace(/\$\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?\}/g, (_, n: string) => lookup(n))
    .replace(/\[\[([A-Za-z0-9_]+)\]\]/g, (_, n: string) => lookup(n))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, n: string) => lookup(n));
}
