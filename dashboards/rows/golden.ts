/**
 * The four golden signals per service (Service overview): latency, traffic and errors from the
 * service-level recording rules; saturation is its own row (saturation.ts).
 */
import * as app from '../../catalog/application';
import { histogram } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { timeseriesPanel, upperThresholds, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { SERVICE } from '../variables';

const service = { service: SERVICE };

export function serviceLatency(t: Thresholds) {
  return timeseriesPanel({
    title: 'Latency p95 and p99 by service',
    description: 'Request latency per service (recording service:http_request_duration_seconds:histogram_quantile_rate5m). Thresholds: the p95 alert thresholds.',
    unit: valueUnit(histogram(app.http_request_duration_seconds).spec),
    targets: [
      { expr: recorded.httpServiceQuantile.select({ ...service, quantile: '0.95' }), legend: '{{service}} p95' },
      { expr: recorded.httpServiceQuantile.select({ ...service, quantile: '0.99' }), legend: '{{service}} p99' },
    ],
    thresholds: upperThresholds(t.latencyP95Critical, t.latencyP95Warning),
    width: 8,
  });
}

export function serviceTraffic() {
  return timeseriesPanel({
    title: 'Traffic by service',
    description: 'Requests per second per service (recording service:http_requests:rate5m).',
    unit: rateUnit(app.http_requests_total),
    targets: [{ expr: recorded.httpServiceRate.select(service), legend: '{{service}}' }],
    min: 0,
    width: 8,
  });
}

export function serviceErrors(t: Thresholds) {
  return timeseriesPanel({
    title: 'Error ratio by service',
    description:
      'Share of requests answered with 5xx (recording service:http_request_errors:ratio_rate5m); 0 for a service without any 5xx. ' +
      'Thresholds: alerts.thresholds.errorRatioWarning / errorRatioCritical.',
    unit: RATIO_UNIT,
    // The recording is 0, not absent, for a service without any 5xx (ratioOrZero).
    targets: [{ expr: recorded.httpServiceErrorRatio.select(service), legend: '{{service}}' }],
    thresholds: upperThresholds(t.errorRatioCritical, t.errorRatioWarning),
    min: 0,
    width: 8,
  });
}

export function goldenSignalsRow(t: Thresholds): Row {
  return { title: 'Golden signals', panels: [serviceLatency(t), serviceTraffic(), serviceErrors(t)] };
}
