import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../catalog';
import { DEFAULT_SLO } from '../catalog/slos';
import { backfillRaw, splitIndexes, timeGrid } from '../bench/backfill';
import { DEFAULT_SCALE, planDataset } from '../bench/dataset';
import { FileSink, counterValues, escapeLabelValue, prng, seriesPrefix, typeLine, writeUint } from '../bench/openmetrics';
import { unitSeries } from '../bench/values';
import { config, tempDir } from './helpers';
import { requireTool, runTool } from './tools';

describe('OpenMetrics writer', () => {
  it('escapes label values and builds series prefixes', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(seriesPrefix('m_total', [['job', 'x'], ['le', '+Inf']])).toBe('m_total{job="x",le="+Inf"} ');
    expect(seriesPrefix('up', [])).toBe('up ');
  });

  it('declares counter families without _total and exporter counters as unknown', () => {
    expect(typeLine('http_requests_total', 'counter')).toBe('# TYPE http_requests counter\n');
    expect(typeLine('pg_stat_database_blks_hit', 'counter')).toBe('# TYPE pg_stat_database_blks_hit unknown\n');
    expect(typeLine('x_seconds', 'histogram')).toBe('# TYPE x_seconds histogram\n');
  });

  it('writes integers digit by digit and everything else as text', () => {
    const file = path.join(tempDir('om'), 'x.om');
    const sink = new FileSink(file);
    sink.writeSeries(Buffer.from('m '), [0, 7, 1234567890123, 0.25, NaN], [' 1\n', ' 2\n', ' 3\n', ' 4\n', ' 5\n'].map((s) => Buffer.from(s)), 0, 5);
    sink.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('m 0 1\nm 7 2\nm 1234567890123 3\nm 0.25 4\nm NaN 5\n# EOF\n');
    const b = Buffer.alloc(8);
    expect(b.toString('latin1', 0, writeUint(b, 0, 90210))).toBe('90210');
  });

  it('makes counters that only grow', () => {
    const v = counterValues(0, 15, 500, 3, prng(1));
    for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThanOrEqual(v[i - 1]);
    expect(v[v.length - 1] - v[0]).toBeGreaterThan(500 * 15);
  });
});

describe('data set plan', () => {
  const prod = config({ apps: [{ name: 'shop-api', image: 'r/a:1', port: 8080 }, { name: 'checkout', image: 'r/b:1', port: 8080 }] });
  const plan = planDataset(prod, getCatalog(), DEFAULT_SCALE, ['/r/x.yml;x']);
  const count = (name: string) => plan.units.filter((u) => u.metric.name === name).reduce((n, u) => n + u.seriesCount, 0);

  it('has at least 20 routes x 4 methods x 5 statuses x 6 pods of http_requests_total', () => {
    expect(count('http_requests_total')).toBe(20 * 4 * 5 * 6);
    const pods = new Set(plan.units.filter((u) => u.metric.name === 'http_requests_total').map((u) => u.labels.find(([k]) => k === 'instance')![1]));
    expect(pods.size).toBe(6);
  });

  it('gives the latency histogram every bucket plus +Inf, _sum and _count', () => {
    expect(count('http_request_duration_seconds')).toBe(20 * 4 * DEFAULT_SCALE.histogramStatuses * 6 * (13 + 3));
  });

  it('covers every catalog metric with the target labels of its job', () => {
    for (const m of getCatalog().metrics) expect(count(m.name), m.name).toBeGreaterThan(0);
    const pg = plan.units.find((u) => u.metric.name === 'pg_up')!;
    expect(Object.fromEntries(pg.labels)).toMatchObject({ job: 'postgres-exporter', service: 'postgres' });
  });

  it('writes monotonic histogram buckets ending in +Inf = count', () => {
    const unit = plan.units.find((u) => u.metric.name === 'http_request_duration_seconds')!;
    const series = unitSeries(unit, { startSeconds: 0, intervalSeconds: 15, steps: 50 });
    const buckets = series.filter((s) => s.name.endsWith('_bucket'));
    const count = series.find((s) => s.name.endsWith('_count'))!;
    for (let i = 0; i < 50; i++) {
      for (let b = 1; b < buckets.length; b++) expect(buckets[b].values[i]).toBeGreaterThanOrEqual(buckets[b - 1].values[i]);
      expect(buckets[buckets.length - 1].values[i]).toBe(count.values[i]);
    }
    expect(buckets.map((b) => b.labels.find(([k]) => k === 'le')![1])).toContain(String(DEFAULT_SLO.latencyThresholdSeconds));
  });
});

describe('time split', () => {
  it('cuts at 2 h boundaries into non-overlapping parts covering every sample', () => {
    const grid = timeGrid(1_700_000_000, 24, 15);
    expect(grid.steps).toBe(5760);
    const cuts = splitIndexes(grid, 4);
    expect(cuts[0]).toBe(0);
    expect(cuts[cuts.length - 1]).toBe(5760);
    for (let i = 1; i + 1 < cuts.length; i++) {
      expect((grid.startSeconds + cuts[i] * 15) % 7200).toBe(0);
      expect(cuts[i]).toBeGreaterThan(cuts[i - 1]);
    }
  });
});

describe('backfill with the real promtool', () => {
  it('turns a small data set into non-overlapping blocks holding every sample', async () => {
    requireTool('promtool');
    const dir = tempDir('bench-backfill');
    const small = config({ apps: [{ name: 'api', image: 'r/a:1', port: 8080 }] });
    const plan = planDataset(small, getCatalog(), { routes: 2, methods: 1, statuses: 2, histogramStatuses: 1, pods: 1, hours: 6 });
    const grid = timeGrid(Math.floor(Date.now() / 1000), 6, 15);
    const r = await backfillRaw(plan, grid, path.join(dir, 'work'), path.join(dir, 'data'), () => undefined);
    const list = runTool('promtool', ['tsdb', 'list', path.join(dir, 'data')]);
    expect(list.code, list.output).toBe(0);
    const rows = list.output.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const samples = rows.reduce((n, c) => n + Number(c[4]), 0);
    expect(samples).toBe(r.samples);
    const ranges = rows.map((c) => [Number(c[1]), Number(c[2])]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
  });
});
