/**
 * Rejects PromQL that divides by something that can be zero. A zero denominator yields NaN or
 * ±Inf, and `+Inf > 0.9` is true: an unguarded ratio pages on an idle service or on Redis without
 * maxmemory. Every `/` must have, as its right operand (parentheses aside):
 *   - a non-zero number literal,
 *   - a comparison `x > c` (c >= 0) or `x >= c` (c > 0) without `bool`, which drops zero series, or
 *   - `clamp_min(x, c)` with c > 0.
 * Walks the real PromQL grammar (@prometheus-io/lezer-promql); rule rendering calls it for every
 * expression, and dashboards may too.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { substituteGrafanaVariables } from './checkQuery';
import { ObservatoryError } from './errors';

const NUMBER_NODES = new Set(['NumberDurationLiteral', 'NumberLiteral']);

function unwrapParens(n: SyntaxNode): SyntaxNode {
  let node = n;
  while (node.name === 'ParenExpr' && node.firstChild) node = node.firstChild;
  return node;
}

function numberValue(src: string, n: SyntaxNode): number | undefined {
  const node = unwrapParens(n);
  return NUMBER_NODES.has(node.name) ? Number(src.slice(node.from, node.to)) : undefined;
}

/** The operator token of a BinaryExpr and its operands (children that are expressions). */
function binaryParts(n: SyntaxNode): { op: string; opFrom: number; left: SyntaxNode; right: SyntaxNode; bool: boolean } | undefined {
  const children: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) children.push(c);
  const opIndex = children.findIndex((c) => ['Div', 'Gtr', 'Gte', 'Lss', 'Lte', 'Eql', 'Neq', 'Add', 'Sub', 'Mul', 'Mod', 'Pow', 'And', 'Or', 'Unless', 'Atan2'].includes(c.name));
  if (opIndex < 1) return undefined;
  const right = children[children.length - 1];
  return { op: children[opIndex].name, opFrom: children[opIndex].from, left: children[0], right, bool: children.some((c) => c.name === 'BoolModifier') };
}

/** Why the divisor is safe, or undefined when it may be zero. */
function guardOf(src: string, divisor: SyntaxNode): string | undefined {
  const node = unwrapParens(divisor);
  const constant = numberValue(src, node);
  if (constant !== undefined) return constant !== 0 ? 'non-zero constant' : undefined;
  if (node.name === 'BinaryExpr') {
    const parts = binaryParts(node);
    if (!parts || parts.bool) return undefined;
    const bound = numberValue(src, parts.right);
    if (bound === undefined) return undefined;
    if (parts.op === 'Gtr' && bound >= 0) return `> ${bound}`;
    if (parts.op === 'Gte' && bound > 0) return `>= ${bound}`;
    return undefined;
  }
  if (node.name === 'FunctionCall') {
    const fn = node.getChild('FunctionIdentifier');
    const body = node.getChild('FunctionCallBody');
    if (!fn || !body || src.slice(fn.from, fn.to) !== 'clamp_min') return undefined;
    const args: SyntaxNode[] = [];
    for (let c = body.firstChild; c; c = c.nextSibling) if (c.name !== '(' && c.name !== ')' && c.name !== ',') args.push(c);
    const minimum = args.length === 2 ? numberValue(src, args[1]) : undefined;
    return minimum !== undefined && minimum > 0 ? `clamp_min ${minimum}` : undefined;
  }
  return undefined;
}

export interface UnguardedDivision {
  /** The divisor as written. */
  readonly divisor: string;
  /** Offset of the `/` in the expression. */
  readonly at: number;
}

/** Every division of expr whose divisor may be zero (empty when all are guarded). */
export function unguardedDivisions(expr: string): UnguardedDivision[] {
  const src = substituteGrafanaVariables(expr);
  const out: UnguardedDivision[] = [];
  parser.parse(src).iterate({
    enter: (ref) => {
      if (ref.name !== 'BinaryExpr') return;
      const parts = binaryParts(ref.node);
      if (parts?.op !== 'Div') return;
      if (guardOf(src, parts.right) === undefined) out.push({ divisor: src.slice(parts.right.from, parts.right.to), at: parts.opFrom });
    },
  });
  return out;
}

/** Throws an ObservatoryError naming `where` and the first divisor that may be zero. */
export function checkGuardedDivision(expr: string, where: string): void {
  const bad = unguardedDivisions(expr)[0];
  if (bad) {
    throw new ObservatoryError(
      where,
      `divides by ${bad.divisor}, which can be zero; use ratio() (divisor > 0), clamp_min(x, c > 0) or a non-zero constant, in: ${expr}`,
    );
  }
}
