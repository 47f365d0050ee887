/** Application-side Redis panels (API Performance): command rate and round-trip latency. */
import * as app from '../../catalog/application';
import { histogram, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import { timeseriesPanel, type Row } from '../common';
import { rateUnit, valueUnit } from '../units';
import { SERVICE } from '../variables';

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
  const quantile = (q: '0.95' | '0.99') => recorded.redisOpQuantile.select({ service: SERVICE, quantile: q });
  return timeseriesPanel({
    title: 'Redis operation latency by operation',
    description:
      'p95 and p99 Redis round-trip latency as the application sees it, all instances of the service ' +
      '(recording service_operation:redis_operation_duration_seconds:histogram_quantile_rate5m, 5m window).',
    unit: valueUnit(redisDuration.spec),
    targets: [
      { expr: quantile('0.95'), legend: '{{service}} {{operation}} p95' },
      { expr: quantile('0.99'), legend: '{{service}} {{operation}} p99' },
    ],
  });
}

export function redisOperationsRow(): Row {
  return { title: 'Redis operations', panels: [operationRate(), operationLatency()] };
}
