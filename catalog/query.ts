/**
 * Typed PromQL on top of @grafana/promql-builder. Dashboards and rules build every expression
 * through these handles, so naming a metric the catalog lacks is impossible (handles exist only for
 * catalog entries) and naming a label the series lacks is a compile error for literal names and a
 * render-time ObservatoryError otherwise.
 */
import * as pb from '@grafana/promql-builder';
import type { Builder, Expr } from '@grafana/promql-builder';
import { ObservatoryError } from './errors';
import { promqlText } from './promqlText';
import { TARGET_LABELS, type MetricSpec, type TargetLabel } from './types';

/** `"x"` is equality; the object forms are !=, =~ and !~. */
export type Matcher = string | { readonly ne: string } | { readonly re: string } | { readonly nre: string };
export type Matchers<L extends string> = { readonly [K in L]?: Matcher };

/** A PromQL expression together with the labels its result series carry. */
export class Query<L extends string> implements Builder<Expr> {
  constructor(
    readonly builder: Builder<Expr>,
    readonly labels: readonly L[],
  ) {}
  build(): Expr {
    return this.builder.build();
  }
  /** The expression as Prometheus's printer writes it: parentheses only where precedence needs them. */
  toString(): string {
    return promqlText(this.builder.build());
  }
}

/** A range-vector selection (`metric{...}[window]`), only usable as a function argument. */
export class RangeQuery<L extends string> {
  constructor(
    readonly builder: pb.VectorExprBuilder,
    readonly labels: readonly L[],
  ) {}
}

/** A selectable series family: a catalog metric, one series of a histogram, or a recorded series. */
export class SeriesHandle<L extends string> {
  constructor(
    readonly name: string,
    readonly labels: readonly L[],
    /** Allowed values of bounded labels, used to reject impossible equality matchers. */
    private readonly allowedValues: Readonly<Partial<Record<string, readonly string[]>>> = {},
  ) {}

  select(matchers: Matchers<L> = {}): Query<L> {
    return new Query(this.vector(matchers), this.labels);
  }

  range(window: string, matchers: Matchers<L> = {}): RangeQuery<L> {
    if (!/^(\$__rate_interval|\$__interval|\$__range|[0-9]+(ms|s|m|h|d|w|y))$/.test(window)) {
      throw new ObservatoryError(`query.${this.name}`, `range window "${window}" is not a PromQL duration or Grafana interval variable`);
    }
    return new RangeQuery(this.vector(matchers).range(window), this.labels);
  }

  private vector(matchers: Matchers<L>): pb.VectorExprBuilder {
    const v = pb.vector(this.name);
    for (const [label, matcher] of Object.entries(matchers) as [string, Matcher | undefined][]) {
      if (matcher === undefined) continue;
      if (!(this.labels as readonly string[]).includes(label)) {
        throw new ObservatoryError(`query.${this.name}`, `has no label "${label}" (labels: ${this.labels.join(', ')})`);
      }
      if (typeof matcher === 'string') {
        const allowed = this.allowedValues[label];
        if (allowed && !matcher.startsWith('$') && !allowed.includes(matcher)) {
          throw new ObservatoryError(`query.${this.name}`, `label "${label}" has no value "${matcher}" (allowed: ${allowed.join(', ')})`);
        }
        v.label(label, matcher);
      } else if ('ne' in matcher) v.labelNeq(label, matcher.ne);
      else if ('re' in matcher) v.labelMatchRegexp(label, matcher.re);
      else v.labelNotMatchRegexp(label, matcher.nre);
    }
    return v;
  }
}

function allowedValuesOf(spec: MetricSpec): Partial<Record<string, readonly string[]>> {
  const out: Partial<Record<string, readonly string[]>> = {};
  for (const [label, l] of Object.entries(spec.labels)) if (l.values) out[label] = l.values;
  return out;
}

function labelsOf<L extends string>(spec: MetricSpec<string, L>): (L | TargetLabel)[] {
  return [...(Object.keys(spec.labels) as L[]), ...TARGET_LABELS];
}

/** Handle for a counter or gauge from the catalog. */
export function series<N extends string, L extends string>(spec: MetricSpec<N, L>): SeriesHandle<L | TargetLabel> {
  if (spec.type === 'histogram') {
    throw new ObservatoryError(`query.${spec.name}`, 'is a histogram; use histogram() and its bucket/sum/count series');
  }
  return new SeriesHandle(spec.name, labelsOf(spec), allowedValuesOf(spec));
}

export interface HistogramHandle<L extends string> {
  readonly spec: MetricSpec;
  readonly bucket: SeriesHandle<L | TargetLabel | 'le'>;
  readonly sum: SeriesHandle<L | TargetLabel>;
  readonly count: SeriesHandle<L | TargetLabel>;
}

/** Handles for the `_bucket`, `_sum` and `_count` series of a catalog histogram. */
export function histogram<N extends string, L extends string>(spec: MetricSpec<N, L>): HistogramHandle<L> {
  if (spec.type !== 'histogram') throw new ObservatoryError(`query.${spec.name}`, `is a ${spec.type}, not a histogram`);
  const labels = labelsOf(spec);
  const values = allowedValuesOf(spec);
  return {
    spec,
    bucket: new SeriesHandle<L | TargetLabel | 'le'>(`${spec.name}_bucket`, [...labels, 'le'], values),
    sum: new SeriesHandle(`${spec.name}_sum`, labels, values),
    count: new SeriesHandle(`${spec.name}_count`, labels, values),
  };
}

// ---- functions over typed queries -------------------------------------------------------------

type RangeFn = (v: Builder<Expr>) => pb.FuncCallExprBuilder;
const overRange =
  (fn: RangeFn) =>
  <L extends string>(r: RangeQuery<L>): Query<L> =>
    new Query(fn(r.builder), r.labels);

export const rate = overRange(pb.rate);
export const increase = overRange(pb.increase);
export const avgOverTime = overRange(pb.avgOverTime);
export const sumOverTime = overRange(pb.sumOverTime);
export const maxOverTime = overRange(pb.maxOverTime);
export const minOverTime = overRange(pb.minOverTime);
/** Samples in the window, e.g. whether a series born mid-window has enough of them yet. */
export const countOverTime = overRange(pb.countOverTime);
/** Per-second slope of a gauge by linear regression, e.g. whether a clock offset still grows. */
export const deriv = overRange(pb.deriv);

/** `predict_linear(v[range], seconds)`: where a gauge will be `seconds` from now if its trend holds. */
export function predictLinear<L extends string>(r: RangeQuery<L>, seconds: number): Query<L> {
  if (!(seconds > 0)) throw new ObservatoryError('query.predict_linear', `horizon (${seconds} s) must be positive`);
  return new Query(pb.predictLinear(r.builder, seconds), r.labels);
}

type AggFn = (v: Builder<Expr>) => pb.AggregationExprBuilder;
const aggregate =
  (fn: AggFn) =>
  <L extends string, K extends L = never>(q: Query<L>, by: readonly K[] = []): Query<K> => {
    for (const label of by) {
      if (!(q.labels as readonly string[]).includes(label)) {
        throw new ObservatoryError(`query.by`, `cannot group by "${label}": the expression ${q} has labels ${q.labels.join(', ') || '(none)'}`);
      }
    }
    const agg = fn(q.builder);
    if (by.length > 0) agg.by([...by]);
    return new Query(agg, [...by]);
  };

export const sum = aggregate(pb.sum);
export const max = aggregate(pb.max);
export const min = aggregate(pb.min);
export const avg = aggregate(pb.avg);
export const count = aggregate(pb.count);

/** histogram_quantile over a rate of buckets that kept `le`. */
export function histogramQuantile<L extends string>(phi: number, buckets: Query<L | 'le'>): Query<Exclude<L, 'le'>> {
  if (!(buckets.labels as readonly string[]).includes('le')) {
    throw new ObservatoryError('query.histogram_quantile', `needs the "le" label in ${buckets}; aggregate with by(..., "le")`);
  }
  if (!(phi > 0 && phi < 1)) throw new ObservatoryError('query.histogram_quantile', `quantile ${phi} must be between 0 and 1`);
  return new Query(pb.histogramQuantile(phi, buckets.builder), buckets.labels.filter((l): l is Exclude<L, 'le'> => l !== 'le'));
}

export function num(value: number): Query<never> {
  return new Query(pb.n(value), []);
}

type BinFn = (l: Builder<Expr>, r: Builder<Expr>) => pb.BinaryExprBuilder;
const binary =
  (fn: BinFn) =>
  <L extends string>(left: Query<L>, right: Query<L> | Query<never> | number): Query<L> =>
    new Query(fn(left.builder, typeof right === 'number' ? pb.n(right) : right.builder), left.labels);

export const add = binary(pb.add);
export const sub = binary(pb.sub);
export const mul = binary(pb.mul);
export const gt = binary(pb.gt);
export const ge = binary(pb.gte);
export const lt = binary(pb.lt);
export const le = binary(pb.lte);
export const eq = binary(pb.eq);

/** `left and right`: left's series (and values) where right has a series with the same labels. */
export function and<L extends string>(left: Query<L>, right: Query<L>): Query<L> {
  return new Query(pb.and(left.builder, right.builder), left.labels);
}

/**
 * `left and on(labels) right`: left's series where right has a series with the same values of
 * `labels`, e.g. a per-service condition with extra labels (quantile) gated by a per-service one.
 */
export function andOn<L extends string, R extends string, O extends L & R>(left: Query<L>, right: Query<R>, labels: readonly O[]): Query<L> {
  for (const label of labels) {
    if (!(left.labels as readonly string[]).includes(label) || !(right.labels as readonly string[]).includes(label)) {
      throw new ObservatoryError('query.and', `cannot match on "${label}": ${left} has ${left.labels.join(', ') || '(none)'}, ${right} has ${right.labels.join(', ') || '(none)'}`);
    }
  }
  return new Query(pb.and(left.builder, right.builder).on([...labels]), left.labels);
}

/**
 * `absent(handle{k="v",...})`: one series with exactly the equality matchers as labels when no
 * series matches, none otherwise; e.g. an app whose scrape targets are gone altogether.
 */
export function absent<L extends string, K extends L>(handle: SeriesHandle<L>, matchers: { readonly [P in K]: string }): Query<K> {
  return new Query(pb.absent(handle.select(matchers as Matchers<L>).builder), Object.keys(matchers) as K[]);
}

/** `left unless right`: left's series for which right has no series with the same labels. */
export function unless<L extends string>(left: Query<L>, right: Query<L>): Query<L> {
  return new Query(pb.unless(left.builder, right.builder), left.labels);
}

/** `vector(s)`: one series without labels, e.g. the always-firing Watchdog. */
export function vectorOf(value: number): Query<never> {
  return new Query(pb.vect(value), []);
}

/** Unguarded division: only for denominators that cannot be zero (constants). Prefer ratio(). */
export const divByConstant = <L extends string>(left: Query<L>, right: number): Query<L> => {
  if (right === 0) throw new ObservatoryError('query.div', 'division by the constant 0');
  return new Query(pb.div(left.builder, pb.n(right)), left.labels);
};

/**
 * `num / (den > 0)`: a ratio whose zero denominators drop the series instead of yielding NaN/Inf,
 * so no alert or panel ever divides by zero.
 */
export function ratio<L extends string>(numerator: Query<L>, denominator: Query<L> | Query<never>): Query<L> {
  return new Query(pb.div(numerator.builder, pb.gt(denominator.builder, pb.n(0))), numerator.labels);
}

/**
 * `(num or den * 0) / (den > 0)`: like ratio(), but 0 where the denominator has a series and the
 * numerator has none. Counters are created lazily (prom-client makes a label set on its first
 * increment), so a service that never failed has no 5xx series and a cache that never hit has no
 * hits series: their ratio is 0, not absent, so alerts on a low ratio fire and panels show it.
 */
export function ratioOrZero<L extends string>(numerator: Query<L>, denominator: Query<L>): Query<L> {
  // Plain `or` (not or()): the division drops the metric name anyway.
  return ratio(new Query(pb.or(numerator.builder, pb.mul(denominator.builder, pb.n(0))), numerator.labels), denominator);
}

/** `time()`: the evaluation time in Unix seconds, e.g. to turn an expiry timestamp into time left. */
export function timeNow(): Query<never> {
  return new Query(pb.time(), []);
}

/** `left - time()`: seconds from now until the timestamp a gauge holds (negative once past). */
export function secondsUntil<L extends string>(timestamp: Query<L>): Query<L> {
  return new Query(pb.sub(timestamp.builder, pb.time()), timestamp.labels);
}

/** label_replace with a constant value; the builder prints string arguments as given, so they are quoted here. */
function labelReplaced(b: Builder<Expr>, name: string, value: string): pb.FuncCallExprBuilder {
  return pb.labelReplace(b, JSON.stringify(name), JSON.stringify(value), '""', '""');
}

/**
 * A constant series with fixed labels, `label_replace(label_replace(vector(v), "a", "x", "", ""), ...)`:
 * a per-key value from stack config (a cache's hit-ratio target) that rules and panels can join on.
 */
export function constantSeries<const K extends string>(value: number, labels: { readonly [P in K]: string }): Query<K> {
  let b: Builder<Expr> = pb.vect(value);
  for (const [name, v] of Object.entries(labels) as [string, string][]) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new ObservatoryError('query.label_replace', `"${name}" is not a label name`);
    if (v.includes('$')) throw new ObservatoryError('query.label_replace', `value "${v}" of label ${name} must not contain "$" (label_replace expands it)`);
    b = labelReplaced(b, name, v);
  }
  return new Query(b, Object.keys(labels) as K[]);
}

/** `a or b or ...` of queries with the same labels; at least one. */
export function orAll<L extends string>(queries: readonly Query<L>[]): Query<L> {
  if (queries.length === 0) throw new ObservatoryError('query.or', 'needs at least one query');
  return queries.slice(1).reduce((acc, q) => new Query(pb.or(acc.builder, q.builder), acc.labels), queries[0]);
}

/**
 * `left < on(labels) group_left(extra) right`: left's series (and values) below the right-hand
 * value with the same `labels`, carrying right's `extra` labels, e.g. a hit ratio below its own
 * cache's target, labelled with that target.
 */
export function ltOnGroupLeft<L extends string, R extends string, O extends L & R, X extends R>(left: Query<L>, right: Query<R>, on: readonly O[], extra: readonly X[]): Query<L | X> {
  for (const label of on) {
    if (!(left.labels as readonly string[]).includes(label) || !(right.labels as readonly string[]).includes(label)) {
      throw new ObservatoryError('query.on', `cannot match on "${label}": ${left} has ${left.labels.join(', ') || '(none)'}, ${right} has ${right.labels.join(', ') || '(none)'}`);
    }
  }
  return new Query(pb.lt(left.builder, right.builder).on([...on]).groupLeft([...extra]), [...left.labels, ...extra]);
}

/**
 * `left * on(labels) group_left(extra) right`: left's values with right's `extra` labels joined in,
 * e.g. a statement's time per queryid with its text from an info series whose value is 1.
 */
export function joinLabels<L extends string, R extends string, O extends L & R, X extends R>(left: Query<L>, right: Query<R>, on: readonly O[], extra: readonly X[]): Query<L | X> {
  return new Query(pb.mul(left.builder, right.builder).on([...on]).groupLeft([...extra]), [...left.labels, ...extra]);
}

/** `left or on(labels) right`: left, plus right's series whose `labels` left has none for (a fallback per key). */
export function orOn<L extends string, R extends string, O extends L & R>(left: Query<L>, right: Query<R>, on: readonly O[]): Query<L> {
  return new Query(pb.or(left.builder, right.builder).on([...on]), left.labels);
}

/** `left unless on(labels) right`: left's series whose `labels` right has no series for. */
export function unlessOn<L extends string, R extends string, O extends L & R>(left: Query<L>, right: Query<R>, on: readonly O[]): Query<L> {
  return new Query(pb.unless(left.builder, right.builder).on([...on]), left.labels);
}

/** `label_replace(q, name, value, "", "")`: q with one more constant label. */
export function withLabel<L extends string, const K extends string>(q: Query<L>, name: K, value: string): Query<L | K> {
  if (value.includes('$')) throw new ObservatoryError('query.label_replace', `value "${value}" of label ${name} must not contain "$"`);
  return new Query(labelReplaced(q.builder, name, value), [...q.labels, name]);
}

/** `1 - q`, e.g. error ratio from a success ratio. */
export function oneMinus<L extends string>(q: Query<L>): Query<L> {
  return new Query(pb.sub(pb.n(1), q.builder), q.labels);
}

/**
 * `left or right`, e.g. to fall back to a constant when a series is absent. A bare selector on the
 * left is multiplied by 1: a selector keeps its metric name where arithmetic on the right drops
 * it, so `a or (b * 0)` would return one label set as two series over a time range (named while
 * `a` has samples, unnamed while it falls back) and Grafana would draw two lines under one legend.
 */
export function or<L extends string>(left: Query<L>, right: Query<L> | Query<never>): Query<L> {
  const unnamed = left.builder instanceof pb.VectorExprBuilder ? pb.mul(left.builder, pb.n(1)) : left.builder;
  return new Query(pb.or(unnamed, right.builder), left.labels);
}

/** `round(q)`, e.g. an extrapolated increase() of a counter of rare events back to whole events. */
export function round<L extends string>(q: Query<L>): Query<L> {
  return new Query(pb.round(q.builder), q.labels);
}

export function clampMin<L extends string>(q: Query<L>, minimum: number): Query<L> {
  return new Query(pb.clampMin(q.builder, minimum), q.labels);
}

/** Keep label names known to TS when a caller needs them as runtime values. */
export function labelList<L extends string>(...labels: L[]): L[] {
  return labels;
}

// ---- dashboard helpers ------------------------------------------------------------------------

/** `topk(k, q)`: the k largest series of q, e.g. the busiest Redis commands. */
export function topk<L extends string>(k: number, q: Query<L>): Query<L> {
  if (!Number.isInteger(k) || k < 1) throw new ObservatoryError('query.topk', `k (${k}) must be a positive integer`);
  return new Query(pb.topk(k, q.builder), q.labels);
}

/**
 * Grafana's `label_values(selector, label)` template-variable query. It is not PromQL (Grafana
 * turns it into a series lookup), so it is a string, but the selector is built through the handle:
 * the metric, the matchers and the label are checked like any other query. Matchers default to
 * none (every series of the handle).
 */
export function labelValues<L extends string>(handle: SeriesHandle<L>, label: L, matchers: Matchers<L> = {}): string {
  if (!(handle.labels as readonly string[]).includes(label)) {
    throw new ObservatoryError(`query.${handle.name}`, `has no label "${label}" for label_values (labels: ${handle.labels.join(', ')})`);
  }
  return `label_values(${handle.select(matchers)}, ${label})`;
}
