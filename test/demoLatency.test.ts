/** The demo app's per-route latency profiles (live/demoApp.ts): their shape, their even spread, and validation. */
import { describe, expect, it } from 'vitest';
import { EvenQuantiles, parseFaults, profileDelay, type LatencyProfile } from '../live/demoApp';

const PROFILE: LatencyProfile = [[0, 0], [0.1, 0.01], [0.6, 0.1], [1, 0.5]];

function empiricalQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe('demo app route latency profiles', () => {
  it('follows the profile linearly between its points', () => {
    expect(profileDelay(PROFILE, 0)).toBe(0);
    expect(profileDelay(PROFILE, 0.1)).toBeCloseTo(0.01, 12);
    expect(profileDelay(PROFILE, 0.35)).toBeCloseTo(0.055, 12);
    expect(profileDelay(PROFILE, 0.95)).toBeCloseTo(0.45, 12);
    expect(profileDelay(PROFILE, 1)).toBeCloseTo(0.5, 12);
  });

  it('spreads a few hundred requests evenly: their quantiles are the profile within 1%', () => {
    const q = new EvenQuantiles();
    const delays = Array.from({ length: 500 }, () => profileDelay(PROFILE, q.next())).sort((a, b) => a - b);
    for (const p of [0.5, 0.95]) expect(Math.abs(empiricalQuantile(delays, p) / profileDelay(PROFILE, p) - 1)).toBeLessThan(0.01);
    const us = Array.from({ length: 1000 }, () => q.next());
    expect(us.every((u) => u > 0 && u < 1)).toBe(true);
  });

  it('faults accept route profiles and reject unknown routes and malformed points', () => {
    expect(parseFaults(JSON.stringify({ routeLatency: { '/api/items': PROFILE } }))).toEqual({ errorRatio: 0, slowRatio: 0, slowSeconds: 0, routeLatency: { '/api/items': PROFILE } });
    expect(() => parseFaults('{"routeLatency":{"/nope":[[0,0],[1,1]]}}')).toThrow('routeLatency: unknown route "/nope" (have: /api/items, /api/items/:id)');
    expect(() => parseFaults('{"routeLatency":{"/healthz":[[0,0],[1,1]]}}')).toThrow('unknown route "/healthz"');
    for (const bad of ['[[0,0]]', '[[0.1,0],[1,1]]', '[[0,0],[0.5,2],[1,1]]', '[[0,0],[0.9,0.1]]', '[[0,0],[1,61]]', '[[0,-1],[1,1]]', '{"a":1}']) {
      expect(() => parseFaults(`{"routeLatency":{"/api/items":${bad}}}`), bad).toThrow('must be [share, seconds] points');
    }
  });
});
