/**
 * npm run render [-- --check] [--stack NAME]... [--out DIR] [--alert-for DURATION]
 *
 * Renders every stack's artifacts (or the named ones) to <out>/<stack>/ (default generated/).
 * Every input is validated and every stack rendered in memory before a file is written; the
 * writes are staged and swapped in (render/stagedWrite.ts), so bad input, a full disk or Ctrl-C
 * leave the output as it was.
 */
import * as path from 'node:path';
import { getCatalog, type Catalog } from '../catalog';
import { isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { renderStack } from '../render/renderStack';
import { listStacks, loadStackConfigFile } from '../stacks/config/fromYaml';
import { configWarnings, formatWarning } from '../stacks/config/warnings';
import { compareWithDisk } from '../render/renderFiles';
import { EXIT_CODES, parseCommand, runCli, type CommandSpec } from './run';
import { checkOutputTarget, displayPath, orphanStackDirs, staleWorkDirs, writeStacks, type WriteFs } from '../render/stagedWrite';

export const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_OUT = 'generated';

export const RENDER_COMMAND = {
  name: 'render',
  summary:
    'Renders every stack (one per Pulumi.<stack>.yaml) to <out>/<stack>/: Prometheus config and rules, Alertmanager config, Grafana provisioning and dashboards, runbooks and docs. Secret values are never read; the output holds ${secret:<key>} placeholders. Nothing is written unless every stack renders.',
  flags: {
    check: { type: 'boolean', default: false, help: 'write nothing; list every stale, missing or extra file, leftover temp folder and orphaned stack folder, and exit 1 if there is any' },
    stack: { type: 'string', multiple: true, value: 'NAME', help: 'render only this stack' },
    out: { type: 'string', value: 'DIR', help: `write to DIR/<stack>/ instead of ${DEFAULT_OUT}/<stack>/; an existing DIR/<stack> is replaced only if render wrote it` },
    'alert-for': { type: 'string', value: 'DURATION', help: "replace every alert's `for` (live tests only; needs --out, so generated/ always holds the real durations)" },
  },
  exitCodes: { 1: '--check: the output differs from the sources (run `npm run render` and commit the result)' },
} as const satisfies CommandSpec<Record<string, import('./run').FlagSpec>>;

export interface RenderIo {
  readonly log?: (line: string) => void;
  /** Tests inject a failing file system (a full disk); default node's. */
  readonly fs?: WriteFs;
  /** The catalog to render against, loaded inside the run so its errors are reported like any input. Default: the project's. */
  readonly catalog?: () => Catalog;
  /** Where warnings go (stacks/config/warnings.ts): valid settings that are usually wrong. Default: stderr */
  readonly warn?: (line: string) => void;
}

export async function render(argv: string[], root = REPO_ROOT, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`), io: RenderIo = {}): Promise<number> {
  const { values } = parseCommand(RENDER_COMMAND, argv);
  const alertFor = values['alert-for'];
  if (alertFor !== undefined && !isDuration(alertFor)) throw new ObservatoryError('--alert-for', `"${alertFor}" is not a Prometheus duration such as 30s or 1m`);
  if (alertFor !== undefined && values.out === undefined) throw new ObservatoryError('--alert-for', 'needs --out: generated/ must hold the real alert durations');
  if (values.check && alertFor !== undefined) throw new ObservatoryError('--alert-for', 'cannot be combined with --check');
  if (values.out !== undefined && values.out.trim() === '') throw new ObservatoryError('--out', 'must not be empty (it would write into the current folder)');
  const known = listStacks(root);
  if (known.length === 0) throw new ObservatoryError('--stack', `no Pulumi.<stack>.yaml files in ${root}`);
  const stacks = values.stack ?? known;
  for (const s of stacks) {
    if (!known.includes(s)) throw new ObservatoryError('--stack', `unknown stack "${s}" (have: ${known.join(', ')})`);
  }
  const outDir = path.resolve(root, values.out ?? DEFAULT_OUT);
  const shown = (p: string) => displayPath(root, p);
  const everyFolder = values.out === undefined;
  if (!values.check) checkOutputTarget(outDir, root, stacks);

  // Render everything in memory first: any bad input stops the run before a file is written.
  const catalog = (io.catalog ?? getCatalog)();
  const warn = io.warn ?? ((l: string) => process.stderr.write(`render: warning: ${l}\n`));
  const rendered = stacks.map((stack) => {
    const config = loadStackConfigFile(root, stack);
    return { stack, config, artifacts: renderStack(config, { alertForOverride: alertFor }, catalog) };
  });
  for (const { config } of rendered) for (const w of configWarnings(config)) warn(formatWarning(config, w));

  if (values.check) {
    const problems: string[] = [];
    for (const { stack, artifacts } of rendered) {
      for (const d of compareWithDisk(path.join(outDir, stack), artifacts)) problems.push(`${d.kind}: ${shown(path.join(outDir, stack, d.path))}`);
    }
    for (const name of staleWorkDirs(outDir)) problems.push(`leftover: ${shown(path.join(outDir, name))} (temp folder of an interrupted render; \`npm run render\` removes it)`);
    if (values.stack === undefined) {
      for (const name of orphanStackDirs(outDir, known, everyFolder)) problems.push(`orphaned: ${shown(path.join(outDir, name))} (no Pulumi.${name}.yaml; delete the folder)`);
    }
    for (const p of problems) log(p);
    if (problems.length > 0) {
      log(`render --check: ${problems.length} problem(s): the output differs from the sources; run \`npm run render\` and commit the result`);
      return EXIT_CODES.differences;
    }
    log(`render --check: ${rendered.length} stack(s) up to date`);
    return EXIT_CODES.ok;
  }
  const report = await writeStacks(outDir, rendered, io.fs);
  for (const name of report.removedStale) log(`removed ${shown(path.join(outDir, name))} (left by an interrupted render)`);
  for (const { stack, artifacts } of rendered) log(`rendered ${artifacts.length} files to ${shown(path.join(outDir, stack))}`);
  if (values.stack === undefined) {
    for (const name of orphanStackDirs(outDir, known, everyFolder)) log(`note: ${shown(path.join(outDir, name))} has no Pulumi.${name}.yaml; delete it (render --check reports it)`);
  }
  return EXIT_CODES.ok;
}

if (require.main === module) {
  void runCli('render', () => render(process.argv.slice(2)));
}
