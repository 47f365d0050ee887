/**
 * PromQL text for a promql-builder expression, written the way Prometheus's own printer (the Go
 * parser's String(), `promtool promql format`) writes a parsed expression: `a / (b > 0)`, not
 * promql-builder's `(a) / ((b) > (0))`. Parentheses appear only where the operator precedence
 * needs them, so a rule reads like hand-written PromQL in a pull request.
 *
 * Precedence, lowest first, as in the Prometheus parser: `or`; `and`, `unless`; comparisons;
 * `+`, `-`; `*`, `/`, `%`, `atan2`; `^` (right-associative). All others are left-associative.
 * test/promqlText.test.ts parses every rendered expression back (lezer-promql) and checks that it
 * means the builder's tree and that no pair of parentheses could be dropped.
 */
import type { Expr } from '@grafana/promql-builder';

type BinaryExpr = Extract<Expr, { type: 'binaryExpr' }>;

const PRECEDENCE: Readonly<Record<BinaryExpr['op'], number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

function labelList(labels: readonly string[] | undefined): string {
  return `(${(labels ?? []).join(', ')})`;
}

function matching(b: BinaryExpr): string {
  let out = '';
  if (b.matchType) out += ` ${b.matchType === 'on' ? 'on' : 'ignoring'} ${labelList(b.matchLabels)}`;
  if (b.groupModifier) out += ` ${b.groupModifier === 'left' ? 'group_left' : 'group_right'} ${labelList(b.groupLabels)}`;
  return out;
}

function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  return String(v);
}

/** An operand of a binary operator: parenthesised when it would otherwise bind differently. */
function operand(child: Expr, parent: BinaryExpr, side: 'left' | 'right'): string {
  const text = promqlText(child);
  if (child.type === 'unaryExpr') return `(${text})`;
  if (child.type !== 'binaryExpr') return text;
  const p = PRECEDENCE[parent.op];
  const c = PRECEDENCE[child.op];
  const rightAssoc = parent.op === '^';
  const needs = c < p || (c === p && (side === 'right') !== rightAssoc);
  return needs ? `(${text})` : text;
}

export function promqlText(e: Expr): string {
  switch (e.type) {
    case 'numberLiteralExpr':
      return number(e.value);
    case 'stringLiteralExpr':
      return e.value;
    case 'vectorExpr': {
      let out = e.metric;
      if (e.labels.length > 0) out += `{${e.labels.map((l) => `${l.name}${l.operator}${JSON.stringify(l.value)}`).join(',')}}`;
      if (e.range) out += `[${e.range}]`;
      if (e.offset) out += ` offset ${e.offset}`;
      if (e.at) out += ` @ ${e.at}`;
      return out;
    }
    case 'funcCallExpr':
      return `${e.function}(${e.args.map(promqlText).join(', ')})`;
    case 'aggregationExpr': {
      // `sum(x)`, but `sum by (service) (x)`.
      let out: string = e.op;
      if (e.without.length > 0) out += ` without ${labelList(e.without)} `;
      else if (e.by.length > 0) out += ` by ${labelList(e.by)} `;
      const args = e.param ? [promqlText(e.param), promqlText(e.expr)] : [promqlText(e.expr)];
      return `${out}(${args.join(', ')})`;
    }
    case 'binaryExpr':
      return `${operand(e.left, e, 'left')} ${e.op}${matching(e)} ${operand(e.right, e, 'right')}`;
    case 'unaryExpr': {
      const inner = promqlText(e.expr);
      return e.expr.type === 'binaryExpr' ? `${e.op}(${inner})` : `${e.op}${inner}`;
    }
    case 'subqueryExpr': {
      const inner = e.expr.type === 'binaryExpr' || e.expr.type === 'unaryExpr' ? `(${promqlText(e.expr)})` : promqlText(e.expr);
      let out = `${inner}[${e.range}:${e.resolution ?? ''}]`;
      if (e.offset) out += ` offset ${e.offset}`;
      if (e.at) out += ` @ ${e.at}`;
      return out;
    }
  }
}
