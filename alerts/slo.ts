/**
 * Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs"): for each
 * row of BURN_RATE_WINDOWS and each SLI, page (critical) or open a ticket (warning) when the error
 * budget burns `factor` times faster than the SLO period allows, over both the long window (it is
 * significant) and the short window (it is still happening, so the alert resets soon after
 * recovery). Error ratios per window come from the SLO recording rules (catalog/recorded.ts).
 */
import * as app from '../catalog/application';
import { durationSeconds } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { and, divByConstant, gt, histogram, series } from '../catalog/query';
import { sloErrorRatio } from '../catalog/recorded';
import { BURN_RATE_WINDOWS, type BurnRateWindow } from '../catalog/slos';
import { humanizeDuration, humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, segments } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type InputSeries, type RunbookText } from './types';

type Sli = 'availability' | 'latency';
const T = TEST_TARGETS.app;
const ROUTE = '/api/orders';
const PER_MINUTE = 10_000;

/** 1 - objective without float noise (1 - 0.995 is 0.0050000000000000044). */
function budgetOf(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

/**
 * PER_MINUTE requests a minute of which `bad` fail the SLI; with `badFor`, only during the first
 * `badFor` minutes (none fail afterwards).
 */
function traffic(sli: Sli, latencyBound: string, bad: number, badFor?: number): InputSeries[] {
  const good =
    badFor === undefined
      ? counter(PER_MINUTE - bad)
      : segments({ minutes: badFor, from: 0, perMinute: PER_MINUTE - bad }, { minutes: 0, from: (PER_MINUTE - bad) * badFor, perMinute: PER_MINUTE });
  const failed = badFor === undefined ? counter(bad) : segments({ minutes: badFor, from: 0, perMinute: bad }, { minutes: 0, from: bad * badFor, perMinute: 0 });
  if (sli === 'availability') {
    const requests = series(app.http_requests_total);
    return [
      input(requests, { ...T, method: 'GET', route: ROUTE, status: '200' }, good),
      input(requests, { ...T, method: 'GET', route: ROUTE, status: '500' }, failed),
    ];
  }
  // Latency: requests within the bound count into bucket le=<bound>; all of them into _count.
  const duration = histogram(app.http_request_duration_seconds);
  const labels = { ...T, method: 'GET', route: ROUTE, status: '200' } as const;
  return [input(duration.bucket, { ...labels, le: latencyBound }, good), input(duration.count, labels, counter(PER_MINUTE))];
}

const RUNBOOKS: Record<Sli, RunbookText> = {
  availability: {
    meaning:
      'The service fails (5xx) so many requests that, at this rate, it will use up its error budget for the SLO period early. The page alerts (1h and 6h windows) mean the budget goes within days; the ticket alerts (1d and 3d) mean a slow leak that still breaks the SLO if nothing changes.',
    causes: [
      'An ongoing incident: a bad deployment, a failing dependency (PostgreSQL, Redis), overload.',
      'For ticket alerts: a steady trickle of errors on one route, often a bug on an edge case or a flaky dependency call.',
    ],
    checks: [
      'Open the service overview dashboard and compare the error ratios over 5m, 1h and 6h: `service:slo_availability_errors:ratio_rate1h{service="<service>"}`.',
      'Find the failing routes and status codes: `sum by (route, status) (service_route_status:http_requests:rate5m{service="<service>",status=~"5.."})`.',
      'Check HttpErrorRateHigh, PostgresDown, RedisDown and recent deployments.',
    ],
    fixes: [
      'Mitigate first: roll back, fail over, scale out; fix the root cause once users are no longer affected.',
      'For ticket alerts, file the failing route as a bug with the error ratio and budget spent so far.',
      'If the SLO itself is wrong for this service, change observatory:slo in the stack config deliberately, not to silence the alert.',
    ],
  },
  latency: {
    meaning:
      'Too many requests are slower than the SLO latency bound: at this rate the service uses up its latency error budget before the end of the SLO period. Page alerts (1h, 6h windows) mean within days; ticket alerts (1d, 3d) mean a slow, steady degradation.',
    causes: [
      'Slow database queries, lock contention or connection pool waits.',
      'A low cache hit ratio sending more work to the database.',
      'CPU throttling or saturation; too few replicas for the load.',
      'A deployment that added an expensive code path.',
    ],
    checks: [
      'Compare the slow-request ratios over 5m, 1h and 6h on the service overview dashboard: `service:slo_latency_errors:ratio_rate1h{service="<service>"}`.',
      'Find slow routes: `service_route:http_request_duration_seconds:histogram_quantile_rate5m{service="<service>",quantile="0.99"}`.',
      'Check DatabaseQueriesSlow, CacheHitRateLow, HostCpuHigh and recent deployments; open slow traces from the "Slow requests, with traces" panel of the service overview.',
    ],
    fixes: [
      'Mitigate: roll back, scale out, or shed expensive work; then fix the slow path (index, query, cache).',
      'For ticket alerts, file the slow routes with their p99 and the budget spent.',
    ],
  },
};

function sloAlert(inputs: AlertInputs, sli: Sli, w: BurnRateWindow): AlertDefinition {
  const objective = sli === 'availability' ? inputs.slo.availabilityObjective : inputs.slo.latencyObjective;
  const objectiveKey = sli === 'availability' ? 'availabilityObjective' : 'latencyObjective';
  const budget = budgetOf(objective);
  const limit = w.factor * budget;
  if (limit >= 1) {
    throw new ObservatoryError(
      `stack ${inputs.config.stack}: observatory:slo.${objectiveKey}`,
      `(${objective}) leaves an error budget of ${humanizePercentage(budget)}; the ${w.factor}x burn-rate alert would need more than 100% of requests to fail. Use an objective above ${Number((1 - 1 / w.factor).toPrecision(4))}`,
    );
  }
  const burn = (window: string) => divByConstant(sloErrorRatio(sli, window).select(), budget);
  const Sli = sli === 'availability' ? 'Availability' : 'Latency';
  const what = sli === 'availability' ? 'fail with 5xx' : `take longer than ${humanizeDuration(inputs.slo.latencyThresholdSeconds)}`;
  const period = inputs.slo.period;
  const lastsSeconds = durationSeconds(period) / w.factor;
  const lasts = lastsSeconds >= 86400 ? `${Number((lastsSeconds / 86400).toPrecision(2))} days` : `${Number((lastsSeconds / 3600).toPrecision(2))} hours`;
  const kind = w.severity === 'critical' ? 'page' : 'ticket';
  const bound = String(inputs.slo.latencyThresholdSeconds);

  const badShare = Math.min(3 * limit, (limit + 1) / 2);
  // toPrecision: 10000 * 0.216 is 2160.0000000000005 in floating point, which must not round up.
  const bad = Math.ceil(Number((PER_MINUTE * badShare).toPrecision(12)));
  const okBad = Math.floor((PER_MINUTE * limit) / 2);
  const scenarios: AlertScenario[] = [
    { kind: 'fires', name: `${bad} of ${PER_MINUTE} requests a minute bad`, series: traffic(sli, bound, bad), activeAtMinutes: 1, labels: { service: T.service }, value: bad / PER_MINUTE / budget },
    { kind: 'quiet', name: `${okBad} of ${PER_MINUTE} requests a minute bad (half the burn rate)`, series: traffic(sli, bound, okBad) },
  ];
  // The short window at work: after the burn stops, the alert clears while the long window is still high.
  const forMin = Math.ceil(durationSeconds(w.for) / 60);
  const shortMin = durationSeconds(w.short) / 60;
  const badFor = 2 * shortMin + forMin;
  const evalAt = badFor + shortMin + 1;
  const longRatioAtEval = (badShare * badFor) / Math.min(evalAt, durationSeconds(w.long) / 60);
  if (w.severity === 'critical' && longRatioAtEval > 1.2 * limit) {
    scenarios.push({
      kind: 'quiet',
      name: `${bad} bad requests a minute for ${badFor} minutes, none for the last ${shortMin + 1} (long window still over, short window clean)`,
      series: traffic(sli, bound, bad, badFor),
      evalAtMinutes: evalAt,
    });
  }

  return defineAlert({
    name: `Slo${Sli}Burn${w.long}`,
    family: `Slo${Sli}Burn`,
    severity: w.severity,
    for: w.for,
    expr: and(gt(burn(w.long), w.factor), gt(burn(w.short), w.factor)),
    valueFormat: 'number',
    summary: (v) => `${v.label('service')}: ${sli} error budget burning ${v.value}x too fast (${w.long} window, ${kind})`,
    description: (v) =>
      `Service ${v.label('service')} is spending its ${sli} error budget ${v.value} times faster than sustainable over the last ${w.long}, and still more than ${w.factor} times over the last ${w.short}. The SLO lets ${humanizePercentage(budget)} of requests over ${period} ${what}; at ${w.factor} times that budget lasts ${lasts}.`,
    dashboard: 'serviceOverview',
    runbook: RUNBOOKS[sli],
    scenarios,
  });
}

export const sloAlerts: AlertConcern = {
  group: 'observatory-slo.alerts',
  alerts: (inputs) => (['availability', 'latency'] as const).flatMap((sli) => BURN_RATE_WINDOWS.map((w) => sloAlert(inputs, sli, w))),
};
