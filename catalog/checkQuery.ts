/**
 * Checks a PromQL string against the catalog with the real PromQL grammar
 * (@prometheus-io/lezer-promql): it must parse, every selector must name a catalog series, every
 * matcher a label that series has, and every `by`/`without`/`on`/`ignoring` label must exist on
 * some series beneath it. Dashboards, rules and the live test all use this.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { ObservatoryError } from './errors';
import type { Catalog } from './index';

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly { label: string; op: string; value: string }[];
  /** The selector as written, e.g. `up{job="x"}`. */
  readonly text: string;
}

/**
 * Grafana replaces its variables before the query reaches Prometheus; do the same so the query
 * parses: interval variables become durations, other variables keep their text inside strings.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{?__range_s\}?/g, '300');
}

function parseOrThrow(expr: string, where: string) {
  const tree = parser.parse(expr);
  let error: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && error === undefined) error = n.from;
    },
  });
  if (error !== undefined) {
    throw new ObservatoryError(where, `PromQL does not parse at offset ${error} ("${expr.slice(Math.max(0, error - 10), error + 20)}") in: ${expr}`);
  }
  return tree;
}

function text(expr: string, n: SyntaxNode): string {
  return expr.slice(n.from, n.to);
}

function unquote(s: string): string {
  return s.replace(/^["'`]|["'`]$/g, '');
}

/** Every vector selector of a PromQL expression. Throws if the expression does not parse. */
export function selectorsOf(expr: string, where = 'query'): Selector[] {
  const src = substituteGrafanaVariables(expr);
  const tree = parseOrThrow(src, where);
  const out: Selector[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const id = node.getChild('Identifier');
      const matchers: { label: string; op: string; value: string }[] = [];
      let metric = id ? text(src, id) : '';
      const lm = node.getChild('LabelMatchers');
      if (lm) {
        for (let m = lm.firstChild; m; m = m.nextSibling) {
          if (!m.name.endsWith('LabelMatcher')) continue;
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (!label && value && !op) {
            metric = unquote(text(src, value)); // {"metric_name"} form
            continue;
          }
          if (label && op && value) matchers.push({ label: unquote(text(src, label)), op: text(src, op), value: unquote(text(src, value)) });
        }
      }
      if (!metric) {
        const name = matchers.find((m) => m.label === '__name__' && m.op === '=');
        if (name) metric = name.value;
      }
      out.push({ metric, matchers: matchers.filter((m) => m.label !== '__name__'), text: text(src, node) });
      return false;
    },
  });
  return out;
}

/** Labels named in grouping clauses, with the series names found beneath each clause. */
function groupingUses(src: string, tree: ReturnType<typeof parser.parse>): { labels: string[]; series: string[]; clause: string; relabels: boolean }[] {
  const uses: { labels: string[]; series: string[]; clause: string; relabels: boolean }[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'GroupingLabels') return;
      const grouping = ref.node;
      const labels: string[] = [];
      for (let c = grouping.firstChild; c; c = c.nextSibling) if (c.name === 'LabelName') labels.push(unquote(text(src, c)));
      // The scope is the enclosing aggregation or binary expression.
      let scope: SyntaxNode | null = grouping.parent;
      while (scope && scope.name !== 'AggregateExpr' && scope.name !== 'BinaryExpr') scope = scope.parent;
      if (!scope) return;
      const series: string[] = [];
      let relabels = false;
      const inner = scope.cursor();
      const end = scope.to;
      do {
        if (inner.from >= end) break;
        if (inner.name === 'VectorSelector') {
          const id = inner.node.getChild('Identifier');
          if (id) series.push(text(src, id));
        }
        if (inner.name === 'FunctionIdentifier' && /^label_(replace|join)$/.test(text(src, inner.node))) relabels = true;
      } while (inner.next());
      uses.push({ labels, series, clause: text(src, grouping.parent ?? grouping), relabels });
    },
  });
  return uses;
}

/**
 * Throws an ObservatoryError naming `where` and the offending selector when the expression uses a
 * metric or label the catalog lacks. Returns the selectors it checked.
 */
export function checkQuery(catalog: Catalog, expr: string, where: string): Selector[] {
  const selectors = selectorsOf(expr, where);
  for (const s of selectors) {
    const info = catalog.series.get(s.metric);
    if (!info) throw new ObservatoryError(where, `selector ${s.text}: metric "${s.metric || '(none)'}" is not in the catalog`);
    for (const m of s.matchers) {
      if (!info.labels.has(m.label)) {
        throw new ObservatoryError(where, `selector ${s.text}: metric "${s.metric}" has no label "${m.label}" (labels: ${[...info.labels].sort().join(', ')})`);
      }
      const allowed = info.metric?.labels[m.label]?.values;
      if (allowed && m.op === '=' && !m.value.startsWith('$') && !allowed.includes(m.value)) {
        throw new ObservatoryError(where, `selector ${s.text}: label "${m.label}" has no value "${m.value}" (allowed: ${allowed.join(', ')})`);
      }
    }
  }
  const src = substituteGrafanaVariables(expr);
  for (const use of groupingUses(src, parser.parse(src))) {
    if (use.relabels || use.series.length === 0) continue;
    for (const label of use.labels) {
      const found = use.series.some((name) => catalog.series.get(name)?.labels.has(label));
      if (!found) throw new ObservatoryError(where, `${use.clause}: no series beneath it has label "${label}" (series: ${[...new Set(use.series)].join(', ')})`);
    }
  }
  return selectors;
}
