/**
 * Sample values of one planned label set: which series it expands to and plausible numbers for
 * each (traffic per route/method/status, log-normal latencies, wandering gauges). Deterministic:
 * the seed comes from the labels. Pure.
 */
import type { SeriesUnit } from './dataset';
import { bucketValues, counterValues, gaugeValues, hash32, logNormalCdf, prng, type LabelPairs } from './openmetrics';

export interface SeriesValues {
  readonly name: string;
  readonly labels: LabelPairs;
  readonly values: Float64Array;
}

export interface TimeGrid {
  readonly startSeconds: number;
  readonly intervalSeconds: number;
  readonly steps: number;
}

const label = (labels: LabelPairs, name: string) => labels.find(([k]) => k === name)?.[1];

/** Requests per second of a label set: popular routes, mostly GET, mostly 2xx, a few 5xx. */
export function requestRate(labels: LabelPairs): number {
  const route = label(labels, 'route') ?? '';
  const popularity = 0.2 + (hash32(route) % 100) / 40; // 0.2 .. 2.7 req/s
  const method = label(labels, 'method');
  const methodShare = method === undefined ? 1 : ({ GET: 1, POST: 0.3, PUT: 0.1, DELETE: 0.05 } as Record<string, number>)[method] ?? 0.05;
  const status = label(labels, 'status');
  const statusShare = status === undefined ? 1 : status === '200' ? 1 : status.startsWith('2') ? 0.1 : status.startsWith('4') ? 0.02 : 0.004;
  return popularity * methodShare * statusShare;
}

function seedOf(name: string, labels: LabelPairs): number {
  return hash32(name + labels.map(([k, v]) => `${k}=${v}`).join(','));
}

function counterRate(unit: SeriesUnit): number {
  const m = unit.metric;
  if (m.name.startsWith('http_')) return requestRate(unit.labels);
  if (m.unit === 'seconds') return label(unit.labels, 'mode') === 'idle' ? 0.7 : 0.04; // CPU seconds per second
  return 0.5 + (seedOf(m.name, unit.labels) % 50) / 10;
}

function gaugeShape(unit: SeriesUnit): { base: number; spread: number; integer: boolean } {
  const m = unit.metric;
  const isMax = /(^|_)max(_|$)/.test(m.name) || m.name.endsWith('MemTotal_bytes') || m.name.endsWith('size_bytes');
  switch (m.unit) {
    case 'bytes':
      return { base: isMax ? 8e9 : 2e9 + (seedOf(m.name, unit.labels) % 1000) * 1e6, spread: isMax ? 0 : 0.1, integer: true };
    case 'boolean':
      return { base: /error|fail/.test(m.name) ? 0 : 1, spread: 0, integer: true };
    case 'ratio':
      return { base: 0.5, spread: 0.5, integer: false };
    case 'seconds':
      return { base: 0.05, spread: 0.5, integer: false };
    case 'info':
      return { base: 1, spread: 0, integer: true };
    default:
      return { base: isMax ? 100 : 20, spread: isMax ? 0 : 0.5, integer: true };
  }
}

/** The series of one unit with their values on the grid. */
export function unitSeries(unit: SeriesUnit, grid: TimeGrid): SeriesValues[] {
  const m = unit.metric;
  const rand = prng(seedOf(m.name, unit.labels));
  if (m.type === 'gauge') {
    const g = gaugeShape(unit);
    return [{ name: m.name, labels: unit.labels, values: gaugeValues(grid.steps, g.base, g.spread, g.integer, rand) }];
  }
  if (m.type === 'counter') {
    return [{ name: m.name, labels: unit.labels, values: counterValues(grid.startSeconds, grid.intervalSeconds, grid.steps, counterRate(unit), rand) }];
  }
  const buckets = m.buckets ?? [];
  const counts = counterValues(grid.startSeconds, grid.intervalSeconds, grid.steps, m.name.startsWith('http_') ? requestRate(unit.labels) : counterRate(unit), rand);
  // Median latency somewhere in the lower third of the bucket range, per label set.
  const anchor = buckets[Math.floor(buckets.length / 3)] ?? 0.1;
  const median = anchor * (0.4 + (seedOf(m.name, unit.labels) % 100) / 100);
  const sigma = 0.9;
  const mean = median * Math.exp((sigma * sigma) / 2);
  const out: SeriesValues[] = buckets.map((le) => ({
    name: `${m.name}_bucket`,
    labels: [...unit.labels, ['le', String(le)]],
    values: bucketValues(counts, logNormalCdf(le, median, sigma)),
  }));
  out.push({ name: `${m.name}_bucket`, labels: [...unit.labels, ['le', '+Inf']], values: counts });
  const sums = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) sums[i] = Math.round(counts[i] * mean * 1000) / 1000;
  out.push({ name: `${m.name}_sum`, labels: unit.labels, values: sums });
  out.push({ name: `${m.name}_count`, labels: unit.labels, values: counts });
  return out;
}
