/** Application-side Redis panels (API Performance): command rate and round-trip latency. */
import * as app from '../../catalog/application';
import { histogram, histogramQuantile, rate, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import { timeseriesPanel, type Row } from '../common';
import { rateUnit, valueUnit } from '../units';
import { INSTANCE, SERVICE } from '../variables';

const redisDuration = histogram(app.redis_operation_duration_seconds);

export function operationRate() {
  return timeseriesPanel({
    title: 'Redis operation rate by operation',
    description: 'Redis commands per second the application issues (recording service_operation:redis_operations:rate5m).',
    unit: rateUnit(app.redis_operations_total),
    targets: [{ expr: sum(recorded.redisOpRate.select({ service: SERVICE }), ['operation']), legend: '{{operation}}' }],
  });
}

export function operationLatency() {
  const buckets = sum(rate(redisDuration.bucket.range('$__rate_interval', { service: SERVICE, instance: INSTANCE })), ['operation', 'le']);
  return timeseriesPanel({
    title: 'Redis operation latency by operation',
    description: 'p95 and p99 Redis round-trip latency as the application sees it, over $__rate_interval.',
    unit: valueUnit(redisDuration.spec),
    targets: [
      { expr: histogramQuantile(0.95, buckets), legend: '{{operation}} p95' },
      { expr: histogramQuantile(0.99, buckets), legend: '{{operation}} p99' },
    ],
  });
}

export function redisOperationsRow(): Row {
  return { title: 'Redis operations', panels: [operationRate(), operationLatency()] };
}
