/**
 * The report for a pull request: a verdict, the failing and warning rows named one per line, and
 * the full table (service, route, metric, baseline, now, change, level, budget) in GitHub Markdown.
 */
import type { Baseline } from './baseline';
import type { Metric, Row } from './compare';

export interface ReportContext {
  readonly stack: string;
  readonly window: string;
  /** ISO 8601 end of the window. */
  readonly end: string;
  /** The baseline compared with and where it came from; absent without --baseline. */
  readonly baseline?: { readonly file: string; readonly data: Baseline };
}

const METRIC_NAMES: Record<Metric, string> = { p50: 'p50', p95: 'p95', p99: 'p99', errorRatio: 'error ratio', throughput: 'throughput' };

function digits(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

export function formatValue(metric: Metric, v: number | null): string {
  if (v === null) return '–';
  if (metric === 'errorRatio') return `${(v * 100).toFixed(2)}%`;
  if (metric === 'throughput') return `${digits(v)} req/s`;
  return v < 1 ? `${digits(v * 1000)} ms` : `${v.toPrecision(3)} s`;
}

export function formatChange(change: number | null): string {
  if (change === null) return '–';
  const pct = (change * 100).toFixed(1);
  return change > 0 ? `+${pct}%` : `${pct === '-0.0' ? '0.0' : pct}%`;
}

function formatBudget(r: Row): string {
  if (!r.budget) return '';
  const limit = `${r.budget.kind === 'max' ? '<=' : '>='} ${formatValue(r.metric, r.budget.limit)}`;
  if (!r.budget.checked) return `${limit} (not checked)`;
  return r.budget.broken ? `${limit}: **${r.budget.action}**` : `${limit}: ok`;
}

/** A table cell: pipes escaped, labels as code so `*` or `_` in a route stay literal. */
function code(s: string): string {
  return `\`${s.replace(/\|/g, '\\|')}\``;
}

function why(r: Row): string {
  const parts: string[] = [];
  if (r.change !== null && r.level !== 'none' && r.level !== 'improvement') {
    parts.push(`${formatChange(r.change)} against ${formatValue(r.metric, r.baseline)} (${r.level})`);
  }
  if (r.budget?.broken) parts.push(`budget ${r.budget.kind === 'max' ? '<=' : '>='} ${formatValue(r.metric, r.budget.limit)} broken (${r.budget.action})`);
  return `${code(r.service)} ${code(r.route)} ${METRIC_NAMES[r.metric]} ${formatValue(r.metric, r.now)}: ${parts.join('; ')}`;
}

export function markdownReport(rows: readonly Row[], ctx: ReportContext): string {
  const failing = rows.filter((r) => r.verdict === 'fail');
  const warning = rows.filter((r) => r.verdict === 'warn');
  const lines: string[] = [];
  lines.push(`## Performance budget: ${failing.length > 0 ? 'FAIL' : 'PASS'}`, '');
  const against = ctx.baseline
    ? `; baseline ${code(ctx.baseline.file)} (stack ${code(ctx.baseline.data.stack)}, window ${ctx.baseline.data.window} ending ${ctx.baseline.data.end})`
    : '; no baseline (budgets only)';
  lines.push(`Stack ${code(ctx.stack)}, window ${ctx.window} ending ${ctx.end}${against}.`, '');
  if (ctx.baseline && ctx.baseline.data.window !== ctx.window) {
    lines.push(`Note: the baseline's window (${ctx.baseline.data.window}) differs from this one (${ctx.window}); throughput and quantiles compare, request counts do not.`, '');
  }
  lines.push(`${failing.length} failing, ${warning.length} warning, ${rows.length - failing.length - warning.length} passing.`, '');
  for (const r of failing) lines.push(`- **fail** ${why(r)}`);
  for (const r of warning) lines.push(`- **warn** ${why(r)}`);
  if (failing.length + warning.length > 0) lines.push('');
  lines.push('| service | route | metric | baseline | now | change | level | budget |', '|---|---|---|---:|---:|---:|---|---|');
  for (const r of rows) {
    lines.push(
      `| ${code(r.service)} | ${code(r.route)} | ${METRIC_NAMES[r.metric]} | ${formatValue(r.metric, r.baseline)} | ${formatValue(r.metric, r.now)} | ${formatChange(r.change)} | ${r.level} | ${formatBudget(r)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
