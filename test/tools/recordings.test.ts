/**
 * The latency-quantile recordings, checked with the real promtool (`promtool test rules`) on the
 * rendered rule files: per-pod histograms go in, and the recorded quantile per service must equal
 * the quantile of the pods' combined buckets, computed here by linear interpolation within the
 * bucket as Prometheus's histogram_quantile documents it. Two pods prove the instances are
 * summed; two services prove they are not mixed. Dashboards read these recordings instead of the
 * raw buckets, so a wrong grouping here would show wrong numbers on the API Performance dashboard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as yaml from 'js-yaml';
import * as app from '../../catalog/application';
import { LATENCY_QUANTILES, recorded } from '../../catalog/recorded';
import type { MetricSpec } from '../../catalog/types';
import { RULES_DIR } from '../../alerts/ruleFiles';
import { REPO, tempDir } from '../helpers';
import { runTool } from '../tools';

/** One latency histogram, the labels its pods report, and the observations each pod makes per minute. */
interface Case {
  readonly metric: MetricSpec;
  readonly recording: string;
  /** Labels the recording keeps, per service (the rest are summed away). */
  readonly keep: Readonly<Record<string, string>>;
  /** Labels the recording sums away besides instance (e.g. method, status). */
  readonly dropped: Readonly<Record<string, string>>;
  /** Observations per minute, per service, per pod. */
  readonly perMinute: Readonly<Record<string, readonly (readonly number[])[]>>;
}

/** Quantile of cumulative bucket counts by linear interpolation (first bucket starts at 0). */
function bucketQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number {
  const total = cumulative[cumulative.length - 1];
  const rank = q * total;
  const i = cumulative.findIndex((c) => c >= rank);
  if (i >= bounds.length) return bounds[bounds.length - 1]; // in +Inf: the highest finite bound
  const start = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : cumulative[i - 1];
  return start + (bounds[i] - start) * ((rank - below) / (cumulative[i] - below));
}

function cumulativeCounts(bounds: readonly number[], observations: readonly number[]): number[] {
  return [...bounds, Infinity].map((b) => observations.filter((o) => o <= b).length);
}

const MINUTES = 15;
const EVAL_AT = '10m';

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
}

function inputSeries(c: Case): { series: string; values: string }[] {
  const bounds = c.metric.buckets!;
  return Object.entries(c.perMinute).flatMap(([service, pods]) =>
    pods.flatMap((obs, pod) => {
      const base = { job: service, instance: `${service}-${pod}:8080`, service, ...c.keep, ...c.dropped };
      return cumulativeCounts(bounds, obs).map((count, i) => ({
        series: `${c.metric.name}_bucket{${labelText({ ...base, le: i < bounds.length ? String(bounds[i]) : '+Inf' })}}`,
        values: `0+${count}x${MINUTES}`,
      }));
    }),
  );
}

/** Expected recorded quantile (in microseconds, rounded, so float noise cannot fail the test). */
function expectedSamples(c: Case, q: number): { labels: string; value: number }[] {
  const bounds = c.metric.buckets!;
  return Object.entries(c.perMinute).map(([service, pods]) => ({
    labels: `{${labelText({ service, ...c.keep, quantile: String(q) })}}`,
    value: Math.round(1e6 * bucketQuantile(q, bounds, cumulativeCounts(bounds, pods.flat()))),
  }));
}

const CASES: Case[] = [
  {
    metric: app.db_query_duration_seconds,
    recording: recorded.dbQueryQuantile.name,
    keep: { operation: 'select', table: 'orders' },
    dropped: {},
    perMinute: {
      api: [
        [0.002, 0.004, 0.02, 0.03, 0.04, 0.2, 0.3, 0.6, 1.5, 3],
        [0.003, 0.003, 0.006, 0.008, 0.07, 0.09, 0.12, 0.4, 0.45, 0.8],
      ],
      worker: [[0.0005, 0.0007, 0.0009, 0.004], [0.0015, 0.002, 0.03, 4]],
    },
  },
  {
    metric: app.redis_operation_duration_seconds,
    recording: recorded.redisOpQuantile.name,
    keep: { operation: 'get' },
    dropped: {},
    perMinute: {
      api: [[0.00005, 0.0002, 0.0003, 0.0004, 0.0008, 0.002, 0.02], [0.0003, 0.0007, 0.0009, 0.004, 0.2, 0.5]],
      worker: [[0.0002, 0.0002, 0.0006], [0.003, 0.03, 0.07, 0.3]],
    },
  },
  {
    metric: app.http_request_duration_seconds,
    recording: recorded.httpRouteQuantile.name,
    keep: { route: '/api/items/:id' },
    dropped: { method: 'GET', status: '200' },
    perMinute: {
      api: [[0.003, 0.007, 0.02, 0.04, 0.08, 0.15, 0.25, 0.4, 0.6, 0.9, 1.5, 3, 7, 8], [0.004, 0.006, 0.03, 0.045, 0.09, 0.26]],
      worker: [[0.02, 0.03], [0.2, 0.6, 0.7, 4]],
    },
  },
];

describe('latency quantile recordings agree with the quantile of the summed buckets (promtool test rules)', () => {
  const rulesDir = path.join(REPO, 'generated', 'prod', RULES_DIR);

  it.each(CASES.map((c) => [c.recording, c] as const))('%s', (_name, c) => {
    const tests = LATENCY_QUANTILES.map((q) => ({
      expr: `round(1e6 * ${c.recording}{quantile="${q}"})`,
      eval_time: EVAL_AT,
      exp_samples: expectedSamples(c, q),
    }));
    // The expected values must differ between quantiles and services, or the test could not tell them apart.
    const values = tests.flatMap((t) => t.exp_samples.map((s) => s.value));
    expect(new Set(values).size, JSON.stringify(tests)).toBe(values.length);

    const work = tempDir('recordings');
    const file = path.join(work, 'recordings.test.yml');
    fs.writeFileSync(
      file,
      yaml.dump({
        rule_files: fs.readdirSync(rulesDir).filter((f) => f.endsWith('.recording.yml')).map((f) => path.join(rulesDir, f)),
        evaluation_interval: '1m',
        tests: [{ interval: '1m', input_series: inputSeries(c), promql_expr_test: tests }],
      }),
    );
    const r = runTool('promtool', ['test', 'rules', file]);
    expect(r.output).not.toContain('FAILED');
    expect(r.code, r.output).toBe(0);
  });

  it('the reference quantile interpolates within the bucket and caps at the highest finite bound', () => {
    // Buckets 1, 2, 4 with 2, 2 and 4 observations plus 2 above: p50 is rank 5, a quarter into (2, 4].
    expect(bucketQuantile(0.5, [1, 2, 4], [2, 4, 8, 10])).toBe(2.5);
    expect(bucketQuantile(0.1, [1, 2, 4], [2, 4, 8, 10])).toBe(0.5);
    expect(bucketQuantile(0.95, [1, 2, 4], [2, 4, 8, 10])).toBe(4);
  });
});
