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
