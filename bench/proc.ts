/** Running the Prometheus tools from the benchmarks: missing tools and failures are one clear error. */
import { spawn, spawnSync } from 'node:child_process';
import { ObservatoryError } from '../catalog/errors';
import { toolPath as pinnedToolPath } from '../toolchain/paths';

/** Absolute path of a pinned toolchain command (promtool, prometheus), or an error telling how to build it. */
export function toolPath(bin: string): string {
  try {
    return pinnedToolPath(bin);
  } catch (e) {
    throw new ObservatoryError(bin, (e as Error).message);
  }
}

export interface RunResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

/** Runs a command to completion without blocking the event loop; rejects on a non-zero exit. */
export function run(bin: string, args: readonly string[], what: string): Promise<RunResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath(bin), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new ObservatoryError(what, `${bin} could not start: ${e.message}`)));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ code, output, seconds });
      else reject(new ObservatoryError(what, `${bin} exited with ${code}: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

export function toolVersion(bin: string): string {
  const r = spawnSync(toolPath(bin), ['--version'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n')[0].trim();
}
