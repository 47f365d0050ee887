import { describe, expect, it } from 'vitest';
import { getCatalog } from '../catalog';
import { createAppMetrics, observeRequest, recordCacheLookup, timeDbQuery } from '../instrumentation/metrics';
import { tracesUrl, startTracing } from '../instrumentation/tracing';

describe('instrumentation from the catalog', () => {
  it('registers every application metric with the catalog name, help, labels and buckets', async () => {
    const m = createAppMetrics({ defaultMetrics: false });
    const exposed = await m.registry.getMetricsAsJSON();
    const apps = getCatalog().metrics.filter((s) => s.source === 'application');
    expect(exposed.map((e) => e.name).sort()).toEqual(apps.map((s) => s.name).sort());
    for (const spec of apps) {
      const e = exposed.find((x) => x.name === spec.name)!;
      expect(e.help).toBe(spec.help);
      expect(e.type).toBe(spec.type);
    }
  });

  it('exposes series that carry exactly the catalog labels and bucket bounds', async () => {
    const m = createAppMetrics({ defaultMetrics: false });
    observeRequest(m, { method: 'GET', route: '/items/:id', status: 200 }, 0.12);
    recordCacheLookup(m, 'feed', true);
    await timeDbQuery(m, 'select', 'items', async () => 1);
    const text = await m.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/items/:id",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.2",method="GET",route="/items/:id",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/items/:id",status="200"} 0');
    expect(text).toContain('cache_hits_total{cache="feed"} 1');
    expect(text).toContain('db_queries_total{operation="select",table="items"} 1');
    // a label outside the catalog is refused by prom-client itself
    expect(() => m.cacheHits.inc({ cache: 'x', region: 'eu' } as never)).toThrow(/region/);
  });
});

describe('tracing setup', () => {
  it('derives the OTLP traces URL from the endpoint the stack sets', () => {
    expect(tracesUrl('http://jaeger:4318')).toBe('http://jaeger:4318/v1/traces');
    expect(tracesUrl('http://jaeger.observatory.svc:4318/')).toBe('http://jaeger.observatory.svc:4318/v1/traces');
    expect(() => tracesUrl('not a url')).toThrow(/is not a URL/);
  });
  it('stays off without an endpoint', async () => {
    const t = startTracing({ serviceName: 'x', endpoint: '' });
    expect(t.enabled).toBe(false);
    await t.shutdown();
  });
});
