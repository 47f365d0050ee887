import { SCRAPE_SERIES_NAMES } from '../catalog/selfMonitoring';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_METRICS, getCatalog, loadCatalog } from '../catalog';
import { checkMetricNaming } from '../catalog/naming';
import { defineMetric, type MetricSpec } from '../catalog/types';
import { http_requests_total } from '../catalog/application';
import { errorOf, REPO } from './helpers';

const base: MetricSpec = {
  name: 'orders_created_total',
  type: 'counter',
  unit: 'count',
  help: 'Orders created.',
  source: 'application',
  labels: { channel: { help: 'Sales channel.' } },
};

describe('catalog loading', () => {
  it('loads the project catalog and indexes histogram series', () => {
    const c = getCatalog();
    expect(c.metrics.length).toBe(ALL_METRICS.length);
    expect(c.series.get('http_request_duration_seconds_bucket')?.labels.has('le')).toBe(true);
    expect(c.series.get('http_request_duration_seconds_count')?.labels.has('le')).toBe(false);
    expect(c.series.has('http_request_duration_seconds')).toBe(false);
    expect(c.series.get('http_requests_total')?.labels).toEqual(new Set(['method', 'route', 'status', 'job', 'instance', 'service']));
  });

  it('holds every application metric the apps expose, with the labels the issue lists', () => {
    const expected: Record<string, [string, string[]]> = {
      http_requests_total: ['counter', ['method', 'route', 'status']],
      http_request_duration_seconds: ['histogram', ['method', 'route', 'status']],
      db_queries_total: ['counter', ['operation', 'table']],
      db_query_duration_seconds: ['histogram', ['operation', 'table']],
      redis_operations_total: ['counter', ['operation']],
      redis_operation_duration_seconds: ['histogram', ['operation']],
      cache_hits_total: ['counter', ['cache']],
      cache_misses_total: ['counter', ['cache']],
      active_connections: ['gauge', ['type']],
    };
    const apps = getCatalog().metrics.filter((m) => m.source === 'application');
    expect(Object.fromEntries(apps.map((m) => [m.name, [m.type, Object.keys(m.labels)]]))).toEqual(expected);
    for (const m of apps.filter((a) => a.type === 'histogram')) expect(m.buckets!.length).toBeGreaterThan(5);
  });

  it('rejects a metric defined twice, and histogram series clashing with another metric', () => {
    expect(errorOf(() => loadCatalog([base, base])).message).toBe('catalog.orders_created_total: is defined twice (or clashes with a histogram series of another metric)');
    const h = defineMetric({ name: 'job_duration_seconds', type: 'histogram', unit: 'seconds', help: 'x', source: 'application', labels: {}, buckets: [1, 2] });
    const clash: MetricSpec = { ...base, name: 'job_duration_seconds_sum', type: 'gauge', unit: 'seconds', namingExceptions: undefined };
    // A gauge ending in _sum is already refused by the naming rules, before the clash.
    expect(errorOf(() => loadCatalog([h, clash])).problem).toContain('reserved suffix "_sum"');
  });
});

describe('naming rules', () => {
  const cases: [string, Partial<MetricSpec>, string][] = [
    ['counter without _total', { name: 'orders_created' }, 'catalog.orders_created: counter names must end in "_total"'],
    ['gauge with _total', { name: 'queue_depth_total', type: 'gauge' }, 'catalog.queue_depth_total: only counters may end in "_total" (this is a gauge)'],
    ['milliseconds', { name: 'render_time_ms', type: 'gauge', unit: 'seconds' }, 'catalog.render_time_ms: uses non-base unit "ms"; use seconds, bytes or a 0..1 ratio'],
    ['seconds unit not in name', { name: 'render_time', type: 'gauge', unit: 'seconds' }, 'catalog.render_time: unit "seconds" must appear in the name as "_seconds"'],
    ['invalid characters', { name: 'orders-created_total' }, 'catalog.orders-created_total: metric name must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (colons are reserved for recording rules)'],
    ['colon in name', { name: 'job:orders:total' }, 'catalog.job:orders:total: metric name must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (colons are reserved for recording rules)'],
    ['reserved label le', { labels: { le: { help: 'x' } } }, 'catalog.orders_created_total: label "le" is reserved (set by Prometheus or the scrape config)'],
    ['target label service', { labels: { service: { help: 'x' } } }, 'catalog.orders_created_total: label "service" is reserved (set by Prometheus or the scrape config)'],
    ['label starting with __', { labels: { __x: { help: 'x' } } }, 'catalog.orders_created_total: label "__x" starts with "__", which Prometheus reserves'],
    ['invalid label name', { labels: { 'sales-channel': { help: 'x' } } }, 'catalog.orders_created_total: label "sales-channel" must match ^[a-zA-Z_][a-zA-Z0-9_]*$'],
    ['empty allowed values', { labels: { channel: { help: 'x', values: [] } } }, 'catalog.orders_created_total: label "channel" lists no allowed values; omit "values" for an unbounded label'],
    ['empty help', { help: ' ' }, 'catalog.orders_created_total: help text is empty'],
    ['histogram without buckets', { name: 'checkout_duration_seconds', type: 'histogram', unit: 'seconds' }, 'catalog.checkout_duration_seconds: application histograms need buckets'],
    ['buckets not increasing', { name: 'checkout_duration_seconds', type: 'histogram', unit: 'seconds', buckets: [0.1, 0.5, 0.5] }, 'catalog.checkout_duration_seconds: buckets must be strictly increasing (bucket 2 is 0.5 after 0.5)'],
    ['buckets on a counter', { buckets: [1] }, 'catalog.orders_created_total: buckets are only for histograms (this is a counter)'],
    ['histogram reserved suffix', { name: 'checkout_seconds_bucket', type: 'histogram', unit: 'seconds', buckets: [1] }, 'catalog.checkout_seconds_bucket: name ends in reserved suffix "_bucket" (Prometheus writes it for histograms)'],
    ['exemplar on a counter', { exemplarTraceLabel: 'trace_id' }, 'catalog.orders_created_total: exemplarTraceLabel is only for application histograms (this is a counter from application)'],
    ['exemplar label syntax', { name: 'checkout_duration_seconds', type: 'histogram', unit: 'seconds', buckets: [1], exemplarTraceLabel: 'trace-id' }, 'catalog.checkout_duration_seconds: exemplarTraceLabel "trace-id" must match ^[a-zA-Z_][a-zA-Z0-9_]*$ and not start with "__"'],
    ['exemplar label is a series label', { name: 'checkout_duration_seconds', type: 'histogram', unit: 'seconds', buckets: [1], labels: { trace_id: { help: 'x' } }, exemplarTraceLabel: 'trace_id' }, 'catalog.checkout_duration_seconds: exemplarTraceLabel "trace_id" is also a series label; a trace ID on the series would make one series per request'],
    ['exception on an application metric', { name: 'orders_created', namingExceptions: { 'counter-without-total': 'because' } }, 'catalog.orders_created: naming exceptions are only for exporter metrics; application metrics must follow the conventions'],
  ];
  it.each(cases)('rejects %s', (_name, patch, message) => {
    const e = errorOf(() => checkMetricNaming({ ...base, ...patch } as MetricSpec));
    expect(e.message).toBe(message);
  });

  it('allows a documented exporter exception and nothing more', () => {
    expect(() =>
      checkMetricNaming({ ...base, name: 'pg_stat_database_xact_commit', source: 'postgres_exporter', namingExceptions: { 'counter-without-total': 'exporter name' } }),
    ).not.toThrow();
    // The exception does not lift other rules.
    expect(errorOf(() => checkMetricNaming({ ...base, name: 'pg_x_ms', source: 'postgres_exporter', namingExceptions: { 'counter-without-total': 'exporter name' } })).problem).toContain('non-base unit');
  });

  it('the real catalog passes every rule', () => {
    for (const m of ALL_METRICS) expect(() => checkMetricNaming(m)).not.toThrow();
    expect(http_requests_total.name).toBe('http_requests_total');
  });
});

/** Families the pinned exporters expose (scripts/captureExporterFixtures.ts wrote the files from the toolchain builds). */
function exporterFamilies(): Map<string, { type: string; labels: Set<string> }> {
  const out = new Map<string, { type: string; labels: Set<string> }>();
  const dir = path.join(REPO, 'test/fixtures/exporters');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.summary.txt') && !f.includes('.down.'))) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const m = /^(\S+) \| (\w+) \| labels=\{([^}]*)\}/.exec(line);
      if (m) out.set(m[1], { type: m[2], labels: new Set(m[3].split(',').filter(Boolean)) });
    }
  }
  return out;
}

describe('exporter metrics match the real exporters', () => {
  const families = exporterFamilies();
  const synthetic = SCRAPE_SERIES_NAMES;
  const exporterMetrics = ALL_METRICS.filter((m) => m.source !== 'application' && !synthetic.has(m.name));
  it.each(exporterMetrics.map((m) => [m.name, m] as const))('%s exists with its type and labels', (_n, m) => {
    const family = families.get(m.name);
    expect(family, `${m.name} not exposed by the real ${m.source}`).toBeDefined();
    expect(family!.type).toBe(m.type);
    expect([...family!.labels].sort()).toEqual(Object.keys(m.labels).sort());
  });
});
