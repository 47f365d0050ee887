/**
 * The budget gate's PromQL (budget/queries.ts) evaluated by the real promtool on histograms and
 * counters of two pods, one of which restarts inside the window (its counters reset to 0). The
 * expected numbers are the reset-corrected increases: a query that ignored the reset (last minus
 * first) would count 9 of the restarted pod's requests where 21 were served.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { HTTP_DURATION_BUCKETS } from '../../catalog/application';
import { budgetQueries, QUANTILES, type QuantileMetric } from '../../budget/queries';
import { cleanedTempDir } from '../helpers';
import { runTool } from '../tools';

const tempDir = cleanedTempDir();

interface Pod {
  readonly instance: string;
  /** Observations (seconds) per minute, each with its status. */
  readonly perMinute: readonly { readonly seconds: number; readonly status: string }[];
  /** Minute at which the pod restarts: its counters read 0 there and grow again. */
  readonly restartAt?: number;
}

const ROUTE = '/api/items/:id';
const PODS: Pod[] = [
  { instance: 'api-0:8080', perMinute: [{ seconds: 0.02, status: '200' }, { seconds: 0.2, status: '200' }] },
  { instance: 'api-1:8080', perMinute: [{ seconds: 0.04, status: '200' }, { seconds: 0.4, status: '500' }, { seconds: 0.8, status: '200' }], restartAt: 5 },
];
const MINUTES = 15;
/** Evaluated at 10m30s over 9m: the samples at 2m..10m, 30 s inside each edge of the window. */
const EVAL_AT = '10m30s';
const WINDOW = '9m';
const FIRST = 2;
const LAST = 10;
/** increase() extrapolates the 8 sampled minutes to the 9-minute window (30 s at each edge). */
const EXTRAPOLATION = 9 / 8;

function counterValues(pod: Pod, perMinute: number): number[] {
  return Array.from({ length: MINUTES + 1 }, (_, t) => perMinute * (pod.restartAt !== undefined && t >= pod.restartAt ? t - pod.restartAt : t));
}

/** Reset-corrected increase between the samples at FIRST and LAST minutes, as Prometheus counts it. */
function correctedIncrease(values: number[]): number {
  let sum = 0;
  for (let t = FIRST + 1; t <= LAST; t++) sum += values[t] >= values[t - 1] ? values[t] - values[t - 1] : values[t];
  return sum;
}

const les = [...HTTP_DURATION_BUCKETS.map(String), '+Inf'];
const bound = (le: string) => (le === '+Inf' ? Infinity : Number(le));

function inputSeries(): { series: string; values: string }[] {
  return PODS.flatMap((pod) => {
    const base = `job="shop-api",service="api",instance="${pod.instance}",route="${ROUTE}",method="GET"`;
    const statuses = [...new Set(pod.perMinute.map((o) => o.status))];
    return [
      ...statuses.flatMap((status) =>
        les.map((le) => ({
          series: `http_request_duration_seconds_bucket{${base},status="${status}",le="${le}"}`,
          values: counterValues(pod, pod.perMinute.filter((o) => o.status === status && o.seconds <= bound(le)).length).join(' '),
        })),
      ),
      ...statuses.map((status) => ({
        series: `http_requests_total{${base},status="${status}"}`,
        values: counterValues(pod, pod.perMinute.filter((o) => o.status === status).length).join(' '),
      })),
    ];
  });
}

/** Cumulative counts per bucket over both pods, reset-corrected. */
function bucketCounts(): number[] {
  return les.map((le) => PODS.reduce((n, pod) => n + correctedIncrease(counterValues(pod, pod.perMinute.filter((o) => o.seconds <= bound(le)).length)), 0));
}

/** histogram_quantile's linear interpolation within the bucket. */
function bucketQuantile(q: number, cumulative: number[]): number {
  const rank = q * cumulative[cumulative.length - 1];
  const i = cumulative.findIndex((c) => c >= rank);
  const start = i === 0 ? 0 : HTTP_DURATION_BUCKETS[i - 1];
  const below = i === 0 ? 0 : cumulative[i - 1];
  return start + (HTTP_DURATION_BUCKETS[i] - start) * ((rank - below) / (cumulative[i] - below));
}

describe('budget queries over a counter reset (promtool test rules)', () => {
  it('count requests, 5xx and quantiles of the window with the restarted pod reset-corrected', () => {
    const requests = PODS.reduce((n, pod) => n + correctedIncrease(counterValues(pod, pod.perMinute.length)), 0);
    const errors = correctedIncrease(counterValues(PODS[1], 1));
    expect(requests).toBe(16 + 21);
    expect(errors).toBe(7);
    const counts = bucketCounts();
    const q = budgetQueries(WINDOW);
    const expected = (value: number) => Math.round(1e6 * value);
    const tests = (['service', 'route'] as const).flatMap((scope) => {
      const labels = scope === 'service' ? '{service="api"}' : `{route="${ROUTE}",service="api"}`;
      return [
        { expr: `round(1e6 * (${q[scope].requests}))`, eval_time: EVAL_AT, exp_samples: [{ labels, value: expected(requests * EXTRAPOLATION) }] },
        { expr: `round(1e6 * (${q[scope].errors}))`, eval_time: EVAL_AT, exp_samples: [{ labels, value: expected(errors * EXTRAPOLATION) }] },
        ...(Object.keys(QUANTILES) as QuantileMetric[]).map((name) => ({
          expr: `round(1e6 * (${q[scope].quantiles[name]}))`,
          eval_time: EVAL_AT,
          exp_samples: [{ labels, value: expected(bucketQuantile(QUANTILES[name], counts)) }],
        })),
      ];
    });
    // Three different quantiles, or the test could not tell them apart.
    expect(new Set(tests.slice(2, 5).map((t) => t.exp_samples[0].value)).size).toBe(3);

    const file = path.join(tempDir('budget-queries'), 'budget.test.yml');
    fs.writeFileSync(file, yaml.dump({ rule_files: [], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries(), promql_expr_test: tests }] }, { lineWidth: -1 }));
    const r = runTool('promtool', ['test', 'rules', file]);
    expect(r.output).not.toContain('FAILED');
    expect(r.code, r.output).toBe(0);
  });
});
