/**
 * npm run render [-- --check] [--stack NAME]... [--out DIR] [--alert-for DURATION]
 *
 * Renders every stack's artifacts (or the named ones) to <out>/<stack>/ (default generated/).
 * --check writes nothing and exits 1 listing every stale, missing or extra file.
 * --alert-for replaces every alert's `for` (live tests only; needs --out, so generated/ is never
 * rendered with it).
 */
import * as path from 'node:path';
import { ObservatoryError } from '../catalog/errors';
import { renderStack } from '../generators/renderStack';
import { listStacks, loadStackConfigFile } from '../stacks/config/fromYaml';
import { compareWithDisk, writeArtifacts } from './renderFiles';
import { parseFlags, runCli } from './run';

export const REPO_ROOT = path.resolve(__dirname, '..');

export function render(argv: string[], root = REPO_ROOT, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  const { values } = parseFlags(argv, {
    check: { type: 'boolean', default: false },
    stack: { type: 'string', multiple: true },
    out: { type: 'string' },
    'alert-for': { type: 'string' },
  });
  const known = listStacks(root);
  if (known.length === 0) throw new ObservatoryError('--stack', `no Pulumi.<stack>.yaml files in ${root}`);
  const stacks = values.stack ?? known;
  for (const s of stacks) {
    if (!known.includes(s)) throw new ObservatoryError('--stack', `unknown stack "${s}" (have: ${known.join(', ')})`);
  }
  if (values['alert-for'] !== undefined && values.out === undefined) {
    throw new ObservatoryError('--alert-for', 'needs --out: generated/ must hold the real alert durations');
  }
  if (values.check && values['alert-for'] !== undefined) throw new ObservatoryError('--alert-for', 'cannot be combined with --check');
  const outDir = path.resolve(root, values.out ?? 'generated');

  // Render everything in memory first: any bad input stops the run before a file is written.
  const rendered = stacks.map((stack) => ({
    stack,
    artifacts: renderStack(loadStackConfigFile(root, stack), { alertForOverride: values['alert-for'] }),
  }));

  if (values.check) {
    let problems = 0;
    for (const { stack, artifacts } of rendered) {
      for (const d of compareWithDisk(path.join(outDir, stack), artifacts)) {
        log(`${d.kind}: ${path.relative(root, path.join(outDir, stack, d.path))}`);
        problems++;
      }
    }
    if (problems > 0) {
      log(`render --check: ${problems} file(s) differ from the sources; run \`npm run render\` and commit the result`);
      return 1;
    }
    log(`render --check: ${rendered.length} stack(s) up to date`);
    return 0;
  }
  for (const { stack, artifacts } of rendered) {
    writeArtifacts(path.join(outDir, stack), artifacts);
    log(`rendered ${artifacts.length} files to ${path.relative(root, path.join(outDir, stack)) || '.'}`);
  }
  return 0;
}

if (require.main === module) {
  void runCli('render', () => render(process.argv.slice(2)));
}
