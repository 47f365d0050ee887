/**
 * Uptime alerts from the blackbox_exporter probes (generators/uptime.ts): a URL that failed
 * `uptime.failedProbes` probes in a row (seed 000: "alert after 2 failures"), and a certificate
 * that expires within `uptime.certExpiryDays`.
 *
 * "N probes in a row" is counted, not timed: over the last N probe intervals every sample of
 * probe_success is 0 and there are at least N of them, so a probe target that appears with one
 * failed probe (a new app, a restarted Prometheus) waits for its second, and a `for` of evaluations
 * (which need not line up with probes) plays no part.
 */
import * as bb from '../catalog/blackbox';
import { durationSeconds } from '../catalog/duration';
import { and, countOverTime, eq, ge, lt, maxOverTime, secondsUntil, series } from '../catalog/query';
import { UPTIME_JOB } from '../generators/uptime';
import { input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type AlertScenario, type InputSeries } from './types';

/** Target labels of a probe as the uptime job's relabelling sets them. */
const PROBE = { job: UPTIME_JOB, instance: 'http://api:8080/healthz', service: 'api' } as const;
const DAY = 86_400;

/** Probe samples in promtool notation: `ok` successes, then `failed` failures, then successes again. */
function probes(ok: number, failed: number): (samples: number) => string {
  return (samples) => {
    const parts: string[] = [];
    if (ok > 0) parts.push(`1x${ok - 1}`);
    if (failed > 0) parts.push(`0x${failed - 1}`);
    const rest = samples - ok - failed;
    if (rest > 0) parts.push(`1x${rest - 1}`);
    return parts.join(' ');
  };
}

/**
 * The first evaluation minute at which the last `n` probes (one every `interval` s, failing from
 * sample `firstFailed` on) all failed: what the rule must find, computed the way Prometheus
 * selects the window (left-open, `n * interval` long).
 */
export function firstFiringMinute(n: number, interval: number, firstFailed: number): number {
  for (let minute = 1; minute < 1000; minute++) {
    const t = minute * 60;
    const inWindow: number[] = [];
    for (let k = 0; k * interval <= t; k++) if (k * interval > t - n * interval) inWindow.push(k);
    if (inWindow.length >= n && inWindow.every((k) => k >= firstFailed)) return minute;
  }
  throw new Error('no firing minute found');
}

function probeFailingAlert(inputs: AlertInputs): AlertDefinition {
  const { failedProbes: n, interval } = inputs.config.uptime;
  const seconds = durationSeconds(interval);
  const window = `${n * seconds}s`;
  const success = series(bb.probe_success);
  // Failing from about minute 3 on; the rule must wait for the n-th failed probe.
  const firstFailed = Math.ceil(180 / seconds);
  const fireAt = firstFiringMinute(n, seconds, firstFailed);
  const evalAt = 5;
  const lastSample = Math.floor((evalAt * 60) / seconds);
  const spacing = { sampleSeconds: seconds };
  const scenarios: AlertScenario[] = [
    {
      kind: 'fires',
      name: `the health path fails from probe ${firstFailed + 1} on`,
      series: [input(success, PROBE, probes(firstFailed, 10_000))],
      activeAtMinutes: fireAt,
      labels: PROBE,
      value: 0,
      ...spacing,
    },
    { kind: 'quiet', name: 'every probe succeeds', series: [input(success, PROBE, steady(1))], evalAtMinutes: evalAt, ...spacing },
  ];
  if (n > 1) {
    scenarios.push(
      {
        kind: 'quiet',
        name: `${n - 1} failed probe(s) in a row, one short of uptime.failedProbes`,
        series: [input(success, PROBE, probes(lastSample - (n - 2), n - 1))],
        evalAtMinutes: evalAt,
        ...spacing,
      },
      {
        kind: 'quiet',
        name: 'a new probe target whose first probe fails (one sample in the window)',
        series: [{ series: success.select(PROBE).toString(), values: () => `_x${lastSample} 0` }],
        evalAtMinutes: evalAt,
        ...spacing,
      },
    );
  }
  return defineAlert({
    name: 'UptimeProbeFailing',
    family: 'Uptime',
    severity: 'critical',
    // The count of failed probes is the delay; a `for` on top would add evaluations, not probes.
    for: '0s',
    expr: and(eq(maxOverTime(success.range(window)), 0), ge(countOverTime(success.range(window)), n)),
    valueFormat: 'number',
    summary: (v) => `${v.label('service')}: ${v.label('instance')} failed ${n} uptime probes in a row`,
    description: (v) =>
      `The last ${n} probes of ${v.label('instance')} (service ${v.label('service')}, one every ${interval}: uptime.interval) failed (alerts after uptime.failedProbes = ${n}; probe_success ${v.value} throughout). blackbox_exporter got no connection, no answer within the probe timeout, or a status other than the one expected. Users reaching it the same way get errors.`,
    dashboard: 'serviceOverview',
    dashboardVariables: { service: 'service' },
    runbook: {
      meaning:
        'An uptime probe from inside the stack (blackbox_exporter) failed several times in a row. For an app it is its health path through the address every replica answers to, so no replica answered it healthily; for a URL of uptime.urls it is that URL as configured. It is the "external uptime check" of the seeds, run by the stack itself.',
      causes: [
        'Every replica of the app is down, restarting or failing its health check (crash loop, failed deploy, OOM kills).',
        'The health path answers an error because a dependency it checks (database, Redis) is down.',
        'The answer is slower than the probe timeout (at most 10 s, or uptime.interval if shorter).',
        'For a configured URL: DNS, TLS (an untrusted or expired certificate), a redirect where another status is expected, or a network path that is broken.',
      ],
      checks: [
        'Open the Uptime row of the Service Overview dashboard: which phase fails or slows down (resolve, connect, tls, processing, transfer) and the status code (`probe_http_status_code`).',
        'Ask blackbox_exporter for the details of one probe: `curl "http://blackbox-exporter:9115/probe?module=<module>&target=<url>&debug=true"` from inside the stack (the module is the `__param_module` of the uptime job in prometheus.yml).',
        'Check the app: `up{service="<service>"}`, restarts and readiness of its pods or containers, and its own logs.',
        'Check what the health path depends on: PostgresDown, RedisDown, HttpErrorRateHigh.',
      ],
      fixes: [
        'Restore the replicas (roll back the deploy, raise memory limits if they are OOM-killed).',
        'Fix the dependency the health path reports; a health path should check only what the app cannot serve without.',
        'For a wrong expectation (a URL that now redirects, a new status), correct uptime.urls[].expectedStatus.',
      ],
    },
    scenarios,
  });
}

function certificateAlert(inputs: AlertInputs): AlertDefinition {
  const days = inputs.config.uptime.certExpiryDays;
  const expiry = series(bb.probe_ssl_earliest_cert_expiry);
  const tls = { ...PROBE, instance: 'https://shop.example.com/', service: 'shop-public' } as const;
  const forMinutes = 15;
  // Samples start at time 0, so the timestamp is also the time left at the start.
  const soon = Math.round((days * DAY) / 2);
  const inputsFor = (values: (samples: number) => string): InputSeries[] => [input(expiry, tls, values)];
  return defineAlert({
    name: 'UptimeCertificateExpiring',
    family: 'UptimeCertificate',
    severity: 'warning',
    for: `${forMinutes}m`,
    expr: lt(secondsUntil(expiry.select()), days * DAY),
    valueFormat: 'duration',
    summary: (v) => `${v.label('service')}: the certificate of ${v.label('instance')} expires in ${v.value}`,
    description: (v) =>
      `The first certificate of the chain ${v.label('instance')} (service ${v.label('service')}) presents expires in ${v.value}, within uptime.certExpiryDays (${days} days). After that, clients refuse the connection and the uptime probe fails.`,
    dashboard: 'serviceOverview',
    dashboardVariables: { service: 'service' },
    runbook: {
      meaning: 'An https URL the stack probes presents a certificate that expires soon. Nothing is broken yet; when it expires, every client that verifies certificates fails.',
      causes: [
        'Automatic renewal (cert-manager, ACME, the load balancer) failed or is not set up.',
        'A certificate installed by hand, with no reminder.',
        'An intermediate certificate of the chain expiring, not the leaf.',
      ],
      checks: [
        'See which certificate: `openssl s_client -connect <host>:443 -servername <host> -showcerts </dev/null | openssl x509 -noout -subject -issuer -enddate` (repeat for each certificate of the chain).',
        'Check the renewal: cert-manager `kubectl describe certificate`, or the ACME client\'s log.',
        'The TLS certificate expiry panel of the Uptime row shows the time left for every https URL.',
      ],
      fixes: ['Renew the certificate and reload the server or load balancer that serves it.', 'Fix the automatic renewal so the next one happens by itself.'],
    },
    scenarios: [
      {
        kind: 'fires',
        name: `the certificate expires in ${days / 2} days`,
        series: inputsFor(steady(soon)),
        activeAtMinutes: 0,
        labels: tls,
        value: soon - forMinutes * 60,
        // Time left shrinks as the test runs: compare it at the real `for`, whatever --alert-for says.
        valueExactFromMinutes: forMinutes,
      },
      { kind: 'quiet', name: `the certificate expires in ${days * 2} days`, series: inputsFor(steady(days * 2 * DAY)) },
      {
        kind: 'quiet',
        name: 'the certificate was renewed after 5 minutes',
        series: inputsFor(segments({ minutes: 5, from: soon, perMinute: 0 }, { minutes: 0, from: 90 * DAY, perMinute: 0 })),
        evalAtMinutes: forMinutes + 5,
      },
    ],
  });
}

export const uptimeAlerts: AlertConcern = {
  group: 'observatory-uptime.alerts',
  alerts: (inputs) => (inputs.config.uptime.enabled ? [probeFailingAlert(inputs), certificateAlert(inputs)] : []),
};

