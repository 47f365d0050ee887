/**
 * The adversarial suite: promtool scenarios built to break the alerts with awkward but ordinary
 * data, the data real Prometheus servers hold every day. Series born inside a window (a 5xx
 * counter appears with the first 5xx), counters that reset (a pod restarts), scrape gaps, a
 * numerator series that never appears (a cache that only missed), every target of a job
 * vanishing, traffic just below and just above the guards, and a busy and a quiet period in one
 * window. Each scenario says when the alert must fire, with exactly which labels, and when it
 * must not; the assertions read the `ALERTS` series promtool's rule evaluation writes, so they
 * test behaviour and never name a recording rule.
 *
 * The per-alert scenarios in the concern modules prove each alert works on tidy input; these
 * prove they keep working on untidy input. The test (test/tools/adversarial.test.ts) runs every
 * scenario against every committed stack's rendered rules.
 */
import * as app from '../catalog/application';
import { HTTP_DURATION_BUCKETS } from '../catalog/application';
import { histogram, series } from '../catalog/query';
import * as redis from '../catalog/redis';
import * as self from '../catalog/selfMonitoring';
import type { RenderContext } from '../generators/artifact';
import { appServices, infrastructureServices, type ScrapedService } from '../generators/prometheusConfig';
import { generatedHeader, toYaml } from '../generators/yaml';
import { humanizePercentage } from './humanize';
import { resolveAlerts, type ResolvedAlert } from './index';
import { HIT_RATIO_TARGET_LABEL } from './redis';
import { allRuleGroups } from './ruleFiles';
import { TEST_TARGETS, counterOver, gaugeOver, input, type CounterLife } from './scenarioKit';
import { targetsMissingAlertName } from './targets';
import type { InputSeries } from './types';
import { TEST_INTERVAL } from './unitTests';

/** The kinds of awkward data every relevant alert must survive (the issue's list). */
export type Awkwardness =
  | 'series born inside the window'
  | 'counter reset'
  | 'scrape gap'
  | 'numerator series never appears'
  | 'all targets of a job vanish'
  | 'traffic around the guard'
  | 'busy and quiet period in one window';

export interface AdversarialCheck {
  readonly atMinutes: number;
  /** The alert's label sets that must be firing then (rule labels are added); [] means it must not fire. */
  readonly firing: readonly Readonly<Record<string, string>>[];
}

export interface AdversarialScenario {
  readonly alert: string;
  readonly awkwardness: Awkwardness;
  readonly name: string;
  readonly series: readonly InputSeries[];
  readonly checks: readonly AdversarialCheck[];
}

const T = TEST_TARGETS.app;
const T2 = { ...T, instance: 'api-1:8080' };
const ROUTE = '/api/orders';
const requests = series(app.http_requests_total);
const buckets = histogram(app.http_request_duration_seconds).bucket;

/** http_requests_total of one pod: `ok(m)` 200s and `failed(m)` 500s in minute m. */
function httpTraffic(target: { readonly job: string; readonly instance: string; readonly service: string }, ok: (m: number) => number, failed: (m: number) => number, life: { ok?: CounterLife; failed?: CounterLife } = {}): InputSeries[] {
  return [
    input(requests, { ...target, method: 'GET', route: ROUTE, status: '200' }, counterOver(ok, life.ok)),
    input(requests, { ...target, method: 'GET', route: ROUTE, status: '500' }, counterOver(failed, life.failed)),
  ];
}

const quiet = (...minutes: number[]): AdversarialCheck[] => minutes.map((atMinutes) => ({ atMinutes, firing: [] }));
const fires = (labels: Record<string, string>, ...minutes: number[]): AdversarialCheck[] => minutes.map((atMinutes) => ({ atMinutes, firing: [labels] }));

function budgetOf(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

/** The SLO alerts: their error ratio must be the ratio of requests in the window. */
function sloScenarios(ctx: RenderContext): AdversarialScenario[] {
  const b = budgetOf(ctx.config.slo.availabilityObjective);
  const bound = String(ctx.config.slo.latencyThresholdSeconds);
  /** `all(m)` requests in minute m, `slow(m)` of them slower than the SLO bound. */
  const latencyTraffic = (all: (m: number) => number, slow: (m: number) => number): InputSeries[] => {
    const labels = { ...T, method: 'GET', route: ROUTE, status: '200' } as const;
    return [
      input(buckets, { ...labels, le: bound }, counterOver((m) => all(m) - slow(m))),
      input(buckets, { ...labels, le: '+Inf' }, counterOver(all)),
      input(histogram(app.http_request_duration_seconds).count, labels, counterOver(all)),
    ];
  };
  const perMinute = 1000;
  const service = { service: T.service };
  // 6h (6x): clean traffic, then a 10-minute burst holding exactly the budget of the 6 hours (1x).
  // The 30m short window burns at 12x, so only an honest 6h ratio keeps the page quiet.
  const burst6h = Math.ceil(b * perMinute * 36);
  const inBurst6h = (m: number) => m >= 330 && m < 340;
  // 1h (14.4x): a 5-minute burst worth half the 1h threshold; the 5m window is far above it.
  const burst1h = Math.ceil((14.4 * b * perMinute * 60) / 2 / 5);
  const inBurst1h = (m: number) => m >= 55 && m < 60;
  // 6h, a real incident: 36% of requests fail for the last hour (the 6h ratio reaches 6% = 12x budget at 0.5%).
  const real = Math.ceil(2 * 36000 * b);
  const inIncident = (m: number) => m >= 300;
  const perPodFailing = Math.round(3 * b * perMinute);
  return [
    {
      alert: 'SloAvailabilityBurn6h',
      awkwardness: 'series born inside the window',
      name: `5h30m of clean traffic, then ${burst6h} of ${perMinute} requests a minute fail for 10 minutes: the 6h burn is 1x; the 5xx series is born with the burst`,
      series: httpTraffic(T, (m) => perMinute - (inBurst6h(m) ? burst6h : 0), (m) => (inBurst6h(m) ? burst6h : 0), { failed: { bornAt: 330 } }),
      checks: quiet(340, 345, 350, 355, 360),
    },
    {
      alert: 'SloAvailabilityBurn1h',
      awkwardness: 'series born inside the window',
      name: `55 clean minutes, then ${burst1h} of ${perMinute} requests a minute fail for 5 minutes: the 1h burn is 7.2x (below 14.4x); the 5xx series is born with the burst`,
      series: httpTraffic(T, (m) => perMinute - (inBurst1h(m) ? burst1h : 0), (m) => (inBurst1h(m) ? burst1h : 0), { failed: { bornAt: 55 } }),
      checks: quiet(58, 60, 62, 64),
    },
    {
      alert: 'SloAvailabilityBurn6h',
      awkwardness: 'series born inside the window',
      name: `5 clean hours, then ${real} of ${perMinute} requests a minute fail: the 5xx series is born with the incident and the page must still come`,
      series: httpTraffic(T, (m) => perMinute - (inIncident(m) ? real : 0), (m) => (inIncident(m) ? real : 0), { failed: { bornAt: 300 } }),
      // Not before the 15m `for` could have elapsed; firing once the 6h ratio is past 6x and held.
      checks: [...quiet(314), ...fires(service, 360, 370)],
    },
    {
      alert: 'SloAvailabilityBurn1h',
      awkwardness: 'busy and quiet period in one window',
      name: '30 busy minutes (10000 requests a minute, 0.1% fail), then 35 quiet ones (10 a minute, half fail): 0.15% of the hour failed, a mean of 5m ratios would say 25%',
      series: httpTraffic(T, (m) => (m < 30 ? 9990 : 5), (m) => (m < 30 ? 10 : 5)),
      checks: quiet(60, 62, 64),
    },
    {
      alert: 'SloLatencyBurn1h',
      awkwardness: 'busy and quiet period in one window',
      name: `30 busy minutes (10000 requests a minute, 0.1% slower than ${bound} s), then 35 quiet ones (10 a minute, half slow): 0.15% of the hour was slow`,
      series: latencyTraffic((m) => (m < 30 ? 10_000 : 10), (m) => (m < 30 ? 10 : 5)),
      checks: quiet(60, 62, 64),
    },
    {
      alert: 'SloAvailabilityBurn1h',
      awkwardness: 'counter reset',
      // 6x the budget (below the 14.4x page) whatever the stack's objective: each pod fails 3x.
      name: `${2 * perPodFailing} of ${perMinute} requests a minute fail (${Number(((2 * perPodFailing) / perMinute / b).toPrecision(3))}x the budget) and pod api-0 restarts twice: a reset is not a burst`,
      series: [
        ...httpTraffic(T, () => perMinute / 2 - perPodFailing, () => perPodFailing, { ok: { resetsAt: [20, 41] }, failed: { resetsAt: [20, 41] } }),
        ...httpTraffic(T2, () => perMinute / 2 - perPodFailing, () => perPodFailing),
      ],
      checks: quiet(21, 30, 42, 50, 62),
    },
    {
      alert: 'SloAvailabilityBurn1h',
      awkwardness: 'scrape gap',
      name: `${Math.ceil(3 * 14.4 * b * perMinute)} of ${perMinute} requests a minute fail, and a 3-minute scrape gap at minute 20 does not interrupt the page`,
      series: httpTraffic(T, () => perMinute - Math.ceil(3 * 14.4 * b * perMinute), () => Math.ceil(3 * 14.4 * b * perMinute), { ok: { gaps: [[20, 23]] }, failed: { gaps: [[20, 23]] } }),
      checks: fires(service, 10, 21, 23, 30),
    },
    {
      alert: 'SloAvailabilityBurn1h',
      awkwardness: 'numerator series never appears',
      name: 'an hour of clean traffic without a single 5xx series',
      series: [input(requests, { ...T, method: 'GET', route: ROUTE, status: '200' }, counterOver(() => perMinute))],
      checks: quiet(5, 30, 62),
    },
  ];
}

/** HTTP 5xx and latency alerts: resets, gaps and the minRequestRate guard. */
function httpScenarios(ctx: RenderContext): AdversarialScenario[] {
  const { errorRatioCritical, latencyP95Critical, minRequestRate } = ctx.config.alerts.thresholds;
  const perMinute = 10_000;
  const failing = Math.ceil(perMinute * Math.min(2 * errorRatioCritical, (errorRatioCritical + 1) / 2));
  const half = Math.floor((perMinute * errorRatioCritical) / 2);
  const service = { service: T.service };
  const guard = (share: number) => Number((minRequestRate * 60 * share).toPrecision(12));
  const slowBucket = HTTP_DURATION_BUCKETS[HTTP_DURATION_BUCKETS.length - 1];
  /** Every request slower than the largest finite bucket (10 s): p95 reads as 10 s. */
  const slow = (per: number): InputSeries[] => [
    input(buckets, { ...T, method: 'GET', route: ROUTE, status: '200', le: '+Inf' }, counterOver(() => per)),
    input(buckets, { ...T, method: 'GET', route: ROUTE, status: '200', le: String(slowBucket) }, counterOver(() => 0)),
    input(requests, { ...T, method: 'GET', route: ROUTE, status: '200' }, counterOver(() => per)),
  ];
  if (!(latencyP95Critical < slowBucket)) throw new Error(`latencyP95Critical ${latencyP95Critical} is not below ${slowBucket}`);
  return [
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'counter reset',
      name: `${half} of ${perMinute} requests a minute fail (half the threshold) on two pods; api-0 is down for minutes 10-11 and restarts with fresh counters at 12`,
      series: [
        ...httpTraffic(T, () => perMinute / 2 - half / 2, () => half / 2, { ok: { gaps: [[10, 12]], resetsAt: [12] }, failed: { gaps: [[10, 12]], resetsAt: [12] } }),
        ...httpTraffic(T2, () => perMinute / 2 - half / 2, () => half / 2),
      ],
      checks: quiet(6, 10, 11, 12, 13, 15, 20),
    },
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'counter reset',
      name: `${failing} of ${perMinute} requests a minute fail; the pod restarts at minute 8 and the alert keeps firing`,
      series: httpTraffic(T, () => perMinute - failing, () => failing, { ok: { resetsAt: [8] }, failed: { resetsAt: [8] } }),
      checks: [...quiet(5), ...fires(service, 6, 8, 9, 12, 16)],
    },
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'scrape gap',
      name: `${failing} of ${perMinute} requests a minute fail, with a 3-minute scrape gap inside the \`for\``,
      series: httpTraffic(T, () => perMinute - failing, () => failing, { ok: { gaps: [[3, 6]] }, failed: { gaps: [[3, 6]] } }),
      checks: [...quiet(5), ...fires(service, 6, 10)],
    },
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'traffic around the guard',
      name: `every request fails at 90% of minRequestRate (${minRequestRate}/s)`,
      series: httpTraffic(T, () => 0, () => guard(0.9)),
      checks: quiet(6, 12, 20),
    },
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'traffic around the guard',
      name: `every request fails at 110% of minRequestRate (${minRequestRate}/s)`,
      series: httpTraffic(T, () => 0, () => guard(1.1)),
      checks: fires(service, 12, 20),
    },
    {
      alert: 'HttpLatencyP95High',
      awkwardness: 'traffic around the guard',
      name: `every request takes more than ${slowBucket} s at 90% of minRequestRate (${minRequestRate}/s)`,
      series: slow(guard(0.9)),
      checks: quiet(6, 12, 20),
    },
    {
      alert: 'HttpLatencyP95High',
      awkwardness: 'traffic around the guard',
      name: `every request takes more than ${slowBucket} s at 110% of minRequestRate (${minRequestRate}/s)`,
      series: slow(guard(1.1)),
      checks: fires({ ...service, quantile: '0.95' }, 12, 20),
    },
    {
      alert: 'HttpErrorRateHigh',
      awkwardness: 'numerator series never appears',
      name: `${perMinute} requests a minute, none ever failed (no 5xx series)`,
      series: [input(requests, { ...T, method: 'GET', route: ROUTE, status: '200' }, counterOver(() => perMinute))],
      checks: quiet(6, 12),
    },
  ];
}

/** Hit-ratio alerts whose hits series does not exist yet. */
function hitRatioScenarios(ctx: RenderContext): AdversarialScenario[] {
  const R = TEST_TARGETS.redis;
  const cache = { ...T, cache: 'feed' };
  // Well above alerts.thresholds.cacheMinLookupRate even while a fresh counter's 5m rate ramps up
  // (a fifth of the steady rate after one minute), so the guard holds from the first rate on.
  const perMinute = Math.max(100, Math.ceil(10 * ctx.config.alerts.thresholds.cacheMinLookupRate * 60));
  return [
    {
      alert: 'CacheHitRateLow',
      awkwardness: 'numerator series never appears',
      name: `the feed cache only misses (${perMinute} a minute); cache_hits_total{cache="feed"} never appears`,
      series: [input(series(app.cache_misses_total), cache, counterOver(() => perMinute))],
      // Active from the first rate (minute 1), `for` 10m.
      // The alert carries the target it missed: feed's own (alerts.cacheTargets) or the global minimum.
      checks: [...quiet(10), ...fires({ service: T.service, cache: 'feed', [HIT_RATIO_TARGET_LABEL]: humanizePercentage(ctx.config.alerts.cacheTargets.feed ?? ctx.config.alerts.thresholds.cacheHitRatioMin) }, 11, 15)],
    },
    {
      alert: 'RedisKeyspaceHitRateLow',
      awkwardness: 'numerator series never appears',
      name: `Redis only misses (${perMinute} lookups a minute); redis_keyspace_hits_total never appears`,
      series: [input(series(redis.redis_keyspace_misses_total), R, counterOver(() => perMinute))],
      checks: [...quiet(10), ...fires({ service: R.service, instance: R.instance }, 11, 15)],
    },
  ];
}

/** Target-absence alerts: every configured app and exporter job. */
function targetScenarios(ctx: RenderContext): AdversarialScenario[] {
  const up = series(self.up);
  const of = (s: ScrapedService, i: number, life: CounterLife) => input(up, { job: s.job, service: s.service, instance: `${s.service}-${i}:8080` }, gaugeOver(1, life));
  const targets = [
    ...appServices(ctx.config).map((s) => ({ s, name: targetsMissingAlertName(s, 'app'), why: 'pods Pending, scaled to 0, scrape annotation lost' })),
    ...infrastructureServices(ctx.config)
      .filter((s) => s.job !== 'prometheus')
      .map((s) => ({ s, name: targetsMissingAlertName(s, 'job'), why: 'job dropped from the running config, DaemonSet gone' })),
  ];
  return targets.flatMap(({ s, name, why }) => [
    {
      alert: name,
      awkwardness: 'all targets of a job vanish' as const,
      name: `both targets of ${s.service} (job ${s.job}) vanish at minute 10 (${why})`,
      series: [of(s, 0, { vanishesAt: 10 }), of(s, 1, { vanishesAt: 10 })],
      // Absent from minute 10, `for` 5m.
      checks: [...quiet(9, 14), ...fires({ job: s.job, service: s.service }, 15, 20)],
    },
    {
      alert: name,
      awkwardness: 'all targets of a job vanish' as const,
      name: `a rolling restart of ${s.service}: the old target vanishes at minute 10, the new one is scraped from minute 11`,
      series: [of(s, 0, { vanishesAt: 10 }), of(s, 1, { bornAt: 11 })],
      checks: quiet(10, 15, 16, 20),
    },
    {
      alert: name,
      awkwardness: 'scrape gap' as const,
      name: `Prometheus misses 3 minutes of scrapes of ${s.service} (a restart)`,
      series: [of(s, 0, { gaps: [[10, 13]] })],
      checks: quiet(12, 15, 20),
    },
  ]);
}

/** Every scenario for the stack, each checked against the alert it names (which must exist). */
export function adversarialScenarios(ctx: RenderContext): AdversarialScenario[] {
  return [...sloScenarios(ctx), ...httpScenarios(ctx), ...hitRatioScenarios(ctx), ...targetScenarios(ctx)];
}

function alertsSeries(alert: ResolvedAlert, labels: Readonly<Record<string, string>>): string {
  const all: Record<string, string> = { alertname: alert.def.name, alertstate: 'firing', ...labels, ...alert.labels };
  return `ALERTS{${Object.keys(all).sort().map((k) => `${k}=${JSON.stringify(all[k])}`).join(',')}}`;
}

/** A promtool test file for one scenario, loading every rule file of the stack. */
export function adversarialTestFile(ctx: RenderContext, scenario: AdversarialScenario, ruleFile: (group: string) => string): string {
  const alert = resolveAlerts(ctx).find((a) => a.def.name === scenario.alert);
  if (!alert) throw new Error(`adversarial scenario "${scenario.name}" names alert ${scenario.alert}, which stack ${ctx.config.stack} does not have`);
  const groups = allRuleGroups(ctx).map((g) => g.name);
  const samples = Math.max(...scenario.checks.map((c) => c.atMinutes)) + 2;
  const file = {
    rule_files: groups.map(ruleFile),
    evaluation_interval: TEST_INTERVAL,
    group_eval_order: groups,
    tests: [
      {
        name: `${scenario.alert} (${scenario.awkwardness}): ${scenario.name}`,
        interval: TEST_INTERVAL,
        input_series: scenario.series.map((s) => ({ series: s.series, values: s.values(samples) })),
        promql_expr_test: scenario.checks.map((c) => ({
          expr: `ALERTS{alertname="${scenario.alert}",alertstate="firing"}`,
          eval_time: `${c.atMinutes}m`,
          exp_samples: c.firing.map((labels) => ({ labels: alertsSeries(alert, labels), value: 1 })),
        })),
      },
    ],
  };
  return toYaml(file, generatedHeader(ctx.config.stack, 'alerts/adversarial.ts (test input)'));
}
