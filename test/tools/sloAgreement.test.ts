/**
 * The SLO numbers people read agree with the raw counters. With promtool evaluating the rendered
 * recording rules over eight hours of awkward traffic (a busy and a quiet period, a 5xx series
 * born mid-way, a pod restart), at the end:
 *   - the SLO stat panels (availability and latency SLI over the SLO period, and the error budget
 *     left) as Grafana sends them, and
 *   - the burn rates the SLO alerts compare (and the burn-rate panels plot), per long window,
 * must equal the independent computation from the raw counters,
 * `sum(increase(bad[W])) / sum(increase(all[W]))`, within TOLERANCE. The stack keeps 8h of
 * history, so its SLO period defaults to 8h (the same expression as a 30d period, shorter to
 * simulate). The same data is also counted here in TypeScript, as a check on increase() itself.
 *
 * Why a tolerance: the window ratios sum 5m rates, so a request counts fully once five minutes of
 * evaluations have seen it; requests in the last five minutes of the window count partly, and
 * requests in the five minutes before it too. increase() extrapolates at the window's edges and
 * ignores the first sample of a series born mid-way. Both sides see the same requests otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import * as app from '../../catalog/application';
import { divByConstant, histogram, series } from '../../catalog/query';
import { recordingRuleGroups, sloErrorRatio } from '../../catalog/recorded';
import { BURN_RATE_WINDOWS } from '../../catalog/slos';
import { TEST_TARGETS, counterOver, input } from '../../alerts/scenarioKit';
import { RULES_DIR } from '../../alerts/ruleFiles';
import { writeStacks } from '../../render/stagedWrite';
import { errorBudget } from '../../dashboards/rows/slo';
import { expandForAll } from '../../dashboards/queries';
import type { LintDashboard } from '../../dashboards/lint';
import { DASHBOARD_UIDS } from '../../dashboards/uids';
import { renderStack } from '../../render/renderStack';
import { cleanedTempDir, config } from '../helpers';
import { runTool } from '../tools';

/** Scratch directories of this file, removed when its tests are done. */
const tempDir = cleanedTempDir();

/** Absolute tolerance on ratios (0.0005 = 0.05 percentage points, a tenth of a 99.5% SLO's budget). */
const TOLERANCE = 0.0005;
/**
 * Relative tolerance on burn rates (3%: 14.4x reads between 14.0x and 14.8x). Measured on this
 * data: up to 2.0% (the 6h window, whose start cuts through the 5xx burst and whose last hour is
 * the worst); the 8h period ratios differ by less than 0.01 percentage points.
 */
const BURN_TOLERANCE = 0.03;

const MINUTES = 480;
const T = TEST_TARGETS.app;
const T2 = { ...T, instance: 'api-1:8080' };
const ROUTE = '/api/orders';

/** Per minute: requests of one pod, of which failed (5xx) and slow (> the latency bound). */
interface Minute {
  readonly total: number;
  readonly failed: number;
  readonly slow: number;
}
/** 4 busy hours with a 5xx burst (the 5xx series is born at 100), then 4 quiet ones where half the requests fail. */
function traffic(m: number): Minute {
  if (m < 240) return { total: 2000, failed: m >= 100 && m < 160 ? 20 : 0, slow: m % 7 === 0 ? 40 : 4 };
  return { total: 50, failed: m >= 400 ? 25 : 0, slow: 10 };
}

const requests = series(app.http_requests_total);
const duration = histogram(app.http_request_duration_seconds);

function podSeries(target: typeof T | typeof T2, bound: string, restartsAt: readonly number[]) {
  const life = { resetsAt: restartsAt };
  const failedBorn = 100;
  const labels = { ...target, method: 'GET', route: ROUTE } as const;
  return [
    input(requests, { ...labels, status: '200' }, counterOver((m) => traffic(m).total - traffic(m).failed, life)),
    input(requests, { ...labels, status: '500' }, counterOver((m) => traffic(m).failed, { bornAt: failedBorn, resetsAt: restartsAt.filter((r) => r > failedBorn) })),
    // Failed requests are fast; every request counts into _count and +Inf, the fast ones into le=<bound>.
    input(duration.bucket, { ...labels, status: '200', le: bound }, counterOver((m) => traffic(m).total - traffic(m).slow, life)),
    input(duration.bucket, { ...labels, status: '200', le: '+Inf' }, counterOver((m) => traffic(m).total, life)),
    input(duration.count, { ...labels, status: '200' }, counterOver((m) => traffic(m).total, life)),
  ];
}

/** Bad / all requests of both pods in minutes (end - window, end], counted exactly. */
function exactRatio(kind: 'failed' | 'slow', windowMinutes: number, end = MINUTES): number {
  let bad = 0;
  let all = 0;
  for (let m = Math.max(1, end - windowMinutes + 1); m <= end; m++) {
    bad += 2 * traffic(m)[kind];
    all += 2 * traffic(m).total;
  }
  return bad / all;
}

describe('SLO panels and burn rates agree with increase() over the raw counters', () => {
  const cfg = config({ retention: { time: '8h' } }, 'prod');
  const budget = { availability: errorBudget(cfg.slo.availabilityObjective), latency: errorBudget(cfg.slo.latencyObjective) };
  const bound = String(cfg.slo.latencyThresholdSeconds);
  const artifacts = renderStack(cfg);
  const overview = JSON.parse(artifacts.find((a) => a.path === `dashboards/${DASHBOARD_UIDS.serviceOverview}.json`)!.content) as LintDashboard;
  const panelExpr = (title: string) => {
    const p = (overview.panels ?? []).find((x) => x.title === title) as { targets?: readonly { expr: string }[] } | undefined;
    if (!p?.targets) throw new Error(`no panel "${title}"`);
    return expandForAll(p.targets[0].expr, overview, { rateInterval: '1m' });
  };
  const raw = (kind: 'failed' | 'slow', w: string) =>
    kind === 'failed'
      ? `sum by(service) (increase(http_requests_total{status=~"5.."}[${w}])) / sum by(service) (increase(http_requests_total[${w}]))`
      : `1 - sum by(service) (increase(http_request_duration_seconds_bucket{le="${bound}"}[${w}])) / sum by(service) (increase(http_request_duration_seconds_count[${w}]))`;

  it('the stack keeps 8h, so its SLO period is 8h', () => {
    expect(cfg.slo.period).toBe('8h');
  });

  it('promtool: every number within tolerance of increase(), and increase() of the exact counts', async () => {
    const out = tempDir('slo-agreement');
    await writeStacks(out, [{ stack: 'stack', artifacts }]);
    const dir = path.join(out, 'stack');
    const rulesDir = path.join(dir, RULES_DIR);
    const period = cfg.slo.period;
    const checks: { what: string; expr: string }[] = [];
    const near = (what: string, a: string, b: string, tol = TOLERANCE) => checks.push({ what, expr: `abs((${a}) - (${b})) <= bool ${tol}` });
    const nearRel = (what: string, a: string, b: string) => checks.push({ what, expr: `abs((${a}) / (${b}) - 1) <= bool ${BURN_TOLERANCE}` });
    // The panels, as Grafana sends them.
    near(`Availability (${period})`, panelExpr(`Availability (${period})`), `1 - (${raw('failed', period)})`);
    near(`Latency SLI (${period})`, panelExpr(`Latency SLI (${period})`), `1 - (${raw('slow', period)})`);
    near(`Availability error budget left (${period})`, panelExpr(`Availability error budget left (${period})`), `1 - (${raw('failed', period)}) / ${budget.availability}`, TOLERANCE / budget.availability);
    // increase() itself against the exact counts.
    near(`increase() availability over ${period}`, raw('failed', period), String(exactRatio('failed', MINUTES)));
    near(`increase() latency over ${period}`, raw('slow', period), String(exactRatio('slow', MINUTES)));
    // The burn rates the SLO alerts compare against their factors (and the burn-rate panels plot).
    for (const w of BURN_RATE_WINDOWS) {
      for (const sli of ['availability', 'latency'] as const) {
        const burn = divByConstant(sloErrorRatio(sli, w.long).select(), budget[sli]).toString();
        nearRel(`${sli} burn rate over ${w.long}`, burn, `(${raw(sli === 'availability' ? 'failed' : 'slow', w.long)}) / ${budget[sli]}`);
      }
    }
    const file = path.join(dir, 'agreement.test.yml');
    fs.writeFileSync(
      file,
      yaml.dump({
        rule_files: recordingRuleGroups(cfg.slo).map((g) => path.join(rulesDir, `${g.name}.yml`)),
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [...podSeries(T, bound, [300]), ...podSeries(T2, bound, [])].map((s) => ({ series: s.series, values: s.values(MINUTES + 1) })),
            promql_expr_test: checks.map((c) => ({ expr: c.expr, eval_time: `${MINUTES}m`, exp_samples: [{ labels: `{service="${T.service}"}`, value: 1 }] })),
          },
        ],
      }),
    );
    const r = runTool('promtool', ['test', 'rules', file]);
    expect(r.code, `${checks.map((c) => `${c.what}: ${c.expr}`).join('\n')}\n${r.output}`).toBe(0);
  }, 120_000);
});
