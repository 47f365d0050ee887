/**
 * Dashboard lint, in the spirit of Grafana's dashboard-linter: every panel has a title, a unit and
 * the datasource variable; ids and titles are unique; grid positions do not overlap; every query
 * parses and selects only catalog metrics and labels; rates use $__rate_interval; every variable a
 * query uses exists, and multi-value variables are matched with a regex. Works on the SDK's built
 * dashboards and on dashboard JSON read back from disk (structural types, no SDK classes).
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { Catalog } from '../catalog';
import { checkQuery, selectorsOf } from '../catalog/checkQuery';
import { ObservatoryError } from '../catalog/errors';
import { DATASOURCE, DATASOURCE_VARIABLE } from './common';

export interface LintProblem {
  readonly rule: string;
  /** Title (or id) of the panel or name of the variable the problem is in; absent for the dashboard. */
  readonly where?: string;
  readonly message: string;
}

interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
interface DataSourceRef {
  readonly type?: string;
  readonly uid?: string;
}
/** The parts of a panel the lint reads. */
export interface LintPanel {
  readonly type: string;
  readonly id?: number;
  readonly title?: string;
  readonly gridPos?: GridPos;
  readonly datasource?: DataSourceRef;
  readonly targets?: readonly object[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly panels?: readonly LintPanel[];
}
export interface LintVariable {
  readonly type: string;
  readonly name: string;
  readonly query?: string | Readonly<Record<string, unknown>>;
  readonly datasource?: DataSourceRef;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
}
export interface LintDashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly LintPanel[];
  readonly templating: { readonly list?: readonly LintVariable[] };
}

const GRID_COLUMNS = 24;
/** Functions over counters whose window must be $__rate_interval (at least 4 scrapes, always). */
const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
/** Grafana's own variables a query may use. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms']);
/** Stand-in for $__rate_interval while parsing, so the rate-window check can recognise it. */
const RATE_INTERVAL_STANDIN = '7777s';

function stringField(o: object, key: string): string | undefined {
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

function datasourceField(o: object): DataSourceRef | undefined {
  const v = (o as Record<string, unknown>).datasource;
  return v !== null && typeof v === 'object' ? (v as DataSourceRef) : undefined;
}

/** Every panel, rows and the panels of collapsed rows included. */
export function allPanels(d: LintDashboard): LintPanel[] {
  const out: LintPanel[] = [];
  for (const p of d.panels ?? []) {
    out.push(p);
    for (const inner of p.panels ?? []) out.push(inner);
  }
  return out;
}

function panelName(p: LintPanel): string {
  return p.title ? `panel "${p.title}"` : `panel id ${p.id ?? '?'}`;
}

function variablesUsed(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}?/g)].map((m) => m[1]);
}

/** The expression with Grafana's interval variables replaced by durations, so it parses as PromQL. */
function withIntervalStandIns(expr: string): string {
  return expr.replace(/\$__rate_interval\b/g, RATE_INTERVAL_STANDIN).replace(/\$__(interval|range)\b/g, '5m');
}

/** rate/irate/increase whose range is not $__rate_interval (subqueries excepted: they set their own step). */
function rateWindowProblems(expr: string): string[] {
  const src = withIntervalStandIns(expr);
  const problems: string[] = [];
  parser.parse(src).iterate({
    enter: (ref) => {
      if (ref.name !== 'FunctionCall') return;
      const fn = ref.node.getChild('FunctionIdentifier');
      if (!fn || !RATE_FUNCTIONS.has(src.slice(fn.from, fn.to))) return;
      const matrix = ref.node.getChild('FunctionCallBody')?.getChild('MatrixSelector');
      const window = matrix?.getChild('DurationExpr');
      if (matrix && window && src.slice(window.from, window.to) !== RATE_INTERVAL_STANDIN) {
        problems.push(`${src.slice(fn.from, fn.to)}() over [${src.slice(window.from, window.to)}]: use [$__rate_interval]`);
      }
    },
  });
  return problems;
}

/** Functions and aggregations whose result keeps the input series' metric name. */
const NAME_KEEPING = new Set(['sort', 'sort_desc', 'label_replace', 'label_join', 'topk', 'bottomk']);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);
/** Syntax nodes between a binary operator and its right operand (`on(...)`, `bool`). */
const BINARY_MODIFIERS = new Set(['MatchingModifierClause', 'BoolModifier']);

/** The two operands of a binary expression, and its operator's node name. */
function binaryParts(node: SyntaxNode): { op: string; left: SyntaxNode; right: SyntaxNode } | undefined {
  const kids = children(node).filter((k) => !BINARY_MODIFIERS.has(k.name));
  return kids.length === 3 ? { left: kids[0], op: kids[1].name, right: kids[2] } : undefined;
}

/** Whether the expression's series keep their metric name (a selector does; arithmetic and most functions drop it). */
function keepsName(node: SyntaxNode, src: string): boolean {
  switch (node.name) {
    case 'VectorSelector':
    case 'OffsetExpr':
      return true;
    case 'ParenExpr':
      return node.firstChild !== null && keepsName(node.firstChild, src);
    case 'BinaryExpr': {
      const b = binaryParts(node);
      if (!b || !SET_OPERATORS.has(b.op)) return false;
      return b.op === 'Or' ? keepsName(b.left, src) || keepsName(b.right, src) : keepsName(b.left, src);
    }
    case 'FunctionCall': {
      const fn = node.getChild('FunctionIdentifier');
      const first = node.getChild('FunctionCallBody')?.firstChild;
      return !!fn && !!first && NAME_KEEPING.has(src.slice(fn.from, fn.to)) && keepsName(first, src);
    }
    case 'AggregateExpr': {
      const op = node.getChild('AggregateOp');
      const args = children(node.getChild('FunctionCallBody') ?? node).filter((k) => k.name !== 'AggregateModifier');
      return !!op && NAME_KEEPING.has(src.slice(op.from, op.to)) && args.length > 0 && keepsName(args[args.length - 1], src);
    }
    default:
      return false;
  }
}

/**
 * `a or b` where one side keeps the metric name and the other drops it: over a time range the
 * same label set comes back as two series (named while `a` has samples, unnamed while it falls
 * back), which Grafana draws as two lines under one legend.
 */
function orNameProblems(expr: string): string[] {
  const src = withIntervalStandIns(expr);
  const problems: string[] = [];
  parser.parse(src).iterate({
    enter: (ref) => {
      if (ref.name !== 'BinaryExpr') return;
      const b = binaryParts(ref.node);
      if (!b || b.op !== 'Or') return;
      if (keepsName(b.left, src) !== keepsName(b.right, src)) {
        const named = keepsName(b.left, src) ? b.left : b.right;
        problems.push(`${src.slice(named.from, named.to)} keeps its metric name but the other side of "or" does not; drop it (e.g. * 1) so each label set is one series`);
      }
    },
  });
  return problems;
}

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

const LABEL_VALUES = /^label_values\(\s*(.+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s;

function queryText(v: LintVariable): string {
  if (typeof v.query === 'string') return v.query;
  const q = v.query?.query;
  return typeof q === 'string' ? q : '';
}

/** All problems of one dashboard; an empty list means it passes. */
export function lintDashboard(d: LintDashboard, catalog: Catalog): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: string, message: string, where?: string) => problems.push(where === undefined ? { rule, message } : { rule, where, message });
  const variables = d.templating.list ?? [];
  const defined = new Set(variables.map((v) => v.name));
  const multi = new Set(variables.filter((v) => v.multi || v.includeAll).map((v) => v.name));

  const checkVariablesExist = (text: string, where: string) => {
    for (const name of variablesUsed(text)) {
      if (!defined.has(name) && !BUILTIN_VARIABLES.has(name)) add('variable-defined', `uses $${name}, which is not a template variable of this dashboard`, where);
    }
  };
  /** Checks one expression; false when it does not parse or names what the catalog lacks. */
  const checkExpr = (expr: string, where: string): boolean => {
    try {
      checkQuery(catalog, expr, where);
    } catch (e) {
      if (!(e instanceof ObservatoryError)) throw e;
      add(/does not parse/.test(e.problem) ? 'query-parses' : 'query-catalog', e.problem, where);
      return false;
    }
    checkVariablesExist(expr, where);
    for (const s of selectorsOf(expr, where)) {
      for (const m of s.matchers) {
        const used = variablesUsed(m.value).filter((n) => multi.has(n));
        if (used.length > 0 && (m.op === '=' || m.op === '!=')) add('variable-regex', `${s.text}: multi-value $${used[0]} needs =~ or !~, not ${m.op}`, where);
      }
    }
    for (const p of rateWindowProblems(expr)) add('rate-interval', p, where);
    for (const p of orNameProblems(expr)) add('or-metric-name', p, where);
    return true;
  };

  // Variables: the datasource picker, and label_values queries over catalog series.
  const ds = variables.find((v) => v.name === DATASOURCE_VARIABLE);
  if (!ds || ds.type !== 'datasource' || ds.query !== 'prometheus') add('template-datasource', `needs a Prometheus datasource variable named "${DATASOURCE_VARIABLE}"`);
  for (const v of variables.filter((x) => x.type === 'query')) {
    const where = `variable "${v.name}"`;
    if (v.datasource?.uid !== DATASOURCE.uid) add('template-datasource', `must query the datasource variable (${DATASOURCE.uid}), not ${v.datasource?.uid ?? 'the default'}`, where);
    const text = queryText(v);
    const m = LABEL_VALUES.exec(text.trim());
    if (!m) {
      add('template-query', `query "${text}" is not label_values(<selector>, <label>)`, where);
      continue;
    }
    const [, selector, label] = m;
    if (!checkExpr(selector, where)) continue;
    for (const s of selectorsOf(selector, where)) {
      const info = catalog.series.get(s.metric);
      if (info && !info.labels.has(label)) add('template-query', `label_values: ${s.metric} has no label "${label}"`, where);
    }
  }

  const panels = allPanels(d);
  const ids = new Map<number, string>();
  const titles = new Set<string>();
  const placed: { name: string; pos: GridPos }[] = [];
  for (const p of panels) {
    const name = panelName(p);
    if (p.id === undefined) add('panel-id-unique', 'has no id', name);
    else if (ids.has(p.id)) add('panel-id-unique', `id ${p.id} is also used by ${ids.get(p.id)}`, name);
    else ids.set(p.id, name);

    const pos = p.gridPos;
    if (!pos) add('grid-position', 'has no gridPos', name);
    else if (pos.x < 0 || pos.y < 0 || pos.w <= 0 || pos.h <= 0 || pos.x + pos.w > GRID_COLUMNS) add('grid-position', `gridPos ${JSON.stringify(pos)} is outside the ${GRID_COLUMNS}-column grid`, name);
    else {
      const clash = placed.find((other) => overlaps(other.pos, pos));
      if (clash) add('grid-overlap', `overlaps ${clash.name}`, name);
      placed.push({ name, pos });
    }
    if (p.type === 'row') continue;

    if (!p.title || p.title.trim() === '') add('panel-title', 'has no title', name);
    else if (titles.has(p.title)) add('panel-title-unique', 'another panel has the same title (the review diff keys panels by title)', name);
    else titles.add(p.title);
    if (!p.fieldConfig?.defaults?.unit) add('panel-unit', 'has no unit', name);
    if (p.datasource?.uid !== DATASOURCE.uid) add('panel-datasource', `must use the datasource variable (${DATASOURCE.uid}), not ${p.datasource?.uid ?? 'the default'}`, name);
    const targets = p.targets ?? [];
    if (targets.length === 0) add('panel-targets', 'has no queries', name);
    for (const t of targets) {
      const tds = datasourceField(t);
      if (tds && tds.uid !== DATASOURCE.uid) add('panel-datasource', `query ${stringField(t, 'refId') ?? '?'} uses datasource ${tds.uid ?? '?'}`, name);
      const expr = stringField(t, 'expr');
      if (!expr) add('query-catalog', `query ${stringField(t, 'refId') ?? '?'} has no expr`, name);
      else if (checkExpr(expr, `${name}, query ${stringField(t, 'refId') ?? '?'}`) && (t as { exemplar?: unknown }).exemplar === true) {
        const traced = selectorsOf(expr).some((sel) => catalog.series.get(sel.metric)?.metric?.exemplarTraceLabel !== undefined);
        if (!traced) add('exemplar-source', `query ${stringField(t, 'refId') ?? '?'} asks for exemplars, but none of its series carries trace exemplars (catalog exemplarTraceLabel)`, name);
      }
    }
  }
  return problems;
}

/** Throws one ObservatoryError listing every problem; render calls it so no bad dashboard is written. */
export function assertDashboardLint(d: LintDashboard, catalog: Catalog): void {
  const problems = lintDashboard(d, catalog);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `[${p.rule}] ${p.where ? `${p.where}: ` : ''}${p.message}`);
  throw new ObservatoryError(`dashboard ${d.uid ?? d.title ?? '?'}`, `fails the dashboard lint:\n  ${lines.join('\n  ')}`);
}
