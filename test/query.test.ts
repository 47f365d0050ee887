import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../catalog';
import * as app from '../catalog/application';
import { checkQuery, selectorsOf } from '../catalog/checkQuery';
import { andOn, histogram, histogramQuantile, mul, or, rate, ratio, series, sum } from '../catalog/query';
import { recordingRuleGroups } from '../catalog/recorded';
import { DEFAULT_SLO } from '../catalog/slos';
import { errorOf } from './helpers';

function parses(expr: string): boolean {
  let ok = true;
  parser.parse(expr).iterate({ enter: (n) => { if (n.type.isError) ok = false; } });
  return ok;
}

describe('typed queries', () => {
  const requests = series(app.http_requests_total);
  const duration = histogram(app.http_request_duration_seconds);

  it('builds PromQL through catalog handles', () => {
    const q = sum(rate(requests.range('$__rate_interval', { route: '$route', status: { re: '5..' } })), ['service', 'route']);
    expect(q.toString()).toBe('sum by (service, route) (rate(http_requests_total{route="$route",status=~"5.."}[$__rate_interval]))');
    const p95 = histogramQuantile(0.95, sum(rate(duration.bucket.range('5m')), ['route', 'le']));
    expect(p95.toString()).toBe('histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket[5m])))');
    expect(p95.labels).toEqual(['route']);
  });

  it('`or` drops the metric name of a bare selector on the left, so a fallback does not split a series in two', () => {
    const fallback = mul(sum(requests.select(), ['service']), 0);
    expect(or(requests.select({ route: '/x' }), fallback).toString()).toBe('http_requests_total{route="/x"} * 1 or sum by (service) (http_requests_total) * 0');
    expect(or(sum(requests.select(), ['service']), fallback).toString()).toBe('sum by (service) (http_requests_total) or sum by (service) (http_requests_total) * 0');
  });

  it('andOn matches on labels both sides have, and refuses one they lack', () => {
    const byRoute = sum(requests.select(), ['service', 'route']);
    const byService = sum(requests.select(), ['service']);
    expect(andOn(byRoute, byService, ['service']).toString()).toBe('sum by (service, route) (http_requests_total) and on (service) sum by (service) (http_requests_total)');
    expect(errorOf(() => andOn(byRoute, byService, ['route' as 'service'])).problem).toMatch(/cannot match on "route"/);
  });

  it('guards divisions so a zero denominator drops the series', () => {
    const q = ratio(sum(requests.select({ status: { re: '5..' } }), ['service']), sum(requests.select(), ['service']));
    expect(q.toString()).toBe('sum by (service) (http_requests_total{status=~"5.."}) / (sum by (service) (http_requests_total) > 0)');
  });

  it('rejects labels the metric lacks, at compile time and at run time', () => {
    // @ts-expect-error "path" is not a label of http_requests_total
    const bad = () => requests.select({ path: '/x' });
    expect(errorOf(bad).message).toBe('query.http_requests_total: has no label "path" (labels: method, route, status, job, instance, service)');
    // @ts-expect-error cannot group by a label the expression lacks
    const badBy = () => sum(requests.select(), ['table']);
    expect(errorOf(badBy).message).toContain('cannot group by "table"');
    // histograms have no plain series handle (a run-time check: MetricSpec.type is not a literal type)
    expect(errorOf(() => series(app.http_request_duration_seconds)).message).toBe('query.http_request_duration_seconds: is a histogram; use histogram() and its bucket/sum/count series');
  });

  it('rejects impossible values of bounded labels and bad windows', () => {
    expect(errorOf(() => requests.select({ method: 'FETCH' })).message).toBe('query.http_requests_total: label "method" has no value "FETCH" (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)');
    expect(errorOf(() => requests.range('5 minutes')).message).toBe('query.http_requests_total: range window "5 minutes" is not a PromQL duration or Grafana interval variable');
    expect(errorOf(() => histogramQuantile(0.95, sum(rate(duration.bucket.range('5m')), ['route']))).message).toContain('needs the "le" label');
  });
});

describe('checkQuery against the catalog', () => {
  const c = getCatalog();
  it('accepts catalog selectors and Grafana variables', () => {
    const sel = checkQuery(c, 'sum by (route) (rate(http_requests_total{service="$service",route=~"$route"}[$__rate_interval]))', 'panel X');
    expect(sel.map((s) => s.metric)).toEqual(['http_requests_total']);
  });
  it.each([
    ['unknown metric', 'rate(http_request_total[5m])', 'panel X: selector http_request_total: metric "http_request_total" is not in the catalog'],
    ['unknown label', 'up{pod="x"}', 'panel X: selector up{pod="x"}: metric "up" has no label "pod" (labels: instance, job, service)'],
    ['bounded value', 'http_requests_total{method="FETCH"}', 'panel X: selector http_requests_total{method="FETCH"}: label "method" has no value "FETCH" (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)'],
    ['grouping label', 'sum by (table) (rate(http_requests_total[5m]))', 'panel X: by (table): no series beneath it has label "table" (series: http_requests_total)'],
    ['syntax error', 'sum(rate(up[5m])', 'panel X: PromQL does not parse'],
  ])('rejects %s', (_n, expr, message) => {
    expect(errorOf(() => checkQuery(c, expr, 'panel X')).message.startsWith(message)).toBe(true);
  });

  it('finds selectors inside binary expressions and functions', () => {
    expect(selectorsOf('a{x="1"} / on(x) (b > 0) or vector(0)').map((s) => s.metric)).toEqual(['a', 'b']);
  });
});

describe('recording rules', () => {
  const groups = recordingRuleGroups(DEFAULT_SLO);
  const c = getCatalog();
  it('every expression parses and selects only catalog series', () => {
    for (const g of groups) for (const r of g.rules) {
      const expr = r.expr.toString();
      expect(parses(expr), expr).toBe(true);
      checkQuery(c, expr, r.record);
    }
  });
  it('names follow level:metric:operations and SLO ratios exist for every burn-rate window', () => {
    const names = new Set(groups.flatMap((g) => g.rules.map((r) => r.record)));
    for (const n of names) expect(n).toMatch(/^[a-z_]+:[a-zA-Z0-9_]+:[a-z0-9_]+$/);
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
      expect(names).toContain(`service:slo_availability_errors:ratio_rate${w}`);
      expect(names).toContain(`service:slo_latency_errors:ratio_rate${w}`);
    }
  });
  it('the latency SLO reads the configured bucket bound', () => {
    const slo = recordingRuleGroups({ ...DEFAULT_SLO, latencyThresholdSeconds: 0.3 }).find((g) => g.name.includes('slo'))!;
    expect(slo.rules.find((r) => r.record === 'service:slo_latency_errors:ratio_rate1h')!.expr.toString()).toContain('le="0.3"');
  });
});
