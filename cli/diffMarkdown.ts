/**
 * Renders artifact changes (cli/artifactDiff.ts) as Markdown for a pull-request comment. A change
 * made the same way in several stacks is listed once, with the stacks it applies to.
 */
import type { DashboardChange, FileDiff, Grid, RuleChange } from './artifactDiff';

function code(text: string): string {
  return `\`${text}\``;
}

function grid(g: Grid): string {
  return `x=${g.x} y=${g.y} ${g.w}x${g.h}`;
}

/** A fenced block inside a list item (indented under it). */
function fenced(lang: string, lines: readonly string[], indent: string): string[] {
  return [`${indent}\`\`\`${lang}`, ...lines.map((l) => `${indent}${l}`), `${indent}\`\`\``];
}

function exprDiff(before: string, after: string, indent: string): string[] {
  return fenced('diff', [`- ${before}`, `+ ${after}`], indent);
}

function dashboardChangeLines(c: DashboardChange): string[] {
  switch (c.kind) {
    case 'panel-added':
      return [`- Panel added: **${c.panel}**`];
    case 'panel-removed':
      return [`- Panel removed: **${c.panel}**`];
    case 'panel-moved':
      return [`- Panel moved: **${c.panel}**: ${grid(c.before)} → ${grid(c.after)}`];
    case 'query-added':
      return [`- Query added: **${c.panel}**, query ${c.refId}`, ...fenced('promql', [c.expr], '  ')];
    case 'query-removed':
      return [`- Query removed: **${c.panel}**, query ${c.refId}`, ...fenced('promql', [c.expr], '  ')];
    case 'query-changed':
      return [`- Query changed: **${c.panel}**, query ${c.refId}`, ...exprDiff(c.before, c.after, '  ')];
    case 'unit-changed':
      return [`- Unit changed: **${c.panel}**: ${code(c.before)} → ${code(c.after)}`];
    case 'thresholds-changed':
      return [`- Thresholds changed: **${c.panel}**: ${code(c.before)} → ${code(c.after)}`];
    case 'variable-changed':
      return [`- Variable changed: ${code(c.variable)}: ${code(c.before)} → ${code(c.after)}`];
    case 'settings-changed': {
      const paths = c.paths.map(code).join(', ');
      if (c.scope === 'dashboard') return [`- Dashboard settings changed: ${paths}`];
      if (c.scope === 'variable') return [`- Variable settings changed: ${code(c.name)}: ${paths}`];
      return [`- Panel settings changed: **${c.name}**: ${paths}`];
    }
  }
}

function ruleFieldLines(f: { readonly field: string; readonly before: string; readonly after: string }): string[] {
  if (f.field === 'expression') return ['  - expression:', ...exprDiff(f.before, f.after, '    ')];
  if (f.field === 'annotations') return [`  - annotations changed: ${f.after.split(', ').map(code).join(', ')}`];
  return [`  - ${f.field}: ${code(f.before)} → ${code(f.after)}`];
}

function ruleChangeLines(c: RuleChange): string[] {
  if (c.kind === 'groups-changed') return ['- Rule order or group settings changed'];
  const where = `${code(c.rule)} (group ${code(c.group)})`;
  switch (c.kind) {
    case 'rule-added':
      return [`- Rule added: ${where}`, ...fenced('promql', [c.expr], '  ')];
    case 'rule-removed':
      return [`- Rule removed: ${where}`];
    case 'rule-changed':
      return [`- Rule changed: ${where}`, ...c.fields.flatMap(ruleFieldLines)];
  }
}

const STATUS_PREFIX = { added: 'New: ', removed: 'Removed: ', changed: '' } as const;

interface Section {
  readonly heading: string;
  readonly body: readonly string[];
  readonly stacks: string[];
}

function sectionOf(d: FileDiff): { heading: string; body: string[] } {
  switch (d.type) {
    case 'dashboard':
      return { heading: `${STATUS_PREFIX[d.status]}${d.title || d.path} (${code(d.path)})`, body: d.changes.flatMap(dashboardChangeLines) };
    case 'rules':
      return { heading: `${STATUS_PREFIX[d.status]}${code(d.path)}`, body: d.changes.flatMap(ruleChangeLines) };
    case 'other':
      return { heading: `${code(d.path)} ${d.status}`, body: [] };
  }
}

/** Merges identical sections of different stacks, keeping first-seen order. */
function group(diffs: readonly FileDiff[]): Section[] {
  const sections: Section[] = [];
  for (const d of diffs) {
    const { heading, body } = sectionOf(d);
    const same = sections.find((s) => s.heading === heading && s.body.join('\n') === body.join('\n'));
    if (same) same.stacks.push(d.stack);
    else sections.push({ heading, body, stacks: [d.stack] });
  }
  return sections;
}

function byPath(a: FileDiff, b: FileDiff): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0;
}

/**
 * The Markdown summary. `before` and `after` name the two sides in the title (e.g. the git ref
 * and "working tree").
 */
export function formatDiffMarkdown(diffs: readonly FileDiff[], before: string, after: string): string {
  const lines = [`## Rendered artifact changes: ${code(before)} → ${after}`, ''];
  if (diffs.length === 0) return `${[...lines, 'No changes to the rendered dashboards, rules or other artifacts.'].join('\n')}\n`;
  const parts: [string, FileDiff['type']][] = [
    ['Dashboards', 'dashboard'],
    ['Rule files', 'rules'],
  ];
  for (const [title, type] of parts) {
    const sections = group(diffs.filter((d) => d.type === type).sort(byPath));
    if (sections.length === 0) continue;
    lines.push(`### ${title}`, '');
    for (const s of sections) {
      lines.push(`#### ${s.heading} · ${s.stacks.join(', ')}`, '');
      if (s.body.length > 0) lines.push(...s.body, '');
    }
  }
  const others = group(diffs.filter((d) => d.type === 'other').sort(byPath));
  if (others.length > 0) {
    lines.push('### Other files', '');
    for (const s of others) lines.push(`- ${s.heading} · ${s.stacks.join(', ')}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
