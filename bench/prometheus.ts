/**
 * A real Prometheus for the benchmarks: started on 127.0.0.1 on a free port with its data under the
 * bench work directory, always stopped by its PID (also when the benchmark fails or is
 * interrupted), plus the few HTTP API calls the benchmarks make.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ObservatoryError } from '../catalog/errors';
import { toolPath } from './proc';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let guarded = false;
function killAll(): void {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
}
/** On exit or Ctrl-C, kill the servers this process started (by PID), so none outlives a failed run. */
function guardExit(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface ServerOptions {
  readonly dataDir: string;
  readonly configFile: string;
  /** Written to this file (Prometheus logs are long; they are kept for a failed run). */
  readonly logFile: string;
}

export class PrometheusServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(opts: ServerOptions): Promise<PrometheusServer> {
    guardExit();
    const port = await freePort();
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    const log = fs.openSync(opts.logFile, 'w');
    const child = spawn(
      toolPath('prometheus'),
      [
        `--config.file=${opts.configFile}`,
        `--storage.tsdb.path=${opts.dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=30d',
        // Equal min and max block durations switch off leveled compaction (as Thanos sidecars do),
        // so merging the backfilled blocks does not run in the middle of a measurement.
        '--storage.tsdb.min-block-duration=2h',
        '--storage.tsdb.max-block-duration=2h',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    live.add(child);
    child.on('exit', () => live.delete(child));
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`, opts.logFile);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new ObservatoryError('prometheus', `exited with ${child.exitCode} while starting; see ${opts.logFile}`);
      try {
        const r = await fetch(`${server.url}/-/ready`);
        if (r.ok) return server;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    await server.stop();
    throw new ObservatoryError('prometheus', `not ready after 120 s; see ${opts.logFile}`);
  }

  /** SIGTERM by PID, then SIGKILL if it has not exited within 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Calls the HTTP API. The query endpoints take POST (long expressions); others, such as
   * /api/v1/label/<name>/values, only GET (Prometheus answers POST there with 405).
   */
  async api<T>(endpoint: string, params: Record<string, string | number>, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const body = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const r =
      method === 'GET'
        ? await fetch(`${this.url}${endpoint}?${body.toString()}`)
        : await fetch(`${this.url}${endpoint}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (!(r.headers.get('content-type') ?? '').includes('json')) throw new PromApiError(`HTTP ${r.status} from ${method} ${endpoint}: ${(await r.text()).slice(0, 200)}`);
    const json = (await r.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (json.status !== 'success') throw new PromApiError(json.error ?? `HTTP ${r.status}`, json.errorType);
    return json.data;
  }

  async metricsText(): Promise<string> {
    const r = await fetch(`${this.url}/metrics`);
    return r.text();
  }
}

/** A query Prometheus refused or failed (kept as a result, not a crash: it is a finding). */
export class PromApiError extends Error {
  constructor(
    message: string,
    /** Prometheus's errorType, e.g. "timeout", "bad_data", "execution". */
    readonly errorType?: string,
  ) {
    super(message);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface QueryStats {
  readonly timings?: { readonly evalTotalTime?: number; readonly execTotalTime?: number; readonly queryPreparationTime?: number; readonly innerEvalTime?: number };
  readonly samples?: { readonly totalQueryableSamples?: number; readonly peakSamples?: number };
}

/** Values of a metric in Prometheus's text exposition, by label set text (e.g. `{rule_group="x"}`). */
export function metricValues(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** The value of one label in a label set text such as `{a="x",b="y"}`. */
export function labelValue(labelSet: string, label: string): string | undefined {
  const m = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(labelSet);
  return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
}
