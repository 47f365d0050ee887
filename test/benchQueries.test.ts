/**
 * The query timer against a real Prometheus (Debian package; `npm run tools` installs it): stats
 * come from Prometheus itself, and a raw rewrite that runs past the cap is stopped and reported
 * as a lower bound instead of holding up the benchmark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusServer } from '../bench/prometheus';
import { measure } from '../bench/queries';
import { tempDir } from './helpers';

describe('bench query timer (real Prometheus)', () => {
  let server: PrometheusServer;
  beforeAll(async () => {
    const dir = tempDir('bench-queries');
    const config = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
    server = await PrometheusServer.start({ dataDir: path.join(dir, 'data'), configFile: config, logFile: path.join(dir, 'prometheus.log') });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const now = Math.floor(Date.now() / 1000);
  const range = { start: now - 3600, end: now, step: 60 };

  it('reports server time, samples and result series from stats=all', async () => {
    const m = await measure(server, { instant: false }, 'vector(1)', range, 2);
    expect(m.resultSeries).toBe(1);
    expect(m.timedOut).toBeUndefined();
    expect(m.error).toBeUndefined();
    expect(m.seconds).toBeGreaterThan(0);
    expect(m.seconds).toBeLessThan(m.wallSeconds);
  });

  it('stops a query at the cap and counts the cap as a lower bound', async () => {
    // 40 two-day subqueries at 1 s resolution: about 1.7 s of work here. Prometheus checks the
    // deadline between expression nodes, so the work is many nodes, as in the real raw rewrites.
    const slow = Array.from({ length: 40 }, () => 'count_over_time(vector(1)[2d:1s])').join(' + ');
    const full = await measure(server, { instant: true }, slow, range, 1);
    expect(full.timedOut).toBeUndefined();
    expect(full.seconds).toBeGreaterThan(0.4);
    const capped = await measure(server, { instant: true }, slow, range, 2, 0.2);
    expect(capped).toMatchObject({ seconds: 0.2, timedOut: true, resultSeries: 0 });
    expect(capped.wallSeconds).toBeLessThan(full.wallSeconds);
  });

  it('reports a query Prometheus refuses as an error, not a timeout', async () => {
    const m = await measure(server, { instant: false }, 'rate(vector(1))', range, 2, 1);
    expect(m.timedOut).toBeUndefined();
    expect(m.error).toMatch(/expected type range vector/);
  });
});
