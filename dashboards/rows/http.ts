/**
 * HTTP panels of the API Performance dashboard: traffic, errors and latency by route. Route-level
 * series come from the 5m recording rules (catalog/recorded.ts), which are cheap at any time
 * range, per-instance throughput included.
 */
import * as app from '../../catalog/application';
import { histogram, ratioOrZero, sum } from '../../catalog/query';
import { LATENCY_QUANTILES, recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { NO_THRESHOLDS, timeseriesPanel, upperThresholds, warningThreshold, type Row } from '../common';
import { RATIO_UNIT, rateUnit, valueUnit } from '../units';
import { INSTANCE, ROUTE, SERVICE } from '../variables';

const byRoute = () => recorded.httpRouteStatusRate.select({ service: SERVICE, route: ROUTE });

export function requestRateByRoute() {
  return timeseriesPanel({
    title: 'Request rate by route',
    description: 'Requests per second per route (recording service_route_status:http_requests:rate5m, 5m window).',
    unit: rateUnit(app.http_requests_total),
    targets: [{ expr: sum(byRoute(), ['service', 'route']), legend: '{{service}} {{route}}' }],
  });
}

export function throughputByInstance() {
  return timeseriesPanel({
    title: 'Throughput by instance',
    description: 'Requests per second each instance serves (recorded 5m rate): shows an unbalanced or idle replica.',
    unit: rateUnit(app.http_requests_total),
    targets: [
      {
        expr: sum(recorded.httpRouteInstanceRate.select({ service: SERVICE, route: ROUTE, instance: INSTANCE }), ['service', 'instance']),
        legend: '{{service}} {{instance}}',
      },
    ],
  });
}

export function errorRatioByRoute(t: Thresholds) {
  const total = sum(byRoute(), ['service', 'route']);
  const errors = sum(recorded.httpRouteStatusRate.select({ service: SERVICE, route: ROUTE, status: { re: '5..' } }), ['service', 'route']);
  return timeseriesPanel({
    title: 'Error ratio by route',
    description:
      'Share of requests answered with 5xx. Routes without any 5xx show 0 rather than no data. ' +
      'Thresholds: alerts.thresholds.errorRatioWarning / errorRatioCritical, the values the error-rate alerts use.',
    unit: RATIO_UNIT,
    // A route that never failed has no 5xx series; ratioOrZero shows it as 0%, not as a gap.
    targets: [{ expr: ratioOrZero(errors, total), legend: '{{service}} {{route}}' }],
    thresholds: upperThresholds(t.errorRatioCritical, t.errorRatioWarning),
    min: 0,
  });
}

export function statusCodes() {
  return timeseriesPanel(
    {
      title: 'Responses by status code',
      description: 'Requests per second by HTTP status code, stacked: the distribution of outcomes.',
      unit: rateUnit(app.http_requests_total),
      targets: [{ expr: sum(byRoute(), ['status']), legend: '{{status}}' }],
    },
    { stacked: true },
  );
}

type LatencyQuantile = (typeof LATENCY_QUANTILES)[number];

const QUANTILE_THRESHOLDS: Record<LatencyQuantile, (t: Thresholds) => readonly dashboard.Threshold[]> = {
  0.5: () => NO_THRESHOLDS,
  0.95: (t) => upperThresholds(t.latencyP95Critical, t.latencyP95Warning),
  0.99: (t) => warningThreshold(t.latencyP99Warning),
};

const QUANTILE_NOTE: Record<LatencyQuantile, string> = {
  0.5: 'The typical request.',
  0.95: 'Thresholds: alerts.thresholds.latencyP95Warning / latencyP95Critical, as in the latency alerts.',
  0.99: 'The tail users feel as "the app hangs". Threshold: alerts.thresholds.latencyP99Warning (a ticket, not a page).',
};

export function latencyByRoute(t: Thresholds, quantile: LatencyQuantile) {
  const p = `p${Math.round(quantile * 100)}`;
  return timeseriesPanel({
    title: `Latency ${p} by route`,
    description: `${p} request latency per route (recorded histogram_quantile over a 5m window). ${QUANTILE_NOTE[quantile]}`,
    unit: valueUnit(histogram(app.http_request_duration_seconds).spec),
    targets: [{ expr: recorded.httpRouteQuantile.select({ service: SERVICE, route: ROUTE, quantile: String(quantile) }), legend: '{{service}} {{route}}' }],
    thresholds: QUANTILE_THRESHOLDS[quantile](t),
    width: 8,
  });
}

export function trafficRow(): Row {
  return { title: 'Traffic', panels: [requestRateByRoute(), throughputByInstance()] };
}

export function errorsRow(t: Thresholds): Row {
  return { title: 'Errors', panels: [errorRatioByRoute(t), statusCodes()] };
}

export function latencyRow(t: Thresholds): Row {
  return { title: 'Latency', panels: LATENCY_QUANTILES.map((q) => latencyByRoute(t, q)) };
}
