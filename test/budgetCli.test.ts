/**
 * `npm run budget`'s bad input and broken Prometheus: each is one line naming the flag or file
 * and the problem, exit 2, before anything is written. The Prometheus here is the real binary
 * (live/binaries.ts), started empty; "not Prometheus" is a plain HTTP server answering like a
 * proxy in front of a dead backend.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObservatoryError } from '../catalog/errors';
import { budget, BUDGET_COMMAND } from '../cli/budget';
import { helpText, runCommand } from '../cli/run';
import { freePort, LOOPBACK } from '../live/ports';
import { Supervisor } from '../live/processes';
import { PrometheusService } from '../live/services/prometheus';
import { cleanedTempDir, REPO } from './helpers';

const tempDir = cleanedTempDir();

async function failure(argv: string[]): Promise<ObservatoryError> {
  try {
    await budget(argv, { out: () => undefined });
  } catch (e) {
    if (e instanceof ObservatoryError) return e;
    throw e;
  }
  throw new Error(`budget ${argv.join(' ')} did not fail`);
}

describe('npm run budget: bad input and broken Prometheus exit 2 with one clear line', () => {
  const dir = tempDir('budget-cli');
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  let prometheus: PrometheusService;
  let notPrometheus: http.Server;
  let notPrometheusUrl = '';

  beforeAll(async () => {
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, 'global:\n  scrape_interval: 5s\nscrape_configs: []\n');
    prometheus = new PrometheusService(supervisor, configFile, path.join(dir, 'data'), await freePort());
    notPrometheus = http.createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'));
    await new Promise<void>((resolve) => notPrometheus.listen(0, LOOPBACK, resolve));
    notPrometheusUrl = `http://${LOOPBACK}:${(notPrometheus.address() as { port: number }).port}`;
    await prometheus.start();
  });
  afterAll(async () => {
    await supervisor.stopAll();
    await new Promise<void>((resolve) => notPrometheus.close(() => resolve()));
  });

  it('--help prints the usage and exits 0', async () => {
    let out = '';
    expect(await runCommand('budget', () => budget(['--help']), { out: (t) => (out += t), err: () => undefined })).toBe(0);
    expect(out).toBe(helpText(BUDGET_COMMAND));
    expect(out).toContain('--save-baseline FILE');
    expect(out).toContain('1    a failing budget or a high/critical regression');
  });

  it.each([
    [[], '--prometheus: is required'],
    [['--prometheus', 'http://x'], '--window: is required'],
    [['--prometheus', 'http://x', '--window', '10 minutes'], '--window: "10 minutes" is not a Prometheus duration'],
    [['--prometheus', 'http://x', '--window', '0s'], '--window: "0s" is not a Prometheus duration'],
    [['--prometheus', 'localhost:9090', '--window', '5m'], '--prometheus: "localhost:9090" must be an http(s) URL'],
    [['--prometheus', 'http://x', '--window', '5m', '--end', 'yesterday'], '--end: "yesterday" is neither RFC 3339'],
    [['--prometheus', 'http://x', '--window', '5m', '--stack', 'qa'], `--stack: unknown stack "qa" in ${REPO} (have: dev, prod, staging)`],
    [['--prometheus', 'http://x', '--window', '5m', '--stack-dir', '/nonexistent'], '--stack-dir: "/nonexistent" is not a directory'],
    [['--prometheus', 'http://x', '--window', '5m', '--wndow', '5m'], '--wndow: unknown option (see npm run budget -- --help)'],
    [['--prometheus', 'http://x', '--window'], "--window: needs a value"],
  ])('%j -> %s', async (argv, message) => {
    expect((await failure(argv)).message).toContain(message);
  });

  it('a baseline that cannot be used fails before Prometheus is asked', async () => {
    const file = path.join(tempDir('budget-baseline'), 'prod.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, stack: 'prod', window: '5m', end: '2026-01-01T00:00:00.000Z', measurements: [] }));
    // The Prometheus URL is unreachable: reaching the baseline check proves no query went out first.
    const e = await failure(['--prometheus', 'http://127.0.0.1:9', '--window', '5m', '--baseline', file]);
    expect(e.message).toBe(`--baseline ${file}: was measured for stack "prod", not "dev"; pass --stack prod or save a baseline for dev`);
    expect((await failure(['--prometheus', 'http://127.0.0.1:9', '--window', '5m', '--baseline', path.join(path.dirname(file), 'none.json')])).message).toMatch(/none\.json: cannot be read: ENOENT/);
  });

  it('an unreachable Prometheus', async () => {
    const port = await freePort();
    expect((await failure(['--prometheus', `http://${LOOPBACK}:${port}`, '--window', '5m'])).message).toBe(`--prometheus: cannot reach http://${LOOPBACK}:${port}: ECONNREFUSED`);
  });

  it('a URL that answers, but not as Prometheus', async () => {
    expect((await failure(['--prometheus', notPrometheusUrl, '--window', '5m'])).message).toBe(
      `--prometheus: ${notPrometheusUrl} answered HTTP 502 without a Prometheus API response; is it the Prometheus base URL?`,
    );
  });

  it('Prometheus answering an error (a window it cannot represent)', async () => {
    expect((await failure(['--prometheus', prometheus.url, '--window', '300000000y'])).message).toMatch(
      new RegExp(`^--prometheus: ${prometheus.url} answered HTTP 400: bad_data: .*duration out of range`),
    );
  });

  it('a Prometheus without the load test series: no judgement, exit 2, no baseline written', async () => {
    const out = path.join(tempDir('budget-empty'), 'baseline.json');
    const e = await failure(['--prometheus', prometheus.url, '--window', '5m', '--save-baseline', out]);
    expect(e.message).toMatch(/^--window: no http_requests_total or http_request_duration_seconds series in the 5m before .*: was the load test scraped by this Prometheus\?$/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('as a program: one line on stderr, exit 2, nothing on stdout', async () => {
    // Asynchronously: the server answering it runs in this process.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', path.join(REPO, 'cli', 'budget.ts'), '--prometheus', notPrometheusUrl, '--window', '5m'], { cwd: REPO, encoding: 'utf8' }, (_e, stdout, stderr) =>
        resolve({ status: child.exitCode, stdout, stderr }),
      );
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`budget: error: --prometheus: ${notPrometheusUrl} answered HTTP 502 without a Prometheus API response; is it the Prometheus base URL?\n`);
  });
});
