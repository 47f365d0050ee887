/**
 * Render scaling: a synthetic stack with 1, 10, 100 and 1,000 applications (each exposing the full
 * application metric set, which every app does), rendered end to end (parseStackConfig +
 * renderStack) several times per size in a fresh process; median wall time, peak memory and the
 * marginal cost of one more application.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ObservatoryError } from '../catalog/errors';
import type { SecretPresence } from '../stacks/config/secrets';
import { median } from './rules';

export const RENDER_SIZES: readonly { apps: number; runs: number }[] = [
  { apps: 1, runs: 15 },
  { apps: 10, runs: 15 },
  { apps: 100, runs: 11 },
  { apps: 1000, runs: 9 },
];
/**
 * The growth check renders these sizes interleaved in one process: 1,000 and 2,000 apps have
 * per-app work well above timer noise, and interleaving makes a busy machine slow them alike.
 */
export const GROWTH_SIZES = [1, 1000, 2000] as const;
const GROWTH_RUNS = 9;

export const SYNTHETIC_SECRETS: SecretPresence = { grafanaAdminPassword: 'secret', postgresDsn: 'secret' };

/**
 * A docker stack with `apps` applications: on docker every app gets its own scrape job, so the
 * rendered output grows with the app list (kubernetes discovers pods with one job).
 */
export function syntheticStackRaw(apps: number): Record<string, unknown> {
  return {
    target: 'docker',
    environment: 'dev',
    apps: Array.from({ length: apps }, (_, i) => ({ name: `app-${String(i).padStart(4, '0')}`, image: `registry.example.com/app-${i}:1.0.${i}`, port: 8080, replicas: { min: 2, max: 4 } })),
  };
}

export interface RenderSizeResult {
  readonly apps: number;
  readonly runs: number;
  /** The first render in a fresh process (what one `pulumi preview` pays). */
  readonly coldMs: number;
  /** Median of the runs after the first. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly peakRssMb: number;
  readonly files: number;
  readonly bytes: number;
}

export interface RenderResult {
  readonly sizes: readonly RenderSizeResult[];
  /** Extra milliseconds per extra application between the two largest sizes. */
  readonly marginalMsPerApp: number;
  /** Extra MB of peak memory per extra application between the two largest sizes. */
  readonly marginalMbPerApp: number;
  /**
   * Exponent k of the app-dependent time, t(n) - t(1) ~ n^k, from the fastest warm runs at 1,000
   * and 2,000 apps rendered interleaved (GROWTH_SIZES): ~1 is linear, ~2 quadratic. (Up to 100
   * apps the per-app work is below noise.)
   */
  readonly growth: number;
}

interface WorkerOutput {
  readonly sizes: number[];
  readonly times: number[][];
  readonly files: number[];
  readonly bytes: number[];
  readonly maxRssKb: number;
}

function worker(sizes: readonly number[], runs: number): Promise<WorkerOutput> {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(__dirname, 'renderWorker.ts'), String(runs), sizes.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new ObservatoryError('bench render', `worker for ${sizes.join(',')} apps failed (${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

export async function benchmarkRender(log: (l: string) => void, sizes = RENDER_SIZES): Promise<RenderResult> {
  const results: RenderSizeResult[] = [];
  for (const { apps, runs } of sizes) {
    const r = await worker([apps], runs);
    const times = r.times[0];
    const res: RenderSizeResult = {
      apps,
      runs,
      coldMs: times[0],
      medianMs: median(times.slice(1)),
      minMs: Math.min(...times.slice(1)),
      maxMs: Math.max(...times.slice(1)),
      peakRssMb: r.maxRssKb / 1024,
      files: r.files[0],
      bytes: r.bytes[0],
    };
    log(`render: ${apps} apps: cold ${res.coldMs.toFixed(0)} ms, warm median ${res.medianMs.toFixed(1)} ms over ${runs - 1} runs, peak RSS ${res.peakRssMb.toFixed(0)} MB, ${res.files} files`);
    results.push(res);
  }
  const at = (n: number) => results.find((r) => r.apps === n);
  const [s100, s1000] = [at(100), at(1000)];
  const marginalMsPerApp = s100 && s1000 ? (s1000.medianMs - s100.medianMs) / 900 : NaN;
  const marginalMbPerApp = s100 && s1000 ? (s1000.peakRssMb - s100.peakRssMb) / 900 : NaN;
  const g = await worker(GROWTH_SIZES, GROWTH_RUNS);
  const [t1, t1000, t2000] = g.times.map((t) => Math.min(...t.slice(1)));
  const growth = Math.log((t2000 - t1) / (t1000 - t1)) / Math.log((2000 - 1) / (1000 - 1));
  log(`render: growth check (interleaved, fastest of ${GROWTH_RUNS - 1}): 1 app ${t1.toFixed(1)} ms, 1,000 ${t1000.toFixed(1)} ms, 2,000 ${t2000.toFixed(1)} ms -> exponent ${growth.toFixed(2)}`);
  return { sizes: results, marginalMsPerApp, marginalMbPerApp, growth };
}
