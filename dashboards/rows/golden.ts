/**
 * The four golden signals per service (Service overview): latency, traffic and errors from the
 * service-level recording rules; saturation is its own row (saturation.ts).
 */
import * as app from '../../catalog/application';
import { histogram, histogramQuantile, rate, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { timeseriesPanel, upperThresholds, warningThreshold, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { SERVICE } from '../variables';

const service = { service: SERVICE };

/** One panel per quantile, each against its own alert threshold (p99's is a ticket, p95's also pages). */
export function serviceLatency(t: Thresholds, quantile: '0.95' | '0.99') {
  const p = quantile === '0.95' ? 'p95' : 'p99';
  return timeseriesPanel({
    title: `Latency ${p} by service`,
    description:
      `${p} request latency per service (recording service:http_request_duration_seconds:histogram_quantile_rate5m). ` +
      (quantile === '0.95'
        ? 'Thresholds: alerts.thresholds.latencyP95Warning / latencyP95Critical (HttpLatencyP95Elevated / High).'
        : 'Threshold: alerts.thresholds.latencyP99Warning (HttpLatencyP99Elevated, a ticket).'),
    unit: valueUnit(histogram(app.http_request_duration_seconds).spec),
    targets: [{ expr: recorded.httpServiceQuantile.select({ ...service, quantile }), legend: `{{service}} ${p}` }],
    thresholds: quantile === '0.95' ? upperThresholds(t.latencyP95Critical, t.latencyP95Warning) : warningThreshold(t.latencyP99Warning),
    width: 6,
  });
}

export function serviceTraffic() {
  return timeseriesPanel({
    title: 'Traffic by service',
    description: 'Requests per second per service (recording service:http_requests:rate5m).',
    unit: rateUnit(app.http_requests_total),
    targets: [{ expr: recorded.httpServiceRate.select(service), legend: '{{service}}' }],
    min: 0,
    width: 6,
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
    width: 6,
  });
}

/**
 * Where a latency runbook says "look at a slow trace": p99 from the raw buckets, because only
 * raw series carry exemplars (recording rules drop them). Each dot is one request, its trace ID
 * a link into the Jaeger datasource (datasource exemplarTraceIdDestinations). Raw, so it costs
 * more than the recorded panels at long ranges; it is one query over the selected services.
 */
export function slowRequestTraces(t: Thresholds) {
  const durations = histogram(app.http_request_duration_seconds);
  return timeseriesPanel({
    title: 'Slow requests, with traces',
    description:
      'p99 request latency per service from the raw histogram, with exemplars: each dot is one request with its trace ID; ' +
      'click it to open the trace in Jaeger and see where the time went. Threshold: alerts.thresholds.latencyP99Warning.',
    unit: valueUnit(durations.spec),
    targets: [{ expr: histogramQuantile(0.99, sum(rate(durations.bucket.range('$__rate_interval', service)), ['service', 'le'])), legend: '{{service}} p99', exemplar: true }],
    thresholds: warningThreshold(t.latencyP99Warning),
    width: 24,
  });
}

export function goldenSignalsRow(t: Thresholds): Row {
  return { title: 'Golden signals', panels: [serviceLatency(t, '0.95'), serviceLatency(t, '0.99'), serviceTraffic(), serviceErrors(t), slowRequestTraces(t)] };
}
