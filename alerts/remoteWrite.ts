/**
 * The remote-write queues feeding the long-term engine (and any further remoteWrite target), as
 * the Prometheus mixin watches them: a target falling behind, samples it refuses for good, samples
 * dropped before sending, and a queue that needs more shards than it may run. Each Prometheus
 * replica evaluates these for its own queues. Stacks without remote_write render no such group.
 */
import { add, gt, increase, max, rate, ratio, round, series, sub, sum } from '../catalog/query';
import * as rw from '../catalog/remoteWrite';
import { remoteWriteConfigs } from '../generators/remoteWrite';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs } from './types';

const P = TEST_TARGETS.prometheus;
const QUEUE = { remote_name: 'thanos', url: 'http://thanos-receive:19291/api/v1/receive' } as const;
const BY = ['service', 'instance', 'remote_name'] as const;
const FIRING = { service: P.service, instance: P.instance, remote_name: QUEUE.remote_name } as const;

function behind(inputs: AlertInputs): AlertDefinition {
  const enqueued = series(rw.prometheus_remote_storage_queue_highest_timestamp_seconds);
  const sent = series(rw.prometheus_remote_storage_queue_highest_sent_timestamp_seconds);
  const limit = inputs.thresholds.remoteWriteLagSeconds;
  return defineAlert({
    name: 'PrometheusRemoteWriteBehind',
    family: 'PrometheusRemoteWrite',
    severity: 'critical',
    for: '15m',
    expr: gt(max(sub(enqueued.select(), sent.select()), BY), limit),
    valueFormat: 'duration',
    summary: (v) => `Prometheus ${v.label('instance')} is ${v.value} behind writing to ${v.label('remote_name')}`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} has sent nothing newer to ${v.label('remote_name')} than ${v.value} before the newest sample it holds, for 15 minutes (limit ${limit} s, observatory:alerts.thresholds.remoteWriteLagSeconds). Dashboards that read the engine lack the recent data; if it lasts past the WAL's ~2 h, samples are lost for the engine.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'The remote-write queue does not keep up or cannot reach its target: samples pile up in the WAL instead of reaching the long-term engine. Queries through the engine (Grafana, with longTermStorage) show stale or missing recent data.',
      causes: [
        'The engine (Thanos Receive, Mimir) is down, overloaded or rejecting writes.',
        'The queue runs at max_shards (see PrometheusRemoteWriteDesiredShards): the target or the network is too slow for the sample rate.',
        'Network policy or credentials changed (look for 401/403 in the Prometheus log).',
      ],
      checks: [
        'The Prometheus log for "Failed to send batch" and the HTTP status it names.',
        'The Remote write row of the Monitoring health dashboard: lag, failed and retried samples, shards.',
        'The engine: Thanos Receive /-/ready and its log, or your Mimir distributor.',
      ],
      fixes: [
        'Restore the engine; Prometheus resends from its WAL (up to about two hours back).',
        'Raise longTermStorage.queue.maxShards (or remoteWrite[].queue.maxShards) when shards are pinned at the maximum and the target has room.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'the target accepts nothing after 5 minutes',
        series: [input(enqueued, { ...P, ...QUEUE }, counter(60, 1_700_000_000)), input(sent, { ...P, ...QUEUE }, segments({ minutes: 5, from: 1_700_000_000, perMinute: 60 }, { minutes: 0, from: 1_700_000_240, perMinute: 0 }))],
        // The lag passes 120 s two minutes after sends stop (sent froze at minute 4's timestamp).
        activeAtMinutes: 7,
        labels: FIRING,
        value: 1320,
        valueExactFromMinutes: 26,
      },
      { kind: 'quiet', name: 'sends keep up, 10 s behind', series: [input(enqueued, { ...P, ...QUEUE }, counter(60, 1_700_000_010)), input(sent, { ...P, ...QUEUE }, counter(60, 1_700_000_000))] },
    ],
  });
}

function failing(inputs: AlertInputs): AlertDefinition {
  const failed = series(rw.prometheus_remote_storage_samples_failed_total);
  const sent = series(rw.prometheus_remote_storage_samples_total);
  const limit = inputs.thresholds.remoteWriteFailedRatio;
  const failedRate = sum(rate(failed.range('5m')), BY);
  return defineAlert({
    name: 'PrometheusRemoteWriteFailing',
    family: 'PrometheusRemoteWrite',
    severity: 'critical',
    for: '15m',
    // Failed share of what the queue tried: failed / (failed + sent); no attempts, no series.
    expr: gt(ratio(failedRate, add(sum(rate(failed.range('5m')), BY), sum(rate(sent.range('5m')), BY))), limit),
    valueFormat: 'percentage',
    summary: (v) => `Prometheus ${v.label('instance')}: ${v.value} of samples to ${v.label('remote_name')} fail`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} could not deliver ${v.value} of the samples it sent to ${v.label('remote_name')} over the last 5 minutes, for 15 minutes (limit ${limit * 100}%, observatory:alerts.thresholds.remoteWriteFailedRatio). Failed samples are not retried: they are missing in the engine for good.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'The remote-write target refuses samples with errors Prometheus does not retry (4xx): out-of-order or duplicate samples, limits, a bad tenant or credentials. Those samples never reach the engine.',
      causes: [
        'Two Prometheus replicas write the same series: the replica label is missing or equal (prometheus.replicaLabel), so the engine sees out-of-order samples.',
        'Engine limits (series or ingestion rate per tenant) reached.',
        'Wrong credentials or tenant (401/403/404).',
      ],
      checks: [
        'The Prometheus log: "non-recoverable error" lines name the status and the engine\'s reason.',
        'The external labels of every replica: Status > Configuration in each Prometheus UI.',
      ],
      fixes: ['Give every replica its own replica label value (the stack does: pod or container name); raise the engine\'s limits; fix the credentials secret (remoteWritePassword / remoteWriteBearerToken).'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: '5% of samples fail',
        series: [input(failed, { ...P, ...QUEUE }, counter(300)), input(sent, { ...P, ...QUEUE }, counter(5700))],
        activeAtMinutes: 1,
        labels: FIRING,
        value: 0.05,
        valueExactFromMinutes: 6,
      },
      { kind: 'quiet', name: 'no failures', series: [input(failed, { ...P, ...QUEUE }, steady(0)), input(sent, { ...P, ...QUEUE }, counter(6000))] },
      { kind: 'quiet', name: 'nothing sent at all (no division by zero)', series: [input(failed, { ...P, ...QUEUE }, steady(0)), input(sent, { ...P, ...QUEUE }, steady(0))] },
    ],
  });
}

function dropping(): AlertDefinition {
  const dropped = series(rw.prometheus_remote_storage_samples_dropped_total);
  // dropped_series is write relabelling doing its job; every other reason is data lost.
  const lost = dropped.range('10m', { reason: { ne: 'dropped_series' } });
  return defineAlert({
    name: 'PrometheusRemoteWriteDroppingSamples',
    family: 'PrometheusRemoteWriteDrops',
    severity: 'warning',
    for: '10m',
    expr: gt(round(sum(increase(lost), BY)), 0),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')} dropped ${v.value} samples meant for ${v.label('remote_name')}`,
    description: (v) =>
      `Prometheus at ${v.label('instance')} dropped ${v.value} samples in 10 minutes before sending them to ${v.label('remote_name')} (too old after a long outage, or of series it no longer knew), and kept doing so for 10 minutes. They are missing in the engine for good.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Samples read from the WAL were discarded instead of sent: older than the queue accepts after the target was unreachable for long, or belonging to series dropped from memory. The engine has a hole there.',
      causes: ['The target was unreachable for longer than the WAL holds (about two hours).', 'Prometheus restarted while far behind.'],
      checks: ['`prometheus_remote_storage_samples_dropped_total` by reason on the Remote write row.', 'PrometheusRemoteWriteBehind before the drops: how long was the target unreachable?'],
      fixes: ['Keep the engine reachable; the hole cannot be refilled from Prometheus (its local TSDB still has the data for its retention).'],
    },
    scenarios: [
      { kind: 'fires', name: 'ten too-old samples a minute', series: [input(dropped, { ...P, ...QUEUE, reason: 'too_old' }, counter(10))], activeAtMinutes: 1, labels: FIRING, value: 100, valueExactFromMinutes: 11 },
      { kind: 'quiet', name: 'write relabelling drops series on purpose', series: [input(dropped, { ...P, ...QUEUE, reason: 'dropped_series' }, counter(500))] },
    ],
  });
}

function desiredShards(): AlertDefinition {
  const desired = series(rw.prometheus_remote_storage_shards_desired);
  const maxShards = series(rw.prometheus_remote_storage_shards_max);
  return defineAlert({
    name: 'PrometheusRemoteWriteDesiredShards',
    family: 'PrometheusRemoteWriteShards',
    severity: 'warning',
    for: '15m',
    expr: gt(max(desired.select(), BY), max(maxShards.select(), BY)),
    valueFormat: 'number',
    summary: (v) => `Prometheus ${v.label('instance')} wants ${v.value} shards for ${v.label('remote_name')}, more than max_shards`,
    description: (v) =>
      `The remote-write queue of Prometheus at ${v.label('instance')} to ${v.label('remote_name')} computes that it needs ${v.value} shards to keep up, more than its max_shards, for 15 minutes. It will fall behind (PrometheusRemoteWriteBehind) unless the rate drops.`,
    dashboard: 'monitoringHealth',
    runbook: {
      meaning: 'Samples arrive faster than the allowed number of parallel senders can deliver them. The queue is at its ceiling; the lag grows from here.',
      causes: ['More series or a shorter scrape interval than the queue was sized for.', 'The engine answers slower than before (each shard waits longer per batch).'],
      checks: ['Shards, desired shards and pending samples on the Remote write row.', 'The engine\'s write latency.'],
      fixes: ['Raise queue.maxShards (longTermStorage.queue or remoteWrite[].queue) if the engine has room, or shard the scrape targets over more Prometheus servers (docs/deploying.md, "Capacity").'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'wants 80 shards with a ceiling of 50',
        series: [input(desired, { ...P, ...QUEUE }, steady(80)), input(maxShards, { ...P, ...QUEUE }, steady(50))],
        activeAtMinutes: 0,
        labels: FIRING,
        value: 80,
      },
      { kind: 'quiet', name: 'wants 3 of 50', series: [input(desired, { ...P, ...QUEUE }, steady(3)), input(maxShards, { ...P, ...QUEUE }, steady(50))] },
    ],
  });
}

export const remoteWriteAlerts: AlertConcern = {
  group: 'observatory-remote-write.alerts',
  omitWhenEmpty: true,
  alerts: (inputs) => (remoteWriteConfigs(inputs.config).length === 0 ? [] : [behind(inputs), failing(inputs), dropping(), desiredShards()]),
};
