/** Application cache panels (API Performance): hit ratio and lookups per cache. */
import * as app from '../../catalog/application';
import { rate, series, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { lowerThresholds, timeseriesPanel, type Row } from '../common';
import { RATIO_UNIT, rateUnit } from '../units';
import { INSTANCE, SERVICE } from '../variables';

export function cacheHitRatio(t: Thresholds) {
  return timeseriesPanel({
    title: 'Cache hit ratio by cache',
    description:
      'Share of lookups that found the entry (recording service_cache:cache_hits:ratio_rate5m). ' +
      'Below alerts.thresholds.cacheHitRatioMin the cache stops protecting the database.',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.cacheHitRatio.select({ service: SERVICE }), legend: '{{service}} {{cache}}' }],
    thresholds: lowerThresholds(t.cacheHitRatioMin),
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

export function cacheRow(t: Thresholds): Row {
  return { title: 'Cache', panels: [cacheHitRatio(t), cacheLookups()] };
}
