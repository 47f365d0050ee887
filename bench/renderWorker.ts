/**
 * Render benchmark runs in a fresh process: `tsx bench/renderWorker.ts <runs> <apps>[,<apps>...]`
 * renders a synthetic stack of each size `runs` times (parseStackConfig + renderStack), sizes
 * interleaved so a busy machine slows them alike, and prints one JSON line with every run's wall
 * time per size and the process's peak RSS. The first run of the first size is cold (module
 * initialisation, JIT warm-up), like the single render of a `pulumi preview`.
 */
import { renderStack } from '../render/renderStack';
import { parseStackConfig } from '../stacks/config/schema';
import { syntheticStackRaw, SYNTHETIC_SECRETS } from './render';

function main(): void {
  const runs = Number(process.argv[2]);
  const sizes = process.argv[3].split(',').map(Number);
  const raws = sizes.map((n) => syntheticStackRaw(n));
  const times: number[][] = sizes.map(() => []);
  const files: number[] = sizes.map(() => 0);
  const bytes: number[] = sizes.map(() => 0);
  for (let i = 0; i < runs; i++) {
    sizes.forEach((_, s) => {
      const t0 = process.hrtime.bigint();
      const artifacts = renderStack(parseStackConfig('bench', raws[s], SYNTHETIC_SECRETS, 'render'));
      times[s].push(Number(process.hrtime.bigint() - t0) / 1e6);
      files[s] = artifacts.length;
      bytes[s] = artifacts.reduce((n, a) => n + a.content.length, 0);
    });
  }
  process.stdout.write(`${JSON.stringify({ sizes, times, files, bytes, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main();
