/**
 * Rewrites a PromQL expression so it reads raw series instead of recording-rule outputs: every
 * selector of a recorded series becomes that rule's defining expression, with the selector's label
 * matchers pushed down into the definition's own selectors. That is what a dashboard would cost
 * without the recording rules.
 *
 * Pushing matchers down is valid because our recording rules aggregate `by` the labels their
 * series keep, so filtering before the aggregation selects the same groups as filtering after. A
 * matcher on a label the rule adds itself (`quantile`) is not pushed: it picks which of the rule's
 * variants apply, and each chosen variant gets the label back with label_replace. Definitions are
 * expanded recursively, since rules build on earlier rules. Pure.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { ObservatoryError } from '../catalog/errors';

export interface RecordingDefinition {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

interface Matcher {
  readonly label: string;
  readonly op: string;
  /** The string literal as written, quotes included. */
  readonly literal: string;
  readonly value: string;
}

interface SelectorNode {
  readonly node: SyntaxNode;
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

function parse(expr: string): ReturnType<typeof parser.parse> {
  const tree = parser.parse(expr);
  let bad: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && bad === undefined) bad = n.from;
    },
  });
  if (bad !== undefined) throw new ObservatoryError('expand', `PromQL does not parse at offset ${bad}: ${expr}`);
  return tree;
}

/** JS value of a PromQL string literal ("..." or '...' with escapes, or `raw`). */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[c] ?? c);
}

function selectors(expr: string): SelectorNode[] {
  const out: SelectorNode[] = [];
  parse(expr).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const id = node.getChild('Identifier');
      let metric = id ? expr.slice(id.from, id.to) : '';
      const matchers: Matcher[] = [];
      const lm = node.getChild('LabelMatchers');
      for (let m = lm?.firstChild ?? null; m; m = m.nextSibling) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!label || !op || !value) continue;
        const literal = expr.slice(value.from, value.to);
        matchers.push({ label: expr.slice(label.from, label.to), op: expr.slice(op.from, op.to), literal, value: unquote(literal) });
      }
      const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
      if (!metric && byName) metric = byName.value;
      out.push({ node, metric, matchers: matchers.filter((m) => m.label !== '__name__') });
      return false;
    },
  });
  return out;
}

/** Does `value` satisfy the matcher (PromQL regexes are fully anchored)? */
export function matches(m: { op: string; value: string }, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(value);
    default:
      throw new ObservatoryError('expand', `unknown match operator ${m.op}`);
  }
}

function matcherText(m: Matcher): string {
  return `${m.label}${m.op}${m.literal}`;
}

function replaceSpans(expr: string, edits: { from: number; to: number; text: string }[]): string {
  let out = expr;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/** Adds `matchers` to every vector selector of `expr`. */
export function pushMatchers(expr: string, matchers: readonly Matcher[]): string {
  if (matchers.length === 0) return expr;
  const added = matchers.map(matcherText).join(',');
  const edits = selectors(expr).map(({ node }) => {
    const lm = node.getChild('LabelMatchers');
    if (!lm) return { from: node.to, to: node.to, text: `{${added}}` };
    const inner = expr.slice(lm.from + 1, lm.to - 1).trim();
    return { from: lm.from, to: lm.to, text: `{${inner ? `${inner.replace(/,\s*$/, '')},` : ''}${added}}` };
  });
  return replaceSpans(expr, edits);
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * `expr` with every recorded-series selector replaced by its raw definition. `evalInterval` is the
 * rule evaluation interval, used as the resolution when a recorded series is read over a range
 * (`recorded[1h]` becomes the subquery `(definition)[1h:<evalInterval>]`).
 */
export function expandRecorded(expr: string, rules: readonly RecordingDefinition[], evalInterval: string, depth = 0): string {
  if (depth > 20) throw new ObservatoryError('expand', `recording rules nest more than 20 deep (a cycle?) at: ${expr}`);
  const byName = new Map<string, RecordingDefinition[]>();
  for (const r of rules) byName.set(r.record, [...(byName.get(r.record) ?? []), r]);
  const edits: { from: number; to: number; text: string }[] = [];
  for (const sel of selectors(expr)) {
    const variants = byName.get(sel.metric);
    if (!variants) continue;
    const chosen = variants.filter((v) => sel.matchers.every((m) => v.labels?.[m.label] === undefined || matches(m, v.labels[m.label])));
    if (chosen.length === 0) throw new ObservatoryError('expand', `selector ${expr.slice(sel.node.from, sel.node.to)} matches none of the rules recording ${sel.metric}`);
    const parts = chosen.map((v) => {
      const pushed = sel.matchers.filter((m) => v.labels?.[m.label] === undefined);
      let raw = expandRecorded(pushMatchers(v.expr, pushed), rules, evalInterval, depth + 1);
      for (const [k, value] of Object.entries(v.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) raw = `label_replace(${raw}, ${quote(k)}, ${quote(value)}, "", "")`;
      return raw;
    });
    const replacement = parts.length === 1 ? `(${parts[0]})` : `(${parts.map((p) => `(${p})`).join(' or ')})`;
    const parent = sel.node.parent;
    if (parent?.name === 'MatrixSelector') {
      const range = parent.getChild('DurationExpr') ?? parent.lastChild;
      edits.push({ from: parent.from, to: parent.to, text: `${replacement}[${expr.slice(range!.from, range!.to)}:${evalInterval}]` });
    } else if (parent?.name === 'OffsetExpr' || parent?.name === 'StepInvariantExpr') {
      throw new ObservatoryError('expand', `offset/@ on the recorded selector ${expr.slice(sel.node.from, sel.node.to)} is not supported`);
    } else {
      edits.push({ from: sel.node.from, to: sel.node.to, text: replacement });
    }
  }
  return replaceSpans(expr, edits);
}

/** Names from `recorded` that `expr` selects directly. */
export function directlyRecorded(expr: string, recorded: ReadonlySet<string>): Set<string> {
  return new Set(selectors(expr).map((s) => s.metric).filter((m) => recorded.has(m)));
}
