/**
 * Building blocks for the promtool unit-test scenarios the concern modules write next to their
 * alerts: catalog-typed input selectors, sample generators in promtool's expanding notation, and
 * the target labels scraping attaches. Samples are one minute apart (TEST_INTERVAL in
 * unitTests.ts); generators receive how many samples the harness needs.
 */
import type { Matchers, SeriesHandle } from '../catalog/query';
import { SERVICE_LABELS } from '../generators/topology';
import type { InputSeries } from './types';

/** Target labels of the test series, as the scrape configs attach them. */
export const TEST_TARGETS = {
  app: { job: 'app-api', instance: 'api-0:8080', service: 'api' },
  postgres: { job: 'postgres-exporter', instance: 'postgres-exporter:9187', service: SERVICE_LABELS.postgresExporter },
  redis: { job: 'redis-exporter', instance: 'redis-exporter:9121', service: SERVICE_LABELS.redisExporter },
  node: { job: 'node-exporter', instance: 'node-exporter:9100', service: SERVICE_LABELS.nodeExporter },
  prometheus: { job: 'prometheus', instance: 'localhost:9090', service: SERVICE_LABELS.prometheus },
  alertmanager: { job: 'alertmanager', instance: 'alertmanager:9093', service: SERVICE_LABELS.alertmanager },
} as const;

/** Plain decimal text promtool parses (no exponent notation, no float noise beyond 12 digits). */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`test sample ${v} is not finite`);
  const rounded = Number(v.toPrecision(12));
  const text = String(rounded);
  if (/e/i.test(text)) throw new Error(`test sample ${v} needs exponent notation; pick a value between 1e-6 and 1e21`);
  return text;
}

/** A gauge holding `value` throughout. */
export function steady(value: number): (samples: number) => string {
  return (samples) => `${num(value)}+0x${samples - 1}`;
}

/** A counter starting at `start` (default 0) and growing by `perMinute` every sample. */
export function counter(perMinute: number, start = 0): (samples: number) => string {
  return (samples) => `${num(start)}+${num(perMinute)}x${samples - 1}`;
}

/**
 * Consecutive segments: each holds for its `minutes` samples (the last one for the rest). A
 * segment is [first value, increment per minute].
 */
export function segments(...parts: readonly { minutes: number; from: number; perMinute: number }[]): (samples: number) => string {
  return (samples) => {
    const out: string[] = [];
    let used = 0;
    parts.forEach((p, i) => {
      const n = i === parts.length - 1 ? Math.max(1, samples - used) : p.minutes;
      out.push(`${num(p.from)}${p.perMinute < 0 ? '-' : '+'}${num(Math.abs(p.perMinute))}x${n - 1}`);
      used += n;
    });
    return out.join(' ');
  };
}

/** An input series selected through a catalog handle, so tests cannot name unknown metrics or labels. */
export function input<L extends string>(handle: SeriesHandle<L>, labels: { readonly [K in L]?: string }, values: (samples: number) => string): InputSeries {
  return { series: handle.select(labels as Matchers<L>).toString(), values };
}

/** One sample of a generated series: a value, a missed scrape, or the staleness marker of a vanished target. */
export type Sample = number | 'missing' | 'stale';

/**
 * promtool expanding notation for explicit samples, one per minute: runs of a constant step
 * become `a+bxn`, missed scrapes `_xn`, a vanished target `stale`.
 */
export function sampled(at: (minute: number) => Sample): (samples: number) => string {
  return (samples) => {
    const values = Array.from({ length: samples }, (_, m) => at(m));
    const out: string[] = [];
    let i = 0;
    while (i < values.length) {
      const v = values[i];
      if (v === 'stale') {
        out.push('stale');
        i++;
      } else if (v === 'missing') {
        let j = i;
        while (j < values.length && values[j] === 'missing') j++;
        out.push(`_x${j - i}`);
        i = j;
      } else {
        const next = values[i + 1];
        const step = typeof next === 'number' ? Number((next - v).toPrecision(12)) : 0;
        let j = i + 1;
        while (j < values.length && typeof values[j] === 'number' && Number(((values[j] as number) - (values[j - 1] as number)).toPrecision(12)) === step) j++;
        out.push(`${num(v)}${step < 0 ? '-' : '+'}${num(Math.abs(step))}x${j - i - 1}`);
        i = j;
      }
    }
    return out.join(' ');
  };
}

/** How a counter's target behaves over the test: created lazily, restarted, scraped with gaps, gone. */
export interface CounterLife {
  /** First minute the series exists (prom-client creates a label set on its first increment). Default: 0 */
  readonly bornAt?: number;
  /** Minutes at which the process restarts: the counter starts again from that minute's increments. */
  readonly resetsAt?: readonly number[];
  /** [from, to) minutes without a successful scrape; the process keeps counting meanwhile. */
  readonly gaps?: readonly (readonly [number, number])[];
  /** Minute at which the target vanishes (staleness marker, no samples afterwards). */
  readonly vanishesAt?: number;
}

/**
 * A counter growing by `perMinute(m)` in minute m (its value at m includes m's increments), with
 * the given life. Before bornAt, during gaps and after vanishing it has no samples.
 */
export function counterOver(perMinute: (minute: number) => number, life: CounterLife = {}): (samples: number) => string {
  const born = life.bornAt ?? 0;
  return (samples) => {
    const values: Sample[] = [];
    let value = 0;
    for (let m = 0; m < samples; m++) {
      if (m < born) {
        values.push('missing');
        continue;
      }
      value = m === born || life.resetsAt?.includes(m) ? perMinute(m) : value + perMinute(m);
      if (life.vanishesAt !== undefined && m >= life.vanishesAt) values.push(m === life.vanishesAt ? 'stale' : 'missing');
      else if (life.gaps?.some(([from, to]) => m >= from && m < to)) values.push('missing');
      else values.push(value);
    }
    return sampled((m) => values[m])(samples);
  };
}

/** A gauge holding `value` with the given life (bornAt, gaps, vanishesAt; resets do not apply). */
export function gaugeOver(value: number, life: CounterLife = {}): (samples: number) => string {
  return (samples) =>
    sampled((m) => {
      if (m < (life.bornAt ?? 0)) return 'missing';
      if (life.vanishesAt !== undefined && m >= life.vanishesAt) return m === life.vanishesAt ? 'stale' : 'missing';
      if (life.gaps?.some(([from, to]) => m >= from && m < to)) return 'missing';
      return value;
    })(samples);
}
