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
  { apps: 1, runs: 9 },
  { apps: 10, runs: 9 },
  { apps: 100, runs: 7 },
  { apps: 1000, runs: 5 },
];

export const SYNTHETIC_SECRETS: SecretPresence = { grafanaAdminPassword: 'secret', postgresDsn: 'secret' };

/**
 * A docker stack with `apps` applications: on docker every app gets its own scrape job, so the
 * rendered output grows with the app list (kubernetes discovers pods with one job).
 */
export function syntheticStackRaw(apps: number): Record<string, unknown> {
  return {
    target: 'docker',
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
   * Per-app marginal cost from 100 to 1000 apps divided by that from 10 to 100: ~1 is linear,
   * ~10 would be quadratic.
   */
  readonly growth: number;
}

function worker(apps: number, runs: number): Promise<{ times: number[]; maxRssKb: number; files: number; bytes: number }> {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(__dirname, 'renderWorker.ts'), String(apps), String(runs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new ObservatoryError('bench render', `worker for ${apps} apps failed (${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

export async function benchmarkRender(log: (l: string) => void, sizes = RENDER_SIZES): Promise<RenderResult> {
  const results: RenderSizeResult[] = [];
  for (const { apps, runs } of sizes) {
    const r = await worker(apps, runs);
    const res: RenderSizeResult = {
      apps,
      runs,
      coldMs: r.times[0],
      medianMs: median(r.times.slice(1)),
      minMs: Math.min(...r.times.slice(1)),
      maxMs: Math.max(...r.times.slice(1)),
      peakRssMb: r.maxRssKb / 1024,
      files: r.files,
      bytes: r.bytes,
    };
    log(`render: ${apps} apps: cold ${res.coldMs.toFixed(0)} ms, warm median ${res.medianMs.toFixed(1)} ms over ${runs - 1} runs, peak RSS ${res.peakRssMb.toFixed(0)} MB, ${r.files} files`);
    results.push(res);
  }
  const at = (n: number) => results.find((r) => r.apps === n);
  const a = results[results.length - 2];
  const b = results[results.length - 1];
  const marginalMsPerApp = (b.medianMs - a.medianMs) / (b.apps - a.apps);
  const marginalMbPerApp = (b.peakRssMb - a.peakRssMb) / (b.apps - a.apps);
  const s10 = at(10);
  const s100 = at(100);
  const s1000 = at(1000);
  const growth = s10 && s100 && s1000 ? (s1000.medianMs - s100.medianMs) / 900 / Math.max(1e-6, (s100.medianMs - s10.medianMs) / 90) : NaN;
  return { sizes: results, marginalMsPerApp, marginalMbPerApp, growth };
}
