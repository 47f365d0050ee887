import { describe, expect, it } from 'vitest';
import { DEFAULT_SLO } from '../catalog/slos';
import { recordingRuleGroups } from '../catalog/recorded';
import { checkQuery } from '../catalog/checkQuery';
import { getCatalog } from '../catalog';
import { directlyRecorded, expandRecorded, matches, pushMatchers, type RecordingDefinition } from '../bench/expand';
import { ObservatoryError } from '../catalog/errors';

const RULES: RecordingDefinition[] = [
  { record: 'svc_route:req:rate5m', expr: 'sum by (service, route) (rate(req_total[5m]))' },
  { record: 'svc:req:rate5m', expr: 'sum by (service) (svc_route:req:rate5m)' },
  { record: 'svc:lat:q', expr: 'histogram_quantile(0.5, sum by (service, le) (rate(lat_bucket[5m])))', labels: { quantile: '0.5' } },
  { record: 'svc:lat:q', expr: 'histogram_quantile(0.99, sum by (service, le) (rate(lat_bucket[5m])))', labels: { quantile: '0.99' } },
];

describe('pushMatchers', () => {
  it('adds matchers to selectors with, without and with empty braces', () => {
    expect(pushMatchers('a + b{x="1"} + c{}', [{ label: 's', op: '=~', literal: '"p.*"', value: 'p.*' }])).toBe('a{s=~"p.*"} + b{x="1",s=~"p.*"} + c{s=~"p.*"}');
  });
  it('leaves the expression alone when there is nothing to push', () => {
    expect(pushMatchers('rate(a[5m])', [])).toBe('rate(a[5m])');
  });
});

describe('matches', () => {
  it('anchors regexes as PromQL does', () => {
    expect(matches({ op: '=~', value: '0.9' }, '0.95')).toBe(false);
    expect(matches({ op: '=~', value: '0.9.*' }, '0.95')).toBe(true);
    expect(matches({ op: '!=', value: 'a' }, 'b')).toBe(true);
    expect(matches({ op: '!~', value: 'a|b' }, 'b')).toBe(false);
  });
});

describe('expandRecorded', () => {
  it('replaces a recorded selector by its definition with the matchers pushed down', () => {
    expect(expandRecorded('svc_route:req:rate5m{service="api"}', RULES, '30s')).toBe('(sum by (service, route) (rate(req_total{service="api"}[5m])))');
  });

  it('recurses through rules that build on rules', () => {
    expect(expandRecorded('svc:req:rate5m{service=~"a|b"}', RULES, '30s')).toBe('(sum by (service) ((sum by (service, route) (rate(req_total{service=~"a|b"}[5m])))))');
  });

  it('uses the rule-added label to pick variants and puts it back with label_replace', () => {
    expect(expandRecorded('svc:lat:q{quantile="0.99"}', RULES, '30s')).toBe(
      '(label_replace(histogram_quantile(0.99, sum by (service, le) (rate(lat_bucket[5m]))), "quantile", "0.99", "", ""))',
    );
    const all = expandRecorded('svc:lat:q', RULES, '30s');
    expect(all).toContain('"0.5"');
    expect(all).toContain('"0.99"');
    expect(all).toContain(' or ');
  });

  it('turns a range over a recorded series into a subquery at the evaluation interval', () => {
    expect(expandRecorded('max_over_time(svc_route:req:rate5m[1h])', RULES, '30s')).toBe('max_over_time((sum by (service, route) (rate(req_total[5m])))[1h:30s])');
  });

  it('keeps expressions without recorded series unchanged', () => {
    expect(expandRecorded('sum(rate(req_total[5m]))', RULES, '30s')).toBe('sum(rate(req_total[5m]))');
  });

  it('rejects a quantile no rule records and offsets it cannot rewrite', () => {
    expect(() => expandRecorded('svc:lat:q{quantile="0.75"}', RULES, '30s')).toThrow(ObservatoryError);
    expect(() => expandRecorded('svc:req:rate5m offset 1h', RULES, '30s')).toThrow(/offset/);
  });

  it('expands every real recording rule into valid PromQL over catalog metrics only', () => {
    const real = recordingRuleGroups(DEFAULT_SLO).flatMap((g) => g.rules.map((r) => ({ record: r.record, expr: r.expr.toString(), ...(r.labels ? { labels: r.labels } : {}) })));
    const names = new Set(real.map((r) => r.record));
    for (const r of real) {
      const raw = expandRecorded(`${r.record}{service="shop-api"}`, real, '30s');
      expect(directlyRecorded(raw, names).size, raw).toBe(0);
      expect(raw).toContain('service="shop-api"');
      checkQuery(getCatalog(), raw, `expansion of ${r.record}`);
    }
  });
});
