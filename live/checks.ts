/**
 * The live stack's second line of defence. Render already refuses metrics the catalog lacks; these
 * checks run the rendered artifacts against a real Prometheus and report every panel query,
 * template variable, recording rule and alert selector that finds nothing, naming the dashboard
 * panel or rule and the selectors that match no series (a catalog name the exporter does not
 * actually expose, a label value that never occurs, a variable that substitutes wrongly).
 */
import * as yaml from 'js-yaml';
import { selectorsOf } from '../catalog/checkQuery';
import { ObservatoryError } from '../catalog/errors';
import {
  applyVariableRegex, builtinVariables, dashboardUid, interpolate, panelQueries, parseVariableQuery, templateVariables, variableReplacement,
  type PanelQuery, type TimeSettings, type VariableSpec,
} from './grafanaQueries';
import type { PromClient, Sample } from './promClient';

/** What the checks ask of Prometheus; a PromClient over a time window (liveQueries) or a fake. */
export interface QuerySource {
  /** Series with at least one sample in the window (a Grafana range query). */
  rangeCount(expr: string): Promise<number>;
  /** Instant query at the end of the window. */
  instant(expr: string): Promise<Sample[]>;
  /** Values of a label, of the series `match` selects (default: all series). */
  labelValues(label: string, match?: string): Promise<string[]>;
  /** Label names, of the series `match` selects (default: all series). */
  labelNames(match?: string): Promise<string[]>;
}

export interface Problem {
  readonly where: string;
  readonly message: string;
}

export interface CheckResult {
  readonly problems: readonly Problem[];
  /** How many queries were checked, so "no problems" over nothing can be told apart. */
  readonly checked: number;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `- ${p.where}: ${p.message}`).join('\n');
}

/** Time window [now - rangeSeconds, now] re-read at each call, so polling sees new data. */
export function liveQueries(client: PromClient, rangeSeconds: number, stepSeconds: number): QuerySource {
  const window = () => {
    const end = Date.now() / 1000;
    return { start: end - rangeSeconds, end };
  };
  return {
    rangeCount: async (expr) => {
      const { start, end } = window();
      return (await client.queryRange(expr, start, end, stepSeconds)).filter((s) => s.values.length > 0).length;
    },
    instant: (expr) => client.query(expr),
    labelValues: (label, match) => {
      const { start, end } = window();
      return client.labelValues(label, start, end, match);
    },
    labelNames: (match) => {
      const { start, end } = window();
      return client.labelNames(start, end, match);
    },
  };
}

/** Selectors of an expression that match no series, as "a, b"; a parse failure says so. */
async function emptySelectors(expr: string, count: (selector: string) => Promise<number>): Promise<string> {
  let selectors: string[];
  try {
    selectors = [...new Set(selectorsOf(expr).map((s) => s.text))];
  } catch (e) {
    return `(the query does not parse: ${(e as Error).message})`;
  }
  const empty: string[] = [];
  for (const s of selectors) if ((await count(s)) === 0) empty.push(s);
  return empty.length > 0 ? `selector(s) matching no series: ${empty.join(', ')}` : 'every selector matches series, but the whole expression returns nothing';
}

async function resolveVariable(v: VariableSpec, q: QuerySource, values: Record<string, string>, where: string): Promise<string[]> {
  switch (v.type) {
    case 'constant':
    case 'textbox':
      return [v.current?.[0] ?? v.query];
    case 'custom':
    case 'interval':
      return v.query
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => (s === 'auto' ? values.__interval : s));
    case 'query':
      break;
    default:
      throw new ObservatoryError(where, `variable type "${v.type}" is not supported by the live check`);
  }
  const parsed = parseVariableQuery(interpolate(v.query, values, where), where);
  let raw: string[];
  if (parsed.kind === 'label_values') {
    raw = await q.labelValues(parsed.label, parsed.match);
  } else if (parsed.kind === 'label_names') {
    raw = await q.labelNames(parsed.match);
  } else if (parsed.kind === 'metrics') {
    const re = new RegExp(parsed.regex);
    raw = (await q.labelValues('__name__')).filter((n) => re.test(n));
  } else {
    // query_result: each series rendered as Grafana shows it, `name{labels} value timestamp`.
    raw = (await q.instant(parsed.expr)).map((s) => {
      const { __name__: name = '', ...labels } = s.metric;
      const l = Object.entries(labels).map(([k, x]) => `${k}="${x}"`).join(', ');
      return `${name}{${l}} ${s.value}`;
    });
  }
  return applyVariableRegex(v.regex, raw).sort();
}

/** Memoised range counts: one dashboard check asks for the same selector many times. */
function counter(q: QuerySource): (expr: string) => Promise<number> {
  const counts = new Map<string, Promise<number>>();
  return (expr) => {
    if (!counts.has(expr)) counts.set(expr, q.rangeCount(expr));
    return counts.get(expr)!;
  };
}

export interface ResolvedVariables extends CheckResult {
  /** Variable name -> the text Grafana substitutes (built-ins included). */
  readonly values: Readonly<Record<string, string>>;
}

/** Runs a dashboard's template variable queries in order and reports each that finds nothing. */
export async function resolveVariables(dashboard: unknown, q: QuerySource, time: TimeSettings): Promise<ResolvedVariables> {
  const uid = dashboardUid(dashboard);
  const count = counter(q);
  const problems: Problem[] = [];
  const values: Record<string, string> = { ...builtinVariables(time) };
  let checked = 0;
  for (const v of templateVariables(dashboard)) {
    const where = `dashboard ${uid} variable $${v.name}`;
    if (v.type === 'datasource') {
      values[v.name] = v.current?.[0] ?? 'prometheus';
      continue;
    }
    if (v.type === 'adhoc') continue;
    checked++;
    try {
      const options = await resolveVariable(v, q, values, where);
      if (options.length === 0) {
        const parsed = v.type === 'query' ? parseVariableQuery(interpolate(v.query, values, where), where) : undefined;
        const why = parsed?.kind === 'label_values' && parsed.match ? `; ${await emptySelectors(parsed.match, count)}` : '';
        problems.push({ where, message: `query ${v.query} returns no values${why}` });
        values[v.name] = '';
        continue;
      }
      values[v.name] = variableReplacement(v, options);
    } catch (e) {
      problems.push({ where, message: (e as Error).message });
      values[v.name] = '';
    }
  }
  return { problems, checked, values };
}

/**
 * One panel query with the variables substituted: it must return data, and every selector in it
 * must match series (a fallback such as `x or vector(0)` keeps a panel drawing when x is wrong).
 * `count` memoises range counts across queries; default: a fresh one for this query.
 */
export async function checkPanelQuery(pq: PanelQuery, values: Readonly<Record<string, string>>, q: QuerySource, count = counter(q)): Promise<Problem[]> {
  const where = `dashboard ${pq.dashboardUid} panel "${pq.panelTitle}"${pq.panelId === undefined ? '' : ` (id ${pq.panelId})`} query ${pq.refId}`;
  try {
    const expr = interpolate(pq.expr, values, where);
    if ((await count(expr)) === 0) return [{ where, message: `no data for ${expr}; ${await emptySelectors(expr, count)}` }];
    const problems: Problem[] = [];
    for (const s of new Set(selectorsOf(expr, where).map((x) => x.text))) {
      if ((await count(s)) === 0) problems.push({ where, message: `selector ${s} matches no series (the query still returns data through another branch)` });
    }
    return problems;
  } catch (e) {
    return [{ where, message: (e as Error).message }];
  }
}

/**
 * Runs every template variable query and every panel query of a dashboard as Grafana would and
 * reports each one that returns no data, and each selector in a panel query that matches no
 * series even though the query as a whole returns data.
 */
export async function checkDashboard(dashboard: unknown, q: QuerySource, time: TimeSettings): Promise<CheckResult> {
  const vars = await resolveVariables(dashboard, q, time);
  const problems = [...vars.problems];
  const count = counter(q);
  const queries = panelQueries(dashboard);
  for (const pq of queries) problems.push(...(await checkPanelQuery(pq, vars.values, q, count)));
  return { problems, checked: vars.checked + queries.length };
}

export interface RuleSpec {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
}
export interface RuleGroupSpec {
  readonly file: string;
  readonly name: string;
  readonly rules: readonly RuleSpec[];
}

/** The groups of one Prometheus rule file. */
export function parseRuleFile(file: string, text: string): RuleGroupSpec[] {
  const doc = yaml.load(text) as { groups?: { name?: string; rules?: RuleSpec[] }[] } | undefined;
  if (!doc || !Array.isArray(doc.groups)) throw new ObservatoryError(file, 'is not a rule file (no groups list)');
  return doc.groups.map((g, i) => {
    if (typeof g.name !== 'string' || !Array.isArray(g.rules)) throw new ObservatoryError(`${file} groups[${i}]`, 'needs a name and a rules list');
    return { file, name: g.name, rules: g.rules };
  });
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The selector of a recording rule's output: its name plus the labels the rule adds. */
export function recordedSelector(rule: RuleSpec): string {
  const matchers = Object.entries(rule.labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${rule.record}${matchers.length ? `{${matchers.join(',')}}` : ''}`;
}

async function instantCount(q: QuerySource, expr: string): Promise<number> {
  return (await q.instant(expr)).length;
}

/** Every recording rule must produce series now, and every selector it reads must match series. */
export async function checkRecordingRules(groups: readonly RuleGroupSpec[], q: QuerySource): Promise<CheckResult> {
  const problems: Problem[] = [];
  let checked = 0;
  const count = (s: string) => instantCount(q, s);
  for (const g of groups) {
    for (const r of g.rules) {
      if (!r.record) continue;
      checked++;
      const selector = recordedSelector(r);
      const where = `rule file ${g.file}, group ${g.name}, record ${selector}`;
      if ((await count(selector)) === 0) {
        problems.push({ where, message: `produces no series; ${await emptySelectors(r.expr, count)}` });
        continue;
      }
      for (const s of new Set(selectorsOf(r.expr, where).map((x) => x.text))) {
        if ((await count(s)) === 0) problems.push({ where, message: `selector ${s} matches no series (the rule still produces series through another branch)` });
      }
    }
  }
  return { problems, checked };
}

/** Every vector selector of every alert rule must match series now. */
export async function checkAlertSelectors(groups: readonly RuleGroupSpec[], q: QuerySource): Promise<CheckResult> {
  const problems: Problem[] = [];
  const counts = new Map<string, number>();
  let checked = 0;
  for (const g of groups) {
    for (const r of g.rules) {
      if (!r.alert) continue;
      const where = `rule file ${g.file}, group ${g.name}, alert ${r.alert}`;
      let selectors: string[];
      try {
        selectors = [...new Set(selectorsOf(r.expr, where).map((s) => s.text))];
      } catch (e) {
        problems.push({ where, message: (e as Error).message });
        continue;
      }
      for (const s of selectors) {
        checked++;
        if (!counts.has(s)) counts.set(s, await instantCount(q, s));
        if (counts.get(s) === 0) problems.push({ where, message: `selector ${s} matches no series` });
      }
    }
  }
  return { problems, checked };
}
