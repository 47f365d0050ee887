/**
 * The metrics catalog: every metric the stack knows, validated against the naming rules when this
 * module loads, plus the series index that query validation checks selectors against.
 */
import { applicationMetrics } from './application';
import { blackboxMetrics } from './blackbox';
import { ObservatoryError } from './errors';
import { SeriesHandle } from './query';
import { checkMetricNaming } from './naming';
import { nodeMetrics } from './node';
import { postgresMetrics } from './postgres';
import { recorded, sloErrorRatio } from './recorded';
import { redisMetrics } from './redis';
import { remoteWriteMetrics } from './remoteWrite';
import { selfMonitoringMetrics } from './selfMonitoring';
import { SLO_WINDOWS } from './slos';
import { TARGET_LABELS, type MetricSpec } from './types';

/** Prometheus's ALERTS series (pending and firing alerts), e.g. for dashboard annotations. */
export const ALERTS = new SeriesHandle('ALERTS', ['alertname', 'alertstate', 'severity', 'family', 'service', 'instance', 'job'] as const, { alertstate: ['pending', 'firing'] });

export interface SeriesInfo {
  /** The name as it appears in PromQL. */
  readonly name: string;
  /** Every label a selector may match on. */
  readonly labels: ReadonlySet<string>;
  /** The catalog metric it comes from, or undefined for recorded series. */
  readonly metric?: MetricSpec;
  readonly kind: 'metric' | 'histogram_bucket' | 'histogram_sum' | 'histogram_count' | 'recorded' | 'builtin';
}

export interface Catalog {
  readonly metrics: readonly MetricSpec[];
  /** Every selectable series name: metrics, histogram sub-series, recorded series, ALERTS. */
  readonly series: ReadonlyMap<string, SeriesInfo>;
}

/** Validates specs (naming rules, duplicates) and indexes every selectable series. */
export function loadCatalog(specs: readonly MetricSpec[]): Catalog {
  const seriesMap = new Map<string, SeriesInfo>();
  const addSeries = (info: SeriesInfo) => {
    if (seriesMap.has(info.name)) throw new ObservatoryError(`catalog.${info.name}`, 'is defined twice (or clashes with a histogram series of another metric)');
    seriesMap.set(info.name, info);
  };
  for (const spec of specs) {
    checkMetricNaming(spec);
    const labels = new Set<string>([...Object.keys(spec.labels), ...TARGET_LABELS]);
    if (spec.type === 'histogram') {
      addSeries({ name: `${spec.name}_bucket`, labels: new Set([...labels, 'le']), metric: spec, kind: 'histogram_bucket' });
      addSeries({ name: `${spec.name}_sum`, labels, metric: spec, kind: 'histogram_sum' });
      addSeries({ name: `${spec.name}_count`, labels, metric: spec, kind: 'histogram_count' });
    } else {
      addSeries({ name: spec.name, labels, metric: spec, kind: 'metric' });
    }
  }
  const recordedHandles = [...Object.values(recorded), ...SLO_WINDOWS.flatMap((w) => [sloErrorRatio('availability', w), sloErrorRatio('latency', w)])];
  for (const handle of recordedHandles) addSeries({ name: handle.name, labels: new Set(handle.labels), kind: 'recorded' });
  // Prometheus writes ALERTS for every pending or firing alert; `family` groups an alert's
  // warning and critical variants (alerts/index.ts FAMILY_LABEL).
  addSeries({ name: ALERTS.name, labels: new Set(ALERTS.labels), kind: 'builtin' });
  return { metrics: specs, series: seriesMap };
}

export const ALL_METRICS: readonly MetricSpec[] = [
  ...applicationMetrics,
  ...postgresMetrics,
  ...redisMetrics,
  ...nodeMetrics,
  ...selfMonitoringMetrics,
  ...remoteWriteMetrics,
  ...blackboxMetrics,
];

let loaded: Catalog | undefined;

/**
 * The project's catalog, validated on first use: a bad entry fails every render, test and
 * deployment with an ObservatoryError naming the metric (not at import, so CLIs can report it).
 */
export function getCatalog(): Catalog {
  loaded ??= loadCatalog(ALL_METRICS);
  return loaded;
}
