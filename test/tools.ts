/**
 * Real tools for tests: the pinned toolchain builds (promtool, amtool, prometheus, ..., built by
 * `npm run tools`) and Debian packages for the rest (redis-server, PostgreSQL). A missing tool is
 * a test failure with the fix in the message, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { COMMANDS, toolPath } from '../toolchain/paths';

export function requireTool(bin: string): string {
  if (COMMANDS[bin] !== undefined) return toolPath(bin);
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  if (found.status !== 0 || !found.stdout.trim()) {
    throw new Error(`${bin} is not installed; run \`bash scripts/ensure-tools.sh\` (apt-get installs the Debian packages)`);
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
