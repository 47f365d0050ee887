/**
 * One size of the render benchmark, in its own process so peak memory is this size's alone:
 * `tsx bench/renderWorker.ts <apps> <runs>` prints one JSON line with the wall time of each run
 * (parseStackConfig + renderStack) and the process's peak RSS. The first run is cold (module
 * initialisation, JIT warm-up), like the single render of a `pulumi preview`.
 */
import { renderStack } from '../generators/renderStack';
import { parseStackConfig } from '../stacks/config/schema';
import { syntheticStackRaw, SYNTHETIC_SECRETS } from './render';

function main(): void {
  const apps = Number(process.argv[2]);
  const runs = Number(process.argv[3]);
  const raw = syntheticStackRaw(apps);
  const times: number[] = [];
  let files = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const artifacts = renderStack(parseStackConfig('bench', raw, SYNTHETIC_SECRETS, 'render'));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    files = artifacts.length;
    bytes = artifacts.reduce((n, a) => n + a.content.length, 0);
  }
  process.stdout.write(`${JSON.stringify({ apps, times, files, bytes, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main();
