/**
 * Deliberately broken copies of rendered artifacts, for proving that the live checks catch a
 * metric name that is valid PromQL (and may even be in the catalog) but does not exist at
 * runtime: the classic `_total` suffix added or dropped.
 */
import { selectorsOf } from '../catalog/checkQuery';
import type { RuleSpec } from './checks';
import { panelQueries, type PanelQuery } from './grafanaQueries';

export interface Breakage {
  /** The selector as written before and after. */
  readonly original: string;
  readonly broken: string;
  /** The misspelled metric name. */
  readonly metric: string;
}

/** `foo_total` -> `foo`, anything else -> `anything_total`. */
export function misspell(metric: string): string {
  return metric.endsWith('_total') ? metric.slice(0, -'_total'.length) : `${metric}_total`;
}

/** The expression with its first named selector's metric misspelled; undefined if it has none. */
export function breakExpr(expr: string): { expr: string; breakage: Breakage } | undefined {
  const sel = selectorsOf(expr).find((s) => s.metric !== '' && s.text.startsWith(s.metric));
  if (!sel) return undefined;
  const metric = misspell(sel.metric);
  const broken = `${metric}${sel.text.slice(sel.metric.length)}`;
  // The selector as a whole token, not inside a longer name (`up` in `group`).
  const token = new RegExp(`(?<![A-Za-z0-9_:])${sel.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_:])`);
  if (!token.test(expr)) return undefined;
  return { expr: expr.replace(token, () => broken), breakage: { original: sel.text, broken, metric } };
}

type Json = Record<string, unknown>;

/**
 * A deep copy of the dashboard with the first panel query that has a selector broken. Returns the
 * copy, the panel title and the breakage; undefined when no panel has a selector.
 */
export function breakDashboard(dashboard: unknown): { dashboard: unknown; panelTitle: string; breakage: Breakage } | undefined {
  const copy = JSON.parse(JSON.stringify(dashboard)) as Json;
  for (const pq of panelQueries(copy)) {
    const b = breakExpr(pq.expr);
    if (!b) continue;
    let done = false;
    const visit = (panels: unknown) => {
      if (!Array.isArray(panels) || done) return;
      for (const p of panels as Json[]) {
        visit(p.panels);
        if (done || p.title !== pq.panelTitle || !Array.isArray(p.targets)) continue;
        for (const t of p.targets as Json[]) {
          if (!done && t.expr === pq.expr) {
            t.expr = b.expr;
            done = true;
          }
        }
      }
    };
    visit(copy.panels);
    if (done) return { dashboard: copy, panelTitle: pq.panelTitle, breakage: b.breakage };
  }
  return undefined;
}

/** A panel query with its first selector broken; undefined if it has none. */
export function breakPanelQuery(pq: PanelQuery): { query: PanelQuery; breakage: Breakage } | undefined {
  const b = breakExpr(pq.expr);
  return b && { query: { ...pq, expr: b.expr }, breakage: b.breakage };
}

/** A copy of a rule with its first selector broken and, for recording rules, a new output name. */
export function breakRule(rule: RuleSpec): { rule: RuleSpec; breakage: Breakage } | undefined {
  const b = breakExpr(rule.expr);
  if (!b) return undefined;
  const renamed = rule.record ? { record: `live_broken:${rule.record.split(':').slice(1).join(':')}` } : {};
  return { rule: { ...rule, ...renamed, expr: b.expr }, breakage: b.breakage };
}
