/**
 * blackbox_exporter probe metrics (the release stacks/versions.ts pins), as its /probe endpoint
 * returns them for the HTTP prober: one set per probed URL and scrape of the `uptime` job
 * (generators/prometheusConfig.ts), whose relabelling makes the URL the `instance` label.
 */
import { defineMetric } from './types';

export const probe_success = defineMetric({
  name: 'probe_success', type: 'gauge', unit: 'boolean', source: 'blackbox_exporter', labels: {},
  help: '1 when the probe succeeded (connected, answered within the timeout, with an expected status), else 0.',
});
export const probe_duration_seconds = defineMetric({
  name: 'probe_duration_seconds', type: 'gauge', unit: 'seconds', source: 'blackbox_exporter', labels: {},
  help: 'How long the whole probe took.',
});
export const probe_http_duration_seconds = defineMetric({
  name: 'probe_http_duration_seconds', type: 'gauge', unit: 'seconds', source: 'blackbox_exporter',
  labels: { phase: { help: 'Phase of the request.', values: ['resolve', 'connect', 'tls', 'processing', 'transfer'] } },
  help: 'Time of each phase of the probe\'s HTTP request (summed over redirects).',
});
export const probe_http_status_code = defineMetric({
  name: 'probe_http_status_code', type: 'gauge', unit: 'count', source: 'blackbox_exporter', labels: {},
  help: 'HTTP status code of the probe\'s response (0 when there was none).',
});
export const probe_ssl_earliest_cert_expiry = defineMetric({
  name: 'probe_ssl_earliest_cert_expiry', type: 'gauge', unit: 'seconds', source: 'blackbox_exporter', labels: {},
  help: 'Unix time at which the first certificate of the chain the server presented expires; only for https URLs.',
  namingExceptions: { 'unit-not-in-name': 'blackbox_exporter names the expiry timestamp without a unit' },
});

export const blackboxMetrics = [probe_success, probe_duration_seconds, probe_http_duration_seconds, probe_http_status_code, probe_ssl_earliest_cert_expiry] as const;
