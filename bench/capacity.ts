/**
 * npx tsx bench/capacity.ts [--scales 1,10,50] [--stack prod] [--out bench/results]
 *
 * Capacity of one Prometheus at the pinned release (toolPath('prometheus')): the bench data set
 * (bench/dataset.ts, planned from the stack's catalog and scrape config) at 1x, 10x and 50x its
 * pods, served as one scrape target on 127.0.0.1 and scraped every 10 s by a fresh Prometheus.
 * Once every series is in the head and a few scrapes have landed, it reads the head series and
 * the process's resident and Go heap memory, and subtracts an idle Prometheus's. Writes
 * <out>/capacity.json and prints a Markdown table (docs/deploying.md, "Capacity", quotes it).
 *
 * Values are constant between scrapes, so chunk memory is the smallest it can be; what is
 * measured is the per-series cost (labels, index, head structures) that sets the ceiling. Runs
 * about 2 minutes per scale on 2 cores; not part of npm test.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { getCatalog } from '../catalog';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { UPSTREAM } from '../stacks/versions';
import { freePorts, LOOPBACK } from '../live/ports';
import { Supervisor } from '../live/processes';
import { PrometheusService } from '../live/services/prometheus';
import { done, notYet, pollUntil } from '../live/poll';
import { prepareSeries, timeGrid } from './backfill';
import { DEFAULT_SCALE, planDataset } from './dataset';

const ROOT = path.resolve(__dirname, '..');
const SCRAPE_SECONDS = 10;
/** Scrapes after the head is complete before memory is read: the first scrapes allocate the series. */
const SETTLE_SCRAPES = 4;

interface Measurement {
  readonly scale: number;
  readonly pods: number;
  readonly headSeries: number;
  readonly rssBytes: number;
  readonly heapInuseBytes: number;
  readonly rssPerSeriesBytes: number;
  readonly heapPerSeriesBytes: number;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from ${url}/metrics`);
  return Number(m[1]);
}

/** The data set at `pods` pods as one text exposition (labels as planned, honor_labels keeps them). */
function exposition(stack: string, pods: number): { body: Buffer; series: number } {
  const config = loadStackConfigFile(ROOT, stack);
  const plan = planDataset(config, getCatalog(), { ...DEFAULT_SCALE, pods, hours: 1 });
  const grid = timeGrid(Math.floor(Date.now() / 1000), 1, 900); // 4 samples a series: only the last value is served
  const chunks: Buffer[] = [];
  let series = 0;
  for (const s of prepareSeries(plan, grid)) {
    chunks.push(s.prefix, Buffer.from(`${s.values[s.values.length - 1]}\n`, 'latin1'));
    series++;
  }
  return { body: Buffer.concat(chunks), series };
}

async function measure(dir: string, stack: string, scale: number | 0): Promise<Measurement & { expected: number }> {
  const pods = DEFAULT_SCALE.pods * Math.max(scale, 1);
  const { body, series } = scale === 0 ? { body: Buffer.from(''), series: 0 } : exposition(stack, pods);
  const ports = await freePorts(['target', 'prometheus'] as const);
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
  await new Promise<void>((resolve) => server.listen(ports.target, LOOPBACK, resolve));
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  try {
    const cfg = path.join(dir, `prometheus-${scale}.yml`);
    fs.writeFileSync(
      cfg,
      `global: {scrape_interval: ${SCRAPE_SECONDS}s, scrape_timeout: ${SCRAPE_SECONDS}s}\nscrape_configs: [{job_name: dataset, honor_labels: true, static_configs: [{targets: ['${LOOPBACK}:${ports.target}']}]}]\n`,
    );
    const prom = new PrometheusService(supervisor, cfg, path.join(dir, `data-${scale}`), ports.prometheus, { name: `prometheus-${scale}x`, env: {} });
    await prom.start();
    await pollUntil(
      `${series} series in the head`,
      async () => {
        const head = await metric(prom.url, 'prometheus_tsdb_head_series');
        return head >= series ? done(head) : notYet(`${head} of ${series}`);
      },
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
    await new Promise((r) => setTimeout(r, SETTLE_SCRAPES * SCRAPE_SECONDS * 1000));
    const headSeries = await metric(prom.url, 'prometheus_tsdb_head_series');
    const rssBytes = await metric(prom.url, 'process_resident_memory_bytes');
    const heapInuseBytes = await metric(prom.url, 'go_memstats_heap_inuse_bytes');
    return { scale, pods, headSeries, rssBytes, heapInuseBytes, rssPerSeriesBytes: 0, heapPerSeriesBytes: 0, expected: series };
  } finally {
    await supervisor.stopAll();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scales: { type: 'string', default: '1,10,50' }, stack: { type: 'string', default: 'prod' }, out: { type: 'string', default: path.join(ROOT, 'bench/results') } } });
  const scales = values.scales!.split(',').map((s) => {
    if (!/^[1-9][0-9]*$/.test(s) || Number(s) > 100) throw new Error(`--scales: "${s}" must be a whole number from 1 to 100`);
    return Number(s);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-capacity-'));
  try {
    const idle = await measure(dir, values.stack!, 0);
    process.stdout.write(`idle Prometheus: ${idle.headSeries} head series (its own), RSS ${(idle.rssBytes / 2 ** 20).toFixed(0)} MiB\n`);
    const rows: Measurement[] = [];
    for (const scale of scales) {
      const m = await measure(dir, values.stack!, scale);
      const extra = m.headSeries - idle.headSeries;
      const row = { ...m, rssPerSeriesBytes: Math.round((m.rssBytes - idle.rssBytes) / extra), heapPerSeriesBytes: Math.round((m.heapInuseBytes - idle.heapInuseBytes) / extra) };
      rows.push(row);
      process.stdout.write(`${scale}x: ${m.headSeries} head series, RSS ${(m.rssBytes / 2 ** 20).toFixed(0)} MiB, ${row.rssPerSeriesBytes} B RSS / ${row.heapPerSeriesBytes} B heap per series\n`);
    }
    const result = { prometheus: UPSTREAM.prometheus.release, stack: values.stack, scrapeSeconds: SCRAPE_SECONDS, date: new Date().toISOString(), host: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`, idle, rows };
    fs.mkdirSync(values.out!, { recursive: true });
    fs.writeFileSync(path.join(values.out!, 'capacity.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(['', '| scale | pods | head series | RSS | RSS per series | Go heap per series |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.scale}x | ${r.pods} | ${r.headSeries} | ${(r.rssBytes / 2 ** 20).toFixed(0)} MiB | ${r.rssPerSeriesBytes} B | ${r.heapPerSeriesBytes} B |`), ''].join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`capacity: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
