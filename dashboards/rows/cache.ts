/** Application cache panels (API Performance): hit ratio and lookups per cache. */
import * as app from '../../catalog/application';
import { add, andOn, max, mul, num, orOn, rate, series, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import { cacheTargetSeries } from '../../alerts/redis';
import type { StackConfig } from '../../stacks/config/schema';
import { timeseriesPanel, type Row } from '../common';
import { RATIO_UNIT, rateUnit } from '../units';
import { INSTANCE, SERVICE } from '../variables';

/**
 * The target of every cache on the panel: its own (alerts.cacheTargets) or, for caches not listed,
 * alerts.thresholds.cacheHitRatioMin; the same numbers CacheHitRateLow compares with.
 */
function cacheTargets(config: StackConfig) {
  const seen = max(recorded.cacheHitRatio.select({ service: SERVICE }), ['cache']);
  const fallback = add(mul(seen, 0), num(config.alerts.thresholds.cacheHitRatioMin));
  const own = cacheTargetSeries(config.alerts.cacheTargets);
  return own ? orOn(andOn(own, seen, ['cache']), fallback, ['cache']) : fallback;
}

export function cacheHitRatio(config: StackConfig) {
  return timeseriesPanel({
    title: 'Cache hit ratio by cache',
    description:
      'Share of lookups that found the entry (recording service_cache:cache_hits:ratio_rate5m), and each cache\'s target as a line of its own: ' +
      'alerts.cacheTargets for the caches listed there, alerts.thresholds.cacheHitRatioMin for the rest (CacheHitRateLow).',
    unit: RATIO_UNIT,
    targets: [
      { expr: recorded.cacheHitRatio.select({ service: SERVICE }), legend: '{{service}} {{cache}}' },
      { expr: cacheTargets(config), legend: '{{cache}} target' },
    ],
    min: 0,
    max: 1,
  });
}

export function cacheLookups() {
  const m = { service: SERVICE, instance: INSTANCE };
  return timeseriesPanel({
    title: 'Cache lookups by cache',
    description: 'Hits and misses per second over $__rate_interval.',
    unit: rateUnit(app.cache_hits_total),
    targets: [
      { expr: sum(rate(series(app.cache_hits_total).range('$__rate_interval', m)), ['cache']), legend: '{{cache}} hits' },
      { expr: sum(rate(series(app.cache_misses_total).range('$__rate_interval', m)), ['cache']), legend: '{{cache}} misses' },
    ],
  });
}

export function cacheRow(config: StackConfig): Row {
  return { title: 'Cache', panels: [cacheHitRatio(config), cacheLookups()] };
}
