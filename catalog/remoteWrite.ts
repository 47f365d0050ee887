/**
 * Prometheus's remote-write queue, per target (remote_name, url): what the long-term engine and
 * any further remoteWrite target are fed by. Names and labels checked against the pinned
 * Prometheus (test/fixtures/exporters/prometheus.remote-write.summary.txt). They only exist
 * while a queue runs, so `requires: 'remoteWrite'` keeps them out of the metrics reference of
 * stacks without remote_write.
 */
import { defineMetric, type LabelSpec } from './types';

const queue = {
  remote_name: { help: 'The remote_write name (longTermStorage kind, or remoteWrite[].name).' } as LabelSpec,
  url: { help: 'The remote_write URL.' } as LabelSpec,
};
const common = { source: 'prometheus', requires: 'remoteWrite', labels: queue } as const;

export const prometheus_remote_storage_queue_highest_timestamp_seconds = defineMetric({
  ...common, name: 'prometheus_remote_storage_queue_highest_timestamp_seconds', type: 'gauge', unit: 'seconds',
  help: 'Newest sample timestamp enqueued for the target (Unix seconds).',
});
export const prometheus_remote_storage_queue_highest_sent_timestamp_seconds = defineMetric({
  ...common, name: 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds', type: 'gauge', unit: 'seconds',
  help: 'Newest sample timestamp the target accepted (Unix seconds); the difference to the enqueued one is the lag.',
});
export const prometheus_remote_storage_samples_total = defineMetric({
  ...common, name: 'prometheus_remote_storage_samples_total', type: 'counter', unit: 'count',
  help: 'Samples sent to the target.',
});
export const prometheus_remote_storage_samples_failed_total = defineMetric({
  ...common, name: 'prometheus_remote_storage_samples_failed_total', type: 'counter', unit: 'count',
  help: 'Samples that failed with an unrecoverable error and were not retried: lost for the target.',
});
export const prometheus_remote_storage_samples_retried_total = defineMetric({
  ...common, name: 'prometheus_remote_storage_samples_retried_total', type: 'counter', unit: 'count',
  help: 'Samples whose send failed with a recoverable error and was retried.',
});
export const prometheus_remote_storage_samples_dropped_total = defineMetric({
  ...common, name: 'prometheus_remote_storage_samples_dropped_total', type: 'counter', unit: 'count',
  labels: { ...queue, reason: { help: 'dropped_series (write relabelling, intended), too_old, unintentionally_dropped_series, ...' } },
  help: 'Samples read from the WAL but never sent: relabelled away, too old, or of an unknown series.',
});
export const prometheus_remote_storage_samples_pending = defineMetric({
  ...common, name: 'prometheus_remote_storage_samples_pending', type: 'gauge', unit: 'count',
  help: 'Samples waiting in the queue shards.',
});
export const prometheus_remote_storage_shards = defineMetric({
  ...common, name: 'prometheus_remote_storage_shards', type: 'gauge', unit: 'count',
  help: 'Shards (parallel senders) the queue runs.',
});
export const prometheus_remote_storage_shards_desired = defineMetric({
  ...common, name: 'prometheus_remote_storage_shards_desired', type: 'gauge', unit: 'count',
  help: 'Shards the queue would need to keep up with the incoming samples.',
});
export const prometheus_remote_storage_shards_max = defineMetric({
  ...common, name: 'prometheus_remote_storage_shards_max', type: 'gauge', unit: 'count',
  help: 'The queue_config max_shards the queue may run.',
});

export const remoteWriteMetrics = [
  prometheus_remote_storage_queue_highest_timestamp_seconds,
  prometheus_remote_storage_queue_highest_sent_timestamp_seconds,
  prometheus_remote_storage_samples_total,
  prometheus_remote_storage_samples_failed_total,
  prometheus_remote_storage_samples_retried_total,
  prometheus_remote_storage_samples_dropped_total,
  prometheus_remote_storage_samples_pending,
  prometheus_remote_storage_shards,
  prometheus_remote_storage_shards_desired,
  prometheus_remote_storage_shards_max,
] as const;
