/**
 * The "Uptime" row of Service Overview: the blackbox_exporter probes of every app's health path
 * and of uptime.urls (generators/uptime.ts), what the seeds' external uptime checker showed.
 */
import * as bb from '../../catalog/blackbox';
import { max, min, secondsUntil, series } from '../../catalog/query';
import type { StackConfig } from '../../stacks/config/schema';
import { healthMapping, lowerThresholds, statPanel, timeseriesPanel, type Row } from '../common';
import { valueUnit } from '../units';
import { SERVICE } from '../variables';

const selected = { service: SERVICE };
const DAY = 86_400;

export function probeSuccess(config: StackConfig) {
  return statPanel({
    title: 'Uptime probes',
    description: `Whether the last probe of each URL succeeded (probe_success), one every ${config.uptime.interval} (uptime.interval). UptimeProbeFailing fires after uptime.failedProbes (${config.uptime.failedProbes}) failures in a row.`,
    unit: valueUnit(bb.probe_success),
    targets: [{ expr: min(series(bb.probe_success).select(selected), ['service', 'instance']), legend: '{{instance}}' }],
    thresholds: lowerThresholds(1),
    mappings: [healthMapping('UP', 'DOWN')],
    width: 8,
  });
}

export function probeDurationByPhase() {
  return timeseriesPanel(
    {
      title: 'Probe duration by phase',
      description: 'Time of each phase of the probe request (resolve, connect, tls, processing, transfer): which part of the path got slow.',
      unit: valueUnit(bb.probe_http_duration_seconds),
      targets: [{ expr: max(series(bb.probe_http_duration_seconds).select(selected), ['instance', 'phase']), legend: '{{instance}} {{phase}}' }],
      min: 0,
      width: 8,
    },
    { stacked: true },
  );
}

export function certificateExpiry(config: StackConfig) {
  return statPanel({
    title: 'TLS certificate expiry',
    description: `Time until the first certificate of each https URL's chain expires (probe_ssl_earliest_cert_expiry). Red within uptime.certExpiryDays (${config.uptime.certExpiryDays} days), when UptimeCertificateExpiring fires.`,
    unit: 'dtdurations',
    targets: [{ expr: secondsUntil(min(series(bb.probe_ssl_earliest_cert_expiry).select(selected), ['service', 'instance'])), legend: '{{instance}}' }],
    thresholds: lowerThresholds(config.uptime.certExpiryDays * DAY),
    width: 8,
  });
}

export function uptimeRow(config: StackConfig): Row {
  return { title: 'Uptime', panels: [probeSuccess(config), probeDurationByPhase(), certificateExpiry(config)] };
}
