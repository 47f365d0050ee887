/** observatory:budgets: defaults from catalog/budgets.ts, overrides, and one clear error per bad key. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS } from '../catalog/budgets';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { config, errorOf, REPO } from './helpers';

describe('stack config: budgets', () => {
  it('defaults to seed 003 budgets and seed 002 regression levels', () => {
    const b = config().budgets;
    expect(b).toEqual(DEFAULT_BUDGETS);
    expect(b.latencyP95).toEqual({ max: 0.5, action: 'fail' });
    expect(b.latencyP99).toEqual({ max: 1, action: 'warn' });
    expect(b.errorRatio).toEqual({ max: 0.05, action: 'fail' });
    expect(b.throughput).toEqual({ min: 500, action: 'warn' });
    expect(b.regression).toEqual({ low: 0.05, medium: 0.1, high: 0.15, critical: 0.25 });
    // Every committed stack file parses with them (render and pulumi up read the same block).
    for (const stack of ['dev', 'staging', 'prod']) expect(loadStackConfigFile(REPO, stack).budgets.minRequests).toBeGreaterThan(0);
  });

  it('overrides single keys, keeps the default action, switches a budget off with null', () => {
    const b = config({ budgets: { latencyP95: { max: 0.3 }, throughput: { min: 40, action: 'fail' }, latencyP99: null, latencyP50: { max: 0.1 }, regression: { high: 0.2 } } }).budgets;
    expect(b.latencyP95).toEqual({ max: 0.3, action: 'fail' });
    expect(b.throughput).toEqual({ min: 40, action: 'fail' });
    expect(b.latencyP99).toBeNull();
    expect(b.latencyP50).toEqual({ max: 0.1, action: 'fail' });
    expect(b.regression).toEqual({ low: 0.05, medium: 0.1, high: 0.2, critical: 0.25 });
    expect(b.errorRatio).toEqual(DEFAULT_BUDGETS.errorRatio);
  });

  it.each([
    [{ latencyP95: { max: -1 } }, 'observatory:budgets.latencyP95.max'],
    [{ latencyP95: { action: 'warn' } }, 'observatory:budgets.latencyP95.max: is required'],
    [{ latencyP95: { max: 0.3, action: 'page' } }, 'observatory:budgets.latencyP95.action'],
    [{ errorRatio: { max: 5 } }, 'observatory:budgets.errorRatio.max: is a ratio and must be <= 1'],
    [{ throughput: { max: 5 } }, 'observatory:budgets.throughput.min: is required'],
    [{ throughput: { min: 5, max: 9 } }, 'observatory:budgets.throughput.max: unknown key'],
    [{ regression: { high: 0.3 } }, 'observatory:budgets.regression.critical: (0.25) must be above regression.high (0.3)'],
    [{ regression: { low: 0.12 } }, 'observatory:budgets.regression.medium: (0.1) must be above regression.low (0.12)'],
    [{ minRequests: 0 }, 'observatory:budgets.minRequests'],
    [{ latencyp95: { max: 1 } }, 'observatory:budgets.latencyp95: unknown key'],
  ])('rejects %j naming the key', (budgets, expected) => {
    expect(errorOf(() => config({ budgets })).message).toContain(expected);
  });
});
