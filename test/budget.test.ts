/**
 * The budget gate's classification (budget/compare.ts), report and baselines, on measurements
 * written out here: levels at their boundaries, the direction of each metric, the floors,
 * insufficient data, new and removed routes, budgets and the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, type Budgets } from '../catalog/budgets';
import { baselineText, readBaseline, writeBaseline, type Baseline } from '../budget/baseline';
import { classifyChange, compare, exitCodeOf, requestsNeeded, type Row } from '../budget/compare';
import { formatChange, formatValue, markdownReport } from '../budget/markdown';
import { ALL_ROUTES, type Measurement } from '../budget/measure';
import { cleanedTempDir, errorOf } from './helpers';

const tempDir = cleanedTempDir();
const B: Budgets = DEFAULT_BUDGETS;
/** Budgets without absolute limits, so a test sees the regression level alone. */
const LEVELS_ONLY: Budgets = { ...B, latencyP95: null, latencyP99: null, errorRatio: null, throughput: null };

function m(route: string, over: Partial<Measurement> = {}): Measurement {
  return { service: 'api', route, requests: 5000, p50: 0.1, p95: 0.3, p99: 0.6, errorRatio: 0, throughput: 600, ...over };
}
const rowOf = (rows: Row[], route: string, metric: Row['metric']) => {
  const r = rows.find((x) => x.route === route && x.metric === metric);
  if (!r) throw new Error(`no row ${route} ${metric}`);
  return r;
};

describe('classifyChange: seed 002 levels', () => {
  it.each([
    [0.26, 'critical'],
    [0.2501, 'critical'],
    [0.25, 'high'],
    [0.16, 'high'],
    [0.15, 'medium'],
    [0.11, 'medium'],
    [0.1, 'low'],
    [0.07, 'low'],
    [0.05, 'none'],
    [0.03, 'none'],
    [0, 'none'],
    [-0.05, 'none'],
    [-0.051, 'improvement'],
    [-0.3, 'improvement'],
  ] as const)('%s worse -> %s', (worse, level) => {
    expect(classifyChange(worse, B.regression)).toBe(level);
  });
  it('follows configured levels', () => {
    expect(classifyChange(0.2, { low: 0.1, medium: 0.2, high: 0.3, critical: 0.5 })).toBe('low');
  });
});

describe('compare', () => {
  it('classifies each route by its own change; latency and errors worse upwards, throughput downwards', () => {
    const base = [m(ALL_ROUTES), m('/slow'), m('/bit-slower'), m('/same'), m('/faster'), m('/fewer')];
    const now = [
      m(ALL_ROUTES),
      m('/slow', { p50: 0.13, p95: 0.39, p99: 0.78 }),
      m('/bit-slower', { p50: 0.107, p95: 0.321 }),
      m('/same', { p50: 0.103, p95: 0.309, p99: 0.59 }),
      m('/faster', { p50: 0.08, p95: 0.24 }),
      m('/fewer', { throughput: 480, requests: 4000 }),
    ];
    const rows = compare(now, base, LEVELS_ONLY);
    expect(rowOf(rows, '/slow', 'p95')).toMatchObject({ level: 'critical', verdict: 'fail', baseline: 0.3, now: 0.39 });
    expect(rowOf(rows, '/slow', 'p95').change).toBeCloseTo(0.3, 10);
    expect(rowOf(rows, '/bit-slower', 'p50')).toMatchObject({ level: 'low', verdict: 'pass' });
    expect(rowOf(rows, '/bit-slower', 'p95')).toMatchObject({ level: 'low', verdict: 'pass' });
    expect(rowOf(rows, '/same', 'p99')).toMatchObject({ level: 'none', verdict: 'pass' });
    expect(rowOf(rows, '/faster', 'p50')).toMatchObject({ level: 'improvement', verdict: 'pass' });
    expect(rowOf(rows, '/fewer', 'throughput')).toMatchObject({ level: 'high', verdict: 'fail' });
    expect(rowOf(rows, '/fewer', 'throughput').change).toBeCloseTo(-0.2, 10);
    expect(rowOf(rows, '/faster', 'throughput')).toMatchObject({ level: 'none' });
    expect(exitCodeOf(rows)).toBe(1);
    expect(exitCodeOf(rows.filter((r) => r.route !== '/slow' && r.route !== '/fewer'))).toBe(0);
  });

  it('a medium regression warns and passes', () => {
    const rows = compare([m('/r', { p95: 0.339 })], [m('/r')], LEVELS_ONLY);
    expect(rowOf(rows, '/r', 'p95')).toMatchObject({ level: 'medium', verdict: 'warn' });
    expect(exitCodeOf(rows)).toBe(0);
  });

  it('measures error-ratio changes against the floor, so 0% -> 0.3% is a 30% regression, not an infinite one', () => {
    const rows = compare([m('/a', { errorRatio: 0.003 }), m('/b', { errorRatio: 0.0004 }), m('/c', { errorRatio: 0.12 })], [m('/a'), m('/b'), m('/c', { errorRatio: 0.1 })], LEVELS_ONLY);
    expect(rowOf(rows, '/a', 'errorRatio').change).toBeCloseTo(0.3, 10);
    expect(rowOf(rows, '/a', 'errorRatio').level).toBe('critical');
    expect(rowOf(rows, '/b', 'errorRatio').level).toBe('none');
    expect(rowOf(rows, '/c', 'errorRatio').change).toBeCloseTo(0.2, 10); // above the floor: relative to the baseline
  });

  it('measures latency below 5 ms against the floor', () => {
    const rows = compare([m('/tiny', { p50: 0.0013 })], [m('/tiny', { p50: 0.001 })], LEVELS_ONLY);
    expect(rowOf(rows, '/tiny', 'p50').change).toBeCloseTo(0.06, 10);
    expect(rowOf(rows, '/tiny', 'p50').level).toBe('low');
  });

  it('too few requests: insufficient data on either side, never a regression', () => {
    expect(requestsNeeded('p50', B)).toBe(100);
    expect(requestsNeeded('p95', B)).toBe(400);
    expect(requestsNeeded('p99', B)).toBe(2000);
    const base = [m('/quiet', { requests: 50 }), m('/mid', { requests: 1000 }), m('/was-quiet', { requests: 99 })];
    const now = [m('/quiet', { requests: 60, p95: 3, p99: 9, errorRatio: 0.5 }), m('/mid', { requests: 1000, p50: 0.2, p95: 0.6, p99: 5 }), m('/was-quiet', { requests: 5000, p50: 1 })];
    const rows = compare(now, base, LEVELS_ONLY);
    for (const metric of ['p50', 'p95', 'p99', 'errorRatio'] as const) expect(rowOf(rows, '/quiet', metric).level).toBe('insufficient data');
    expect(rowOf(rows, '/mid', 'p50').level).toBe('critical');
    expect(rowOf(rows, '/mid', 'p95').level).toBe('critical');
    expect(rowOf(rows, '/mid', 'p99').level).toBe('insufficient data'); // 1000 < 2000 requests
    expect(rowOf(rows, '/was-quiet', 'p50').level).toBe('insufficient data'); // the baseline had too few
    expect(exitCodeOf(rows.filter((r) => r.route !== '/mid'))).toBe(0);
  });

  it('with too few requests now, budgets are not checked, but a throughput drop still counts', () => {
    const rows = compare([m(ALL_ROUTES, { requests: 30, p95: 5, errorRatio: 1, throughput: 3 })], [m(ALL_ROUTES)], B);
    expect(rowOf(rows, ALL_ROUTES, 'p95')).toMatchObject({ level: 'insufficient data', budget: { checked: false, broken: false } });
    expect(rowOf(rows, ALL_ROUTES, 'errorRatio').verdict).toBe('pass');
    expect(rowOf(rows, ALL_ROUTES, 'throughput')).toMatchObject({ level: 'critical', budget: { checked: true, broken: true, action: 'warn' }, verdict: 'fail' });
  });

  it('a route missing from the baseline is new (budgets still apply), one missing now is removed', () => {
    const rows = compare([m('/new', { p95: 0.7 }), m('/idle', { requests: 0, throughput: 0, p50: null, p95: null, p99: null, errorRatio: null })], [m('/gone'), m('/idle')], B);
    expect(rowOf(rows, '/new', 'p50')).toMatchObject({ level: 'new', baseline: null, change: null });
    expect(rowOf(rows, '/new', 'p95')).toMatchObject({ level: 'new', budget: { broken: true, action: 'fail' }, verdict: 'fail' });
    for (const metric of ['p50', 'p95', 'errorRatio', 'throughput'] as const) {
      expect(rowOf(rows, '/gone', metric)).toMatchObject({ level: 'removed', now: null, verdict: 'pass' });
      expect(rowOf(rows, '/idle', metric)).toMatchObject({ level: 'removed', verdict: 'pass' });
    }
    expect(rows.map((r) => r.route)).toEqual([...Array(5).fill('/gone'), ...Array(5).fill('/idle'), ...Array(5).fill('/new')]);
    // A series without requests that the baseline did not serve either is no news, not "removed".
    const idle = m('/idle', { requests: 0, throughput: 0, p50: null, p95: null, p99: null, errorRatio: null });
    expect(rowOf(compare([idle], [idle], B), '/idle', 'p95').level).toBe('insufficient data');
    expect(rowOf(compare([idle], undefined, B), '/idle', 'p95').level).toBe('insufficient data');
  });

  it('without a baseline only budgets decide: p95 and error ratio fail, p99 and throughput warn, throughput only per service', () => {
    const now = [m(ALL_ROUTES, { p95: 0.45, p99: 1.2, throughput: 400 }), m('/r', { p95: 0.51, errorRatio: 0.06, throughput: 10 })];
    const rows = compare(now, undefined, B);
    expect(rowOf(rows, ALL_ROUTES, 'p95')).toMatchObject({ level: 'no baseline', budget: { broken: false }, verdict: 'pass' });
    expect(rowOf(rows, ALL_ROUTES, 'p99')).toMatchObject({ budget: { kind: 'max', limit: 1, broken: true, action: 'warn' }, verdict: 'warn' });
    expect(rowOf(rows, ALL_ROUTES, 'throughput')).toMatchObject({ budget: { kind: 'min', limit: 500, broken: true }, verdict: 'warn' });
    expect(rowOf(rows, '/r', 'p95').verdict).toBe('fail');
    expect(rowOf(rows, '/r', 'errorRatio').verdict).toBe('fail');
    expect(rowOf(rows, '/r', 'throughput').budget).toBeUndefined();
    expect(rowOf(rows, ALL_ROUTES, 'p50').budget).toBeUndefined(); // no p50 budget by default
    expect(exitCodeOf(rows)).toBe(1);
    expect(exitCodeOf(compare([now[0]], undefined, B))).toBe(0);
  });
});

describe('markdown report', () => {
  it('names every failing row, then the table', () => {
    const rows = compare([m(ALL_ROUTES), m('/items/:id', { p95: 0.39 }), m('/a|b', { p50: 0.107 })], [m(ALL_ROUTES), m('/items/:id'), m('/a|b')], B);
    const md = markdownReport(rows, { stack: 'dev', window: '10m', end: '2026-01-01T00:00:00.000Z' });
    expect(md).toMatch(/^## Performance budget: FAIL\n/);
    expect(md).toContain('1 failing, 0 warning');
    expect(md).toContain('- **fail** `api` `/items/:id` p95 390 ms: +30.0% against 300 ms (critical)');
    expect(md).toContain('| service | route | metric | baseline | now | change | level | budget |');
    expect(md).toContain('| `api` | `/items/:id` | p95 | 300 ms | 390 ms | +30.0% | critical | <= 500 ms: ok |');
    expect(md).toContain('| `api` | `/a\\|b` | p50 | 100 ms | 107 ms | +7.0% | low |  |');
    expect(md).toContain('| `api` | `(all)` | throughput | 600 req/s | 600 req/s | 0.0% | none | >= 500 req/s: ok |');
  });
  it('formats values and changes', () => {
    expect(formatValue('p95', 0.0123)).toBe('12.3 ms');
    expect(formatValue('p99', 1.5)).toBe('1.50 s');
    expect(formatValue('errorRatio', 0.0512)).toBe('5.12%');
    expect(formatValue('throughput', 42.25)).toBe('42.3 req/s');
    expect(formatValue('p50', null)).toBe('–');
    expect(formatChange(-0.0001)).toBe('0.0%');
    expect(formatChange(-0.2)).toBe('-20.0%');
  });
});

describe('baselines', () => {
  const baseline: Baseline = { version: 1, stack: 'dev', window: '10m', end: '2026-01-01T00:00:00.000Z', measurements: [m('/b'), m(ALL_ROUTES), m('/a', { p99: null })] };

  it('are written deterministically: sorted rows, fixed key order, the same bytes for the same data', () => {
    const dir = tempDir('baseline');
    const shuffled = { ...baseline, measurements: [...baseline.measurements].reverse().map((x) => Object.fromEntries(Object.entries(x).reverse()) as unknown as Measurement) };
    writeBaseline(path.join(dir, 'one.json'), baseline);
    writeBaseline(path.join(dir, 'two.json'), shuffled);
    const one = fs.readFileSync(path.join(dir, 'one.json'), 'utf8');
    expect(fs.readFileSync(path.join(dir, 'two.json'), 'utf8')).toBe(one);
    expect(one).toBe(baselineText(readBaseline(path.join(dir, 'one.json'))));
    expect(readBaseline(path.join(dir, 'one.json')).measurements.map((x) => x.route)).toEqual([ALL_ROUTES, '/a', '/b']);
    expect(fs.readdirSync(dir).sort()).toEqual(['one.json', 'two.json']); // no temporary files left
  });

  it('reject a bad file with one error naming the file and the problem', () => {
    const dir = tempDir('baseline-bad');
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    expect(errorOf(() => readBaseline(path.join(dir, 'missing.json'))).message).toMatch(/--baseline .*missing\.json: cannot be read: ENOENT/);
    expect(errorOf(() => readBaseline(write('text.json', 'p95=0.3'))).message).toMatch(/text\.json: is not JSON/);
    expect(errorOf(() => readBaseline(write('v2.json', JSON.stringify({ ...baseline, version: 2 })))).message).toMatch(/v2\.json: version: /);
    const noP95 = { ...baseline, measurements: [{ ...m('/a'), p95: 'fast' }] };
    expect(errorOf(() => readBaseline(write('p95.json', JSON.stringify(noP95)))).message).toMatch(/p95\.json: measurements\[0\]\.p95: /);
    const twice = { ...baseline, measurements: [m('/a'), m('/a')] };
    expect(errorOf(() => readBaseline(write('twice.json', JSON.stringify(twice)))).message).toContain('service "api" route "/a" appears twice');
  });
});
