/**
 * Types of the metrics catalog: the single source of truth for every metric name, label, unit and
 * bucket layout that dashboards, rules, instrumentation and docs use.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Who exposes the metric. Application metrics are ours and held to the strictest naming rules. */
export type MetricSource =
  | 'application'
  | 'postgres_exporter'
  | 'redis_exporter'
  | 'node_exporter'
  | 'prometheus'
  | 'alertmanager'
  | 'blackbox_exporter';

/**
 * Base unit of a metric's value (Prometheus naming: base units only, no milliseconds or kilobytes).
 * `count` is a plain number of things; `ratio` is 0..1; `info` is a constant 1 carrying labels.
 */
export type Unit = 'seconds' | 'bytes' | 'ratio' | 'count' | 'info' | 'boolean';

export interface LabelSpec {
  /** What the label means; shown in the generated metrics reference. */
  readonly help: string;
  /** Allowed values when the label is bounded (e.g. HTTP methods). Unbounded when absent. */
  readonly values?: readonly string[];
}

/**
 * A naming rule a third-party exporter breaks by design. We must use the exporter's real name, so
 * the exception is explicit and carries the reason instead of silently relaxing the rules.
 */
export type NamingException = 'counter-without-total' | 'unit-not-in-name' | 'reserved-suffix';

export interface MetricSpec<N extends string = string, L extends string = string> {
  readonly name: N;
  readonly type: MetricType;
  readonly unit: Unit;
  readonly help: string;
  readonly source: MetricSource;
  /** Labels the exposing process sets (target labels such as job/instance/service are added by scraping). */
  readonly labels: { readonly [K in L]: LabelSpec };
  /** Bucket upper bounds in the metric's unit; required for application histograms. */
  readonly buckets?: readonly number[];
  /**
   * Label of the exemplar an observation carries: the OpenTelemetry trace ID of one request per
   * bucket (OpenMetrics exposition, Prometheus exemplar storage). Grafana's Prometheus datasource
   * turns it into a link to the trace in Jaeger. Only for application histograms.
   */
  readonly exemplarTraceLabel?: string;
  /**
   * A stack feature without which the series never exists (`remoteWrite`: a remote_write queue
   * runs). The per-stack metrics reference leaves such metrics out of stacks without the feature.
   * Default: always exposed.
   */
  readonly requires?: 'remoteWrite';
  /** Naming rules this metric is allowed to break, with the reason. Only for exporter metrics. */
  readonly namingExceptions?: { readonly [K in NamingException]?: string };
}

/** Labels that every scraped series carries because the scrape configuration attaches them. */
export const TARGET_LABELS = ['job', 'instance', 'service'] as const;
export type TargetLabel = (typeof TARGET_LABELS)[number];

/** Identity helper that keeps literal metric and label names for the type-checker. */
export function defineMetric<const N extends string, const L extends string = never>(
  spec: MetricSpec<N, L>,
): MetricSpec<N, L> {
  return spec;
}
