/**
 * Grafana units derived from the catalog's base units, so a panel's unit follows its metric: a
 * metric in seconds is drawn in `s`, a ratio as `percentunit`, a counter's rate as `ops` (or
 * `reqps` for requests), and so on.
 */
import { ObservatoryError } from '../catalog/errors';
import type { MetricSpec } from '../catalog/types';

/** 0..1 values (ratios, utilisation, SLIs), shown as percentages. */
export const RATIO_UNIT = 'percentunit';

/** Unit of the metric's own value (or of a quantile of a histogram). */
export function valueUnit(spec: MetricSpec): string {
  switch (spec.unit) {
    case 'seconds':
      return 's';
    case 'bytes':
      return 'bytes';
    case 'ratio':
      return RATIO_UNIT;
    case 'count':
      return 'short';
    case 'boolean':
    case 'info':
      return 'none';
  }
}

/** Unit of `rate()` over a counter (or a histogram's `_count`). */
export function rateUnit(spec: MetricSpec): string {
  if (spec.type === 'gauge') throw new ObservatoryError(`dashboard unit ${spec.name}`, 'is a gauge; rate() of a gauge has no meaningful unit');
  switch (spec.unit) {
    case 'seconds':
      // seconds per second: the share of time spent, e.g. CPU busy
      return RATIO_UNIT;
    case 'bytes':
      return 'Bps';
    case 'count':
      // Prometheus naming puts what is counted before _total: requests get Grafana's reqps.
      return /_requests_total$/.test(spec.name) ? 'reqps' : 'ops';
    default:
      throw new ObservatoryError(`dashboard unit ${spec.name}`, `has unit "${spec.unit}", which has no rate unit`);
  }
}

/**
 * Events per minute (`rate(x[$__rate_interval]) * 60`): for rare events (deadlocks, failed rule
 * evaluations) a per-minute rate reads better than per second and, unlike an increase() over
 * $__rate_interval, does not change height when the dashboard is zoomed.
 */
export const PER_MINUTE_UNIT = 'opm';
