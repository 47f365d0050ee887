import { describe, expect, it } from 'vitest';
import { backfillLevels } from '../bench/ruleLevels';
import type { RecordingDefinition } from '../bench/expand';
import { recordingRuleGroups, recorded, sloErrorRatio } from '../catalog/recorded';
import { DEFAULT_SLO } from '../catalog/slos';
import { ObservatoryError } from '../catalog/errors';

const RULES: RecordingDefinition[] = [
  { record: 'svc_route:req:rate5m', expr: 'sum by (service, route) (rate(req_total[5m]))' },
  { record: 'svc:req:rate5m', expr: 'sum by (service) (svc_route:req:rate5m)' },
  { record: 'svc_le:lat_bucket:rate5m', expr: 'sum by (service, le) (rate(lat_bucket[5m]))' },
  { record: 'svc:lat:q', expr: 'histogram_quantile(0.5, svc_le:lat_bucket:rate5m)', labels: { quantile: '0.5' } },
  { record: 'svc:lat:q', expr: 'histogram_quantile(0.99, svc_le:lat_bucket:rate5m)', labels: { quantile: '0.99' } },
  { record: 'svc:req:ratio', expr: 'svc:req:rate5m / on() group_left sum(svc:req:rate5m)' },
  { record: 'unused:x:rate5m', expr: 'rate(x_total[5m])' },
];
const names = (levels: RecordingDefinition[][]) => levels.map((l) => l.map((r) => r.record + (r.labels ? `{${Object.values(r.labels).join()}}` : '')));

describe('backfillLevels', () => {
  it('adds what the wanted rules read, level by level, and leaves the rest out', () => {
    expect(names(backfillLevels(RULES, new Set(['svc:req:ratio', 'svc:lat:q'])))).toEqual([
      ['svc_route:req:rate5m', 'svc_le:lat_bucket:rate5m'],
      ['svc:req:rate5m', 'svc:lat:q{0.5}', 'svc:lat:q{0.99}'],
      ['svc:req:ratio'],
    ]);
    expect(names(backfillLevels(RULES, new Set(['svc_route:req:rate5m'])))).toEqual([['svc_route:req:rate5m']]);
    expect(backfillLevels(RULES, new Set())).toEqual([]);
  });

  it('rejects a name no rule records, and rules that read each other in a cycle', () => {
    expect(() => backfillLevels(RULES, new Set(['nope:x:y']))).toThrow(ObservatoryError);
    const cycle = [
      { record: 'a:x:y', expr: 'b:x:y + 1' },
      { record: 'b:x:y', expr: 'a:x:y + 1' },
    ];
    expect(() => backfillLevels(cycle, new Set(['a:x:y']))).toThrow(/cycle through/);
  });

  it('puts every rendered rule after the rules it reads', () => {
    const defs = recordingRuleGroups(DEFAULT_SLO).flatMap((g) => g.rules.map((r) => ({ record: r.record, expr: r.expr.toString() })));
    const levels = backfillLevels(defs, new Set(defs.map((d) => d.record)));
    expect(levels.flat()).toHaveLength(defs.length);
    const levelOf = (name: string) => levels.findIndex((l) => l.some((r) => r.record === name));
    expect(levelOf(recorded.dbBucketRate.name)).toBe(0);
    expect(levelOf(recorded.dbQueryQuantile.name)).toBe(1);
    expect(levelOf(recorded.httpServiceBucketRate.name)).toBe(1);
    expect(levelOf(sloErrorRatio('latency', '1h').name)).toBe(2);
    expect(levelOf(sloErrorRatio('availability', '1h').name)).toBe(2);
  });
});
