/**
 * The PromQL printer (catalog/promqlText.ts) against the PromQL grammar itself
 * (@prometheus-io/lezer-promql), independent of any Prometheus version's formatting:
 *   - every expression of every stack (rules and panels) means exactly what promql-builder's fully
 *     parenthesised text means (same tree once parentheses are dropped), and
 *   - no pair of parentheses in it is redundant: dropping any one changes the tree.
 * That is what Prometheus's own printer does for a parsed expression: parentheses only where the
 * precedence needs them.
 */
import * as pb from '@grafana/promql-builder';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { promqlText } from '../catalog/promqlText';
import { Query } from '../catalog/query';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import { listStacks, loadStackConfigFile } from '../stacks/config/fromYaml';
import { REPO } from './helpers';

const EXPRESSIONS = new Set(['BinaryExpr', 'ParenExpr', 'AggregateExpr', 'FunctionCall', 'VectorSelector', 'MatrixSelector', 'NumberDurationLiteral', 'StringLiteral', 'UnaryExpr', 'SubqueryExpr', 'OffsetExpr', 'StepInvariantExpr']);

function firstExpr(node: SyntaxNode): SyntaxNode {
  for (let c = node.firstChild; c; c = c.nextSibling) if (EXPRESSIONS.has(c.name)) return c;
  throw new Error(`no expression in ${node.name}`);
}

/** The tree as text with every binary operation in parentheses and no ParenExpr: equal trees, equal text. */
function canonical(text: string): string {
  // Grafana's interval variables are not PromQL; any duration stands in for them.
  const src = text.replace(/\$__(rate_interval|interval|range)\b/g, '1m');
  const tree = parser.parse(src);
  let error = false;
  tree.iterate({ enter: (n) => { if (n.type.isError) error = true; } });
  if (error) return `PARSE ERROR: ${src}`;
  const gap = (from: number, to: number) => src.slice(from, to).replace(/\s+/g, '');
  const generic = (node: SyntaxNode): string => {
    if (!node.firstChild) return src.slice(node.from, node.to);
    let out = '';
    let pos = node.from;
    for (let c: SyntaxNode | null = node.firstChild; c; c = c.nextSibling) {
      out += gap(pos, c.from) + (EXPRESSIONS.has(c.name) ? expr(c) : generic(c));
      pos = c.to;
    }
    return out + gap(pos, node.to);
  };
  const expr = (node: SyntaxNode): string => {
    if (node.name === 'ParenExpr') return expr(firstExpr(node));
    if (node.name === 'BinaryExpr') {
      const operands: SyntaxNode[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) if (EXPRESSIONS.has(c.name)) operands.push(c);
      const [lhs, rhs] = [operands[0], operands[operands.length - 1]];
      return `(${expr(lhs)} ${gap(lhs.to, rhs.from)} ${expr(rhs)})`;
    }
    return generic(node);
  };
  return expr(firstExpr(tree.topNode));
}

/** Every ParenExpr's span in src. */
function parens(src: string): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  parser.parse(src).iterate({ enter: (n) => { if (n.name === 'ParenExpr') out.push({ from: n.from, to: n.to }); } });
  return out;
}

/** Every PromQL expression a stack renders: rule expressions and panel queries, in file order. */
function expressions(artifacts: readonly Artifact[]): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const a of artifacts) {
    if (a.path.startsWith('prometheus/rules/')) {
      for (const g of (yaml.load(a.content) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] }).groups) {
        for (const r of g.rules) out.push({ where: `${a.path}: ${r.record ?? r.alert}`, expr: r.expr });
      }
    } else if (a.path.startsWith('dashboards/')) {
      const d = JSON.parse(a.content) as { panels?: { title: string; targets?: { expr?: string }[] }[] };
      for (const p of d.panels ?? []) for (const t of p.targets ?? []) if (t.expr) out.push({ where: `${a.path}: ${p.title}`, expr: t.expr });
    }
  }
  return out;
}

/** The same stack rendered with promql-builder's own, fully parenthesised printer. */
function renderWithBuilderText(stack: string): Artifact[] {
  const ours = Object.getOwnPropertyDescriptor(Query.prototype, 'toString')!;
  Object.defineProperty(Query.prototype, 'toString', { ...ours, value(this: Query<string>) { return pb.toString(this.build()); } });
  try {
    return renderStack(loadStackConfigFile(REPO, stack));
  } finally {
    Object.defineProperty(Query.prototype, 'toString', ours);
  }
}

describe('PromQL text: parentheses only where precedence needs them', () => {
  it('precedence and associativity', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((m) => pb.vector(m));
    const cases: [pb.Builder<pb.Expr>, string][] = [
      [pb.div(a, pb.gt(b, pb.n(0))), 'a / (b > 0)'],
      [pb.sub(pb.sub(a, b), c), 'a - b - c'],
      [pb.sub(a, pb.sub(b, c)), 'a - (b - c)'],
      [pb.pow(a, pb.pow(b, c)), 'a ^ b ^ c'],
      [pb.pow(pb.pow(a, b), c), '(a ^ b) ^ c'],
      [pb.sub(pb.n(1), pb.div(a, b)), '1 - a / b'],
      [pb.mul(pb.add(a, b), c), '(a + b) * c'],
      [pb.div(pb.or(a, pb.mul(b, pb.n(0))), c), '(a or b * 0) / c'],
      [pb.and(pb.gt(a, pb.n(1)), pb.gte(b, pb.n(2))).on(['service']), 'a > 1 and on (service) b >= 2'],
      [pb.or(pb.and(a, b), c), 'a and b or c'],
      [pb.and(a, pb.or(b, c)), 'a and (b or c)'],
      [pb.sum(pb.rate(pb.vector('x').label('job', 'j').range('5m'))).by(['service', 'le']), 'sum by (service, le) (rate(x{job="j"}[5m]))'],
      [pb.topk(3, a), 'topk(3, a)'],
    ];
    for (const [builder, text] of cases) {
      expect(promqlText(builder.build())).toBe(text);
      expect(canonical(text)).toBe(canonical(pb.toString(builder.build())));
    }
  });

  it('the canonical form tells different trees apart and ignores parentheses and spacing', () => {
    expect(canonical('a - (b - c)')).not.toBe(canonical('a - b - c'));
    expect(canonical('(a)/((b)>(0))')).toBe(canonical('a / (b > 0)'));
    expect(canonical('a / b > 0')).not.toBe(canonical('a / (b > 0)'));
  });

  it.each(listStacks(REPO))('stack %s: every rule and panel means what the builder built, with no redundant parentheses', (stack) => {
    const ours = expressions(renderStack(loadStackConfigFile(REPO, stack)));
    const builders = expressions(renderWithBuilderText(stack));
    expect(ours.map((e) => e.where)).toEqual(builders.map((e) => e.where));
    expect(ours.length).toBeGreaterThan(100);
    let checked = 0;
    ours.forEach(({ where, expr }, i) => {
      expect(canonical(expr), `${where}: ${expr}`).toBe(canonical(builders[i].expr));
      expect(canonical(expr), where).not.toMatch(/^PARSE ERROR/);
      for (const p of parens(expr)) {
        const without = `${expr.slice(0, p.from)} ${expr.slice(p.from + 1, p.to - 1)} ${expr.slice(p.to)}`;
        expect(canonical(without), `${where}: the parentheses at ${p.from} are redundant in ${expr}`).not.toBe(canonical(expr));
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(20);
  });
});
