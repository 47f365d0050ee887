import { trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
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

describe('trace exemplars on request durations', () => {
  // A real tracer provider with async context, as startTracing's NodeSDK sets up; always-on and
  // always-off sampling side by side.
  const sampled = new node.NodeTracerProvider({ sampler: new node.AlwaysOnSampler() });
  sampled.register();
  const unsampled = new node.NodeTracerProvider({ sampler: new node.AlwaysOffSampler() });
  const inSpan = (provider: node.NodeTracerProvider, run: () => void): string =>
    provider.getTracer('test').startActiveSpan('GET /items/:id', (span) => {
      run();
      span.end();
      return span.spanContext().traceId;
    });

  it('carries the trace ID of the active sampled span, under the catalog exemplar label', async () => {
    const m = createAppMetrics({ defaultMetrics: false });
    const traceId = inSpan(sampled, () => observeRequest(m, { method: 'GET', route: '/items/:id', status: 200 }, 0.12));
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const text = await m.registry.metrics();
    expect(m.registry.contentType).toMatch(/^application\/openmetrics-text/);
    expect(text).toMatch(new RegExp(`^http_request_duration_seconds_bucket\\{le="0.2",method="GET",route="/items/:id",status="200"\\} 1 # \\{trace_id="${traceId}"\\} 0.12 \\d+`, 'm'));
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('adds no exemplar outside a span or for an unsampled trace (its link would open nothing)', async () => {
    const m = createAppMetrics({ defaultMetrics: false });
    observeRequest(m, { method: 'GET', route: '/a', status: 200 }, 0.05);
    inSpan(unsampled, () => observeRequest(m, { method: 'GET', route: '/b', status: 200 }, 0.05));
    expect(trace.getActiveSpan()).toBeUndefined();
    const text = await m.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/b",status="200"} 1');
    expect(text).not.toContain('trace_id');
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
