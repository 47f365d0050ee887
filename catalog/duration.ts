/** Prometheus duration strings (`30s`, `5m`, `1h30m`) and their length in seconds. */
export const DURATION_PATTERN = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

const UNIT_SECONDS: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

export function isDuration(d: string): boolean {
  return d.length > 0 && DURATION_PATTERN.test(d);
}

/** Seconds in a Prometheus duration; throws on anything that is not one. */
export function durationSeconds(d: string): number {
  if (!isDuration(d)) throw new Error(`"${d}" is not a Prometheus duration (e.g. 30s, 5m, 1h)`);
  let total = 0;
  for (const m of d.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}
