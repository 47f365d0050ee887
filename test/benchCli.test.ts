import { describe, expect, it } from 'vitest';
import { bench } from '../bench/cli';
import { labelValue, metricValues } from '../bench/prometheus';
import { median } from '../bench/rules';
import { overlapping } from '../bench/pipeline';
import { syntheticStackRaw } from '../bench/render';
import { parseStackConfig } from '../stacks/config/schema';

async function errorMessage(argv: string[]): Promise<string> {
  try {
    await bench(argv, () => undefined);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('bench CLI', () => {
  it('names the benchmarks when the argument is missing or unknown', async () => {
    expect(await errorMessage([])).toBe('benchmark: expected exactly one of render, queries, rules, all (got none)');
    expect(await errorMessage(['speed'])).toBe('benchmark: expected exactly one of render, queries, rules, all (got "speed")');
    expect(await errorMessage(['render', 'rules'])).toContain('(got "render" "rules")');
  });

  it('rejects unknown flags and bad scale values before doing any work', async () => {
    expect(await errorMessage(['render', '--fast'])).toMatch(/^--fast: unknown option/);
    expect(await errorMessage(['queries', '--routes', 'many'])).toBe('--routes: must be a positive integer (got "many")');
  });
});

describe('bench helpers', () => {
  it('reads metric values and labels from the text exposition', () => {
    const text = '# HELP x\nprometheus_rule_group_last_duration_seconds{rule_group="/r/a.yml;a"} 0.25\nprometheus_rule_group_last_duration_seconds_other 3\n';
    const v = metricValues(text, 'prometheus_rule_group_last_duration_seconds');
    expect([...v]).toEqual([['{rule_group="/r/a.yml;a"}', 0.25]]);
    expect(labelValue('{rule_group="/r/a.yml;a",x="q\\"r"}', 'x')).toBe('q"r');
  });

  it('takes medians and detects overlapping blocks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(overlapping([{ minTime: 0, maxTime: 10 }, { minTime: 10, maxTime: 20 }])).toBe(false);
    expect(overlapping([{ minTime: 0, maxTime: 10 }, { minTime: 5, maxTime: 8 }])).toBe(true);
  });

  it('builds valid synthetic stacks of any size', () => {
    const c = parseStackConfig('bench', syntheticStackRaw(50), { grafanaAdminPassword: 'secret', postgresDsn: 'secret' }, 'render');
    expect(c.apps).toHaveLength(50);
    expect(new Set(c.apps.map((a) => a.name)).size).toBe(50);
  });
});
