/**
 * What changed between two sets of rendered artifacts, in reviewer terms: per dashboard the panels
 * added, removed or moved, queries, units and thresholds changed; per rule file the rules added,
 * removed or changed (expression, `for`, severity). Pure: callers pass file contents (cli/diff.ts
 * reads them from git and the working tree; tests pass fixtures).
 */
import * as yaml from 'js-yaml';
import { ObservatoryError } from '../catalog/errors';

/** Rendered files by path relative to generated/, e.g. "dev/dashboards/obs-api-performance.json". */
export type FileSet = ReadonlyMap<string, string>;

export interface Grid {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type DashboardChange =
  | { readonly kind: 'panel-added'; readonly panel: string }
  | { readonly kind: 'panel-removed'; readonly panel: string }
  | { readonly kind: 'panel-moved'; readonly panel: string; readonly before: Grid; readonly after: Grid }
  | { readonly kind: 'query-added'; readonly panel: string; readonly refId: string; readonly expr: string }
  | { readonly kind: 'query-removed'; readonly panel: string; readonly refId: string; readonly expr: string }
  | { readonly kind: 'query-changed'; readonly panel: string; readonly refId: string; readonly before: string; readonly after: string }
  | { readonly kind: 'unit-changed'; readonly panel: string; readonly before: string; readonly after: string }
  | { readonly kind: 'thresholds-changed'; readonly panel: string; readonly before: string; readonly after: string }
  | { readonly kind: 'variable-changed'; readonly variable: string; readonly before: string; readonly after: string }
  /** Anything else that changed (legend, display options, links, ...), as JSON paths. */
  | { readonly kind: 'settings-changed'; readonly scope: 'dashboard' | 'panel' | 'variable'; readonly name: string; readonly paths: readonly string[] };

/** `annotations` lists the annotation keys that changed (in `after`; `before` is empty). */
export type RuleField = 'expression' | 'for' | 'severity' | 'annotations';

export type RuleChange =
  | { readonly kind: 'rule-added'; readonly group: string; readonly rule: string; readonly expr: string }
  | { readonly kind: 'rule-removed'; readonly group: string; readonly rule: string }
  | { readonly kind: 'rule-changed'; readonly group: string; readonly rule: string; readonly fields: readonly { readonly field: RuleField; readonly before: string; readonly after: string }[] }
  | { readonly kind: 'groups-changed' };

export type FileStatus = 'added' | 'removed' | 'changed';

export interface DashboardDiff {
  readonly type: 'dashboard';
  /** Path relative to the stack directory, e.g. dashboards/obs-api-performance.json. */
  readonly path: string;
  readonly stack: string;
  readonly title: string;
  readonly status: FileStatus;
  readonly changes: readonly DashboardChange[];
}

export interface RuleFileDiff {
  readonly type: 'rules';
  readonly path: string;
  readonly stack: string;
  readonly status: FileStatus;
  readonly changes: readonly RuleChange[];
}

export interface OtherFileDiff {
  readonly type: 'other';
  readonly path: string;
  readonly stack: string;
  readonly status: FileStatus;
}

export type FileDiff = DashboardDiff | RuleFileDiff | OtherFileDiff;

/** Names the two sides in error messages, e.g. `main` and `working tree`. Default: before/after. */
export interface SideNames {
  readonly before: string;
  readonly after: string;
}

// ---- reading dashboards ------------------------------------------------------------------------

interface PanelInfo {
  readonly title: string;
  readonly grid: Grid;
  readonly unit: string;
  readonly thresholds: string;
  readonly queries: ReadonlyMap<string, string>;
  /** The rest of the panel (legend, options, colours, ...), for "settings changed". */
  readonly rest: Json;
}

interface VariableInfo {
  readonly query: string;
  readonly rest: Json;
}

interface DashboardInfo {
  readonly title: string;
  readonly panels: ReadonlyMap<string, PanelInfo>;
  readonly variables: ReadonlyMap<string, VariableInfo>;
  /** Dashboard-level settings (links, tags, time, ...). */
  readonly rest: Json;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function without(o: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

/**
 * Where two JSON values differ, as paths (`options.legend`, `targets[A].legendFormat`), at most
 * `depth` levels deep (default 3): enough to say what changed without dumping the values.
 * `prefix` (default: none) is the path of the values themselves.
 */
export function changedPaths(before: unknown, after: unknown, depth = 3, prefix = ''): string[] {
  if (canonical(before) === canonical(after)) return [];
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (depth > 1 && isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], depth - 1, join(k)));
  }
  const byRef = (v: unknown) => (Array.isArray(v) && v.every((x) => isObject(x) && typeof x.refId === 'string') ? new Map(objects(v).map((x) => [str(x.refId), x])) : undefined);
  const b = byRef(before);
  const a = byRef(after);
  if (depth > 1 && a && b) {
    const refs = [...new Set([...b.keys(), ...a.keys()])].sort();
    return refs.flatMap((r) => changedPaths(b.get(r), a.get(r), depth - 1, `${prefix}[${r}]`));
  }
  return [prefix || '(value)'];
}

/** Threshold steps as one readable line: `base green, 0.2 orange, 0.5 red`. */
export function formatThresholds(thresholds: unknown): string {
  if (!isObject(thresholds)) return '(none)';
  const steps = objects(thresholds.steps).map((s) => `${s.value === null || s.value === undefined ? 'base' : str(s.value)} ${str(s.color)}`);
  const mode = thresholds.mode === 'percentage' ? ' (percentage)' : '';
  return steps.length > 0 ? `${steps.join(', ')}${mode}` : '(none)';
}

function gridOf(p: Json): Grid {
  const g = isObject(p.gridPos) ? p.gridPos : {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { x: n(g.x), y: n(g.y), w: n(g.w), h: n(g.h) };
}

/** The panel minus what the diff reports on its own (position, queries, unit, thresholds, id). */
function panelRest(p: Json): Json {
  const fieldConfig = isObject(p.fieldConfig) ? p.fieldConfig : {};
  const defaults = isObject(fieldConfig.defaults) ? fieldConfig.defaults : {};
  return {
    ...without(p, ['id', 'title', 'gridPos', 'targets', 'fieldConfig']),
    fieldConfig: { ...fieldConfig, defaults: without(defaults, ['unit', 'thresholds']) },
    targets: objects(p.targets).map((t) => without(t, ['expr'])),
  };
}

function parseDashboard(text: string, where: string): DashboardInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ObservatoryError(where, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new ObservatoryError(where, 'is not a dashboard (expected a JSON object)');
  if (raw.panels !== undefined && !Array.isArray(raw.panels)) throw new ObservatoryError(where, 'is not a dashboard ("panels" is not a list)');
  const flat: Json[] = [];
  for (const p of objects(raw.panels)) {
    flat.push(p);
    flat.push(...objects(p.panels));
  }
  const panels = new Map<string, PanelInfo>();
  for (const p of flat) {
    if (p.type === 'row') continue;
    const title = str(p.title) || `(untitled, id ${str(p.id)})`;
    const key = panels.has(title) ? `${title} (id ${str(p.id)})` : title;
    const defaults = isObject(p.fieldConfig) && isObject(p.fieldConfig.defaults) ? p.fieldConfig.defaults : {};
    const queries = new Map<string, string>();
    objects(p.targets).forEach((t, i) => queries.set(str(t.refId) || `#${i + 1}`, str(t.expr)));
    panels.set(key, { title: key, grid: gridOf(p), unit: str(defaults.unit), thresholds: formatThresholds(defaults.thresholds), queries, rest: panelRest(p) });
  }
  const variables = new Map<string, VariableInfo>();
  const templating = isObject(raw.templating) ? raw.templating : {};
  for (const v of objects(templating.list)) {
    const q = isObject(v.query) ? v.query.query : v.query;
    variables.set(str(v.name), { query: `${str(v.type)}: ${str(q)}`, rest: without(v, ['name', 'query', 'definition']) });
  }
  // Rows are layout: their titles and positions count as dashboard settings.
  const rows = objects(raw.panels).filter((p) => p.type === 'row').map((p) => ({ title: p.title, gridPos: p.gridPos }));
  return { title: str(raw.title), panels, variables, rest: { ...without(raw, ['panels', 'templating']), rows } };
}

function sameGrid(a: Grid, b: Grid): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

const EMPTY_DASHBOARD: DashboardInfo = { title: '', panels: new Map(), variables: new Map(), rest: {} };

function diffDashboard(before: DashboardInfo, after: DashboardInfo): DashboardChange[] {
  const changes: DashboardChange[] = [];
  const settings = changedPaths(before.rest, after.rest, 2);
  if (settings.length > 0) changes.push({ kind: 'settings-changed', scope: 'dashboard', name: after.title || before.title, paths: settings });
  for (const key of before.panels.keys()) if (!after.panels.has(key)) changes.push({ kind: 'panel-removed', panel: key });
  for (const [key, a] of after.panels) {
    const b = before.panels.get(key);
    if (!b) {
      changes.push({ kind: 'panel-added', panel: key });
      continue;
    }
    if (!sameGrid(a.grid, b.grid)) changes.push({ kind: 'panel-moved', panel: key, before: b.grid, after: a.grid });
    for (const [refId, expr] of b.queries) if (!a.queries.has(refId)) changes.push({ kind: 'query-removed', panel: key, refId, expr });
    for (const [refId, expr] of a.queries) {
      const old = b.queries.get(refId);
      if (old === undefined) changes.push({ kind: 'query-added', panel: key, refId, expr });
      else if (old !== expr) changes.push({ kind: 'query-changed', panel: key, refId, before: old, after: expr });
    }
    if (a.unit !== b.unit) changes.push({ kind: 'unit-changed', panel: key, before: b.unit || '(none)', after: a.unit || '(none)' });
    if (a.thresholds !== b.thresholds) changes.push({ kind: 'thresholds-changed', panel: key, before: b.thresholds, after: a.thresholds });
    const rest = changedPaths(b.rest, a.rest, 4);
    if (rest.length > 0) changes.push({ kind: 'settings-changed', scope: 'panel', name: key, paths: rest });
  }
  const names = [...new Set([...before.variables.keys(), ...after.variables.keys()])];
  for (const name of names) {
    const b = before.variables.get(name);
    const a = after.variables.get(name);
    if ((a?.query ?? '(none)') !== (b?.query ?? '(none)')) changes.push({ kind: 'variable-changed', variable: name, before: b?.query ?? '(none)', after: a?.query ?? '(none)' });
    if (a && b) {
      const rest = changedPaths(b.rest, a.rest, 2);
      if (rest.length > 0) changes.push({ kind: 'settings-changed', scope: 'variable', name, paths: rest });
    }
  }
  return changes;
}

// ---- reading rule files ------------------------------------------------------------------------

interface RuleInfo {
  readonly expr: string;
  readonly for: string;
  readonly severity: string;
  readonly annotations: Json;
}

interface RuleFile {
  /** Rules by group, then by `alert X{labels}` / `record Y{labels}` (labels other than severity). */
  readonly groups: ReadonlyMap<string, ReadonlyMap<string, RuleInfo>>;
  /** The whole file, canonical, to notice changes the per-rule view does not show (order, intervals). */
  readonly canonical: string;
}

const EMPTY_RULE_FILE: RuleFile = { groups: new Map(), canonical: '' };

function labelText(labels: Json, skip: readonly string[]): string {
  const parts = Object.keys(labels)
    .filter((k) => !skip.includes(k))
    .sort()
    .map((k) => `${k}="${str(labels[k])}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function parseRuleFile(text: string, where: string): RuleFile {
  let raw: unknown;
  try {
    raw = yaml.load(text);
  } catch (e) {
    throw new ObservatoryError(where, `is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObject(raw) || !Array.isArray(raw.groups)) throw new ObservatoryError(where, 'is not a Prometheus rule file (expected a "groups" list)');
  const groups = new Map<string, Map<string, RuleInfo>>();
  for (const g of objects(raw.groups)) {
    const byKey = new Map<string, RuleInfo>();
    objects(g.rules).forEach((r, i) => {
      const labels = isObject(r.labels) ? r.labels : {};
      const name = r.alert !== undefined ? `alert ${str(r.alert)}` : `record ${str(r.record)}`;
      // Labels are part of the key (quantile recordings share a name), except severity, which is a
      // property of the rule the diff reports; it only tells apart rules equal in everything else.
      let key = `${name}${labelText(labels, ['severity'])}`;
      if (byKey.has(key)) key = `${name}${labelText(labels, [])}`;
      if (byKey.has(key)) key = `${key} #${i + 1}`;
      byKey.set(key, { expr: str(r.expr).trim(), for: str(r.for), severity: str(labels.severity), annotations: isObject(r.annotations) ? r.annotations : {} });
    });
    groups.set(str(g.name), byKey);
  }
  return { groups, canonical: canonical(raw) };
}

function diffRuleFiles(before: RuleFile, after: RuleFile): RuleChange[] {
  const changes: RuleChange[] = [];
  const groupNames = [...new Set([...before.groups.keys(), ...after.groups.keys()])];
  for (const group of groupNames) {
    const b = before.groups.get(group) ?? new Map<string, RuleInfo>();
    const a = after.groups.get(group) ?? new Map<string, RuleInfo>();
    for (const rule of b.keys()) if (!a.has(rule)) changes.push({ kind: 'rule-removed', group, rule });
    for (const [rule, info] of a) {
      const old = b.get(rule);
      if (!old) {
        changes.push({ kind: 'rule-added', group, rule, expr: info.expr });
        continue;
      }
      const fields: { field: RuleField; before: string; after: string }[] = [];
      if (old.expr !== info.expr) fields.push({ field: 'expression', before: old.expr, after: info.expr });
      if (old.for !== info.for) fields.push({ field: 'for', before: old.for || '(none)', after: info.for || '(none)' });
      if (old.severity !== info.severity) fields.push({ field: 'severity', before: old.severity || '(none)', after: info.severity || '(none)' });
      const annotations = changedPaths(old.annotations, info.annotations, 2);
      if (annotations.length > 0) fields.push({ field: 'annotations', before: '', after: annotations.join(', ') });
      if (fields.length > 0) changes.push({ kind: 'rule-changed', group, rule, fields });
    }
  }
  // Same rules, but the file still differs: rule order (later recordings read earlier ones) or
  // group settings such as `interval`.
  if (changes.length === 0 && before.canonical !== after.canonical) changes.push({ kind: 'groups-changed' });
  return changes;
}

// ---- whole file sets ---------------------------------------------------------------------------

const DASHBOARD_PATH = /^dashboards\/[^/]+\.json$/;
const RULES_PATH = /^prometheus\/rules\/[^/]+\.ya?ml$/;

function splitStack(path: string): { stack: string; rel: string } {
  const i = path.indexOf('/');
  return i < 0 ? { stack: '', rel: path } : { stack: path.slice(0, i), rel: path.slice(i + 1) };
}

/** Every changed file between two rendered trees, sorted by path (stack first). */
export function diffFileSets(before: FileSet, after: FileSet, sides: SideNames = { before: 'before', after: 'after' }): FileDiff[] {
  const out: FileDiff[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    if (b === a) continue;
    const status: FileStatus = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
    const { stack, rel } = splitStack(path);
    const where = (side: keyof SideNames) => `${sides[side]}: generated/${path}`;
    if (DASHBOARD_PATH.test(rel)) {
      const bd = b === undefined ? EMPTY_DASHBOARD : parseDashboard(b, where('before'));
      const ad = a === undefined ? EMPTY_DASHBOARD : parseDashboard(a, where('after'));
      // A new dashboard lists its panels; a removed one is just removed.
      const changes = status === 'removed' ? [] : diffDashboard(bd, ad).filter((c) => status === 'changed' || c.kind === 'panel-added');
      if (status === 'changed' && changes.length === 0) continue; // key order or whitespace only
      out.push({ type: 'dashboard', path: rel, stack, title: ad.title || bd.title, status, changes });
    } else if (RULES_PATH.test(rel)) {
      const br = b === undefined ? EMPTY_RULE_FILE : parseRuleFile(b, where('before'));
      const ar = a === undefined ? EMPTY_RULE_FILE : parseRuleFile(a, where('after'));
      const changes = diffRuleFiles(br, ar);
      if (status === 'changed' && changes.length === 0) continue; // comments or key order only
      out.push({ type: 'rules', path: rel, stack, status, changes });
    } else {
      out.push({ type: 'other', path: rel, stack, status });
    }
  }
  return out;
}
