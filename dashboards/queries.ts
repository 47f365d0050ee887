/**
 * The queries of rendered dashboards as data, for tests and the live test: every panel query, and
 * how Grafana expands the template variables when "All" is selected.
 */
import { allPanels, type LintDashboard } from './lint';
import { DATASOURCE_VARIABLE } from './common';

export interface PanelQuery {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/** Every target of every panel, in panel order. */
export function panelQueries(d: LintDashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      const fields = t as { refId?: unknown; expr?: unknown };
      if (typeof fields.expr === 'string') out.push({ panel: p.title ?? `id ${p.id}`, refId: typeof fields.refId === 'string' ? fields.refId : '?', expr: fields.expr });
    }
  }
  return out;
}

export interface Intervals {
  /** What $__rate_interval becomes, e.g. "1m". */
  readonly rateInterval: string;
  /** What $__interval becomes. Default: rateInterval. */
  readonly interval?: string;
  /** What $__range becomes. Default: "1h". */
  readonly range?: string;
}

/**
 * The PromQL Grafana sends with every variable at "All" (its allValue, e.g. `.*`) and the given
 * intervals. Throws on a variable the dashboard does not define, as Grafana would send it verbatim.
 */
export function expandForAll(expr: string, d: LintDashboard, intervals: Intervals): string {
  const allValues = new Map((d.templating.list ?? []).map((v) => [v.name, v.allValue ?? '.*']));
  return expr
    .replace(/\$__rate_interval\b/g, intervals.rateInterval)
    .replace(/\$__interval\b/g, intervals.interval ?? intervals.rateInterval)
    .replace(/\$__range\b/g, intervals.range ?? '1h')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
      if (name === DATASOURCE_VARIABLE) return whole;
      const value = allValues.get(name);
      if (value === undefined) throw new Error(`${d.uid}: query uses $${name}, which the dashboard does not define: ${expr}`);
      return value;
    });
}
