/**
 * Remote write (Monitoring health, only for stacks with remote_write): is every Prometheus
 * replica's queue keeping the long-term engine up to date? Lag, samples refused or dropped, and
 * the shards the queue runs against what it wants and may run. Thresholds are the alerts' own.
 */
import { add, max, rate, ratio, series, sub, sum } from '../../catalog/query';
import * as rw from '../../catalog/remoteWrite';
import type { StackConfig } from '../../stacks/config/schema';
import { timeseriesPanel, upperThresholds, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';

const BY = ['instance', 'remote_name'] as const;

export function remoteWriteRow(config: StackConfig): Row {
  const t = config.alerts.thresholds;
  const failed = series(rw.prometheus_remote_storage_samples_failed_total);
  const sent = series(rw.prometheus_remote_storage_samples_total);
  const lag = timeseriesPanel({
    title: 'Remote-write lag',
    description: 'How far the newest sample each target accepted trails the newest one enqueued, per Prometheus replica and target. PrometheusRemoteWriteBehind fires above the line for 15 minutes.',
    unit: valueUnit(rw.prometheus_remote_storage_queue_highest_timestamp_seconds),
    targets: [{ expr: max(sub(series(rw.prometheus_remote_storage_queue_highest_timestamp_seconds).select(), series(rw.prometheus_remote_storage_queue_highest_sent_timestamp_seconds).select()), BY), legend: '{{instance}} -> {{remote_name}}' }],
    thresholds: upperThresholds(t.remoteWriteLagSeconds),
    min: 0,
  });
  const failedShare = timeseriesPanel({
    title: 'Remote-write samples failed',
    description: 'Share of samples a target refused for good (not retried), per replica and target. PrometheusRemoteWriteFailing fires above the line.',
    unit: RATIO_UNIT,
    targets: [
      {
        expr: ratio(sum(rate(failed.range('$__rate_interval')), BY), add(sum(rate(failed.range('$__rate_interval')), BY), sum(rate(sent.range('$__rate_interval')), BY))),
        legend: '{{instance}} -> {{remote_name}}',
      },
    ],
    thresholds: upperThresholds(t.remoteWriteFailedRatio),
    min: 0,
  });
  const dropped = timeseriesPanel({
    title: 'Remote-write samples retried and dropped',
    description: 'Samples per second whose send is retried (recoverable errors), and samples dropped before sending, by reason (dropped_series is write relabelling on purpose).',
    unit: rateUnit(rw.prometheus_remote_storage_samples_retried_total),
    targets: [
      { expr: sum(rate(series(rw.prometheus_remote_storage_samples_retried_total).range('$__rate_interval')), BY), legend: 'retried {{instance}} -> {{remote_name}}' },
      { expr: sum(rate(series(rw.prometheus_remote_storage_samples_dropped_total).range('$__rate_interval')), ['instance', 'remote_name', 'reason']), legend: 'dropped ({{reason}}) {{instance}} -> {{remote_name}}' },
    ],
    min: 0,
  });
  const shards = timeseriesPanel({
    title: 'Remote-write queue shards',
    description: 'Shards each queue runs, the shards it would need, and its max_shards. Desired above max for 15 minutes is PrometheusRemoteWriteDesiredShards: raise queue.maxShards or shard the targets.',
    unit: valueUnit(rw.prometheus_remote_storage_shards),
    targets: [
      { expr: max(series(rw.prometheus_remote_storage_shards).select(), BY), legend: 'running {{instance}} -> {{remote_name}}' },
      { expr: max(series(rw.prometheus_remote_storage_shards_desired).select(), BY), legend: 'desired {{instance}} -> {{remote_name}}' },
      { expr: max(series(rw.prometheus_remote_storage_shards_max).select(), BY), legend: 'max {{instance}} -> {{remote_name}}' },
    ],
    min: 0,
  });
  return { title: 'Remote write', panels: [lag, failedShare, dropped, shards] };
}
