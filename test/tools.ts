/**
 * Real tools for tests (Debian packages installed by scripts/ensure-tools.sh). A missing tool is a
 * test failure with the fix in the message, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function requireTool(bin: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  if (found.status !== 0 || !found.stdout.trim()) {
    throw new Error(`${bin} is not installed; run \`npm run tools\` (apt-get installs the Debian Prometheus packages)`);
  }
  return found.stdout.trim();
}

/** Runs a tool; returns its exit code and combined output (never throws on a non-zero exit). */
export function runTool(bin: string, args: string[], options: { cwd?: string } = {}): { code: number; output: string } {
  const r = spawnSync(requireTool(bin), args, { encoding: 'utf8', cwd: options.cwd });
  return { code: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function toolVersion(bin: string): string {
  return execFileSync(requireTool(bin), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0];
}
