/**
 * npm run diff -- <git-ref>
 *
 * Compares the rendered artifacts (generated/) at <git-ref> with the working tree and prints a
 * Markdown summary for a pull-request comment: dashboard panels, queries, units and thresholds;
 * rules added, removed or changed. Run `npm run render` first so generated/ matches the sources.
 * The comparison itself is cli/artifactDiff.ts (pure); this file only reads git and the disk.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ObservatoryError } from '../catalog/errors';
import { diffFileSets, type FileSet } from './artifactDiff';
import { formatDiffMarkdown } from './diffMarkdown';
import { listFiles } from '../render/renderFiles';
import { parseCommand, runCli, type CommandSpec, type FlagSpec } from './run';
import { staleWorkDirs } from '../render/stagedWrite';

export const REPO_ROOT = path.resolve(__dirname, '..');
const GENERATED = 'generated';
const WORKING_TREE = 'working tree';

export const DIFF_COMMAND = {
  name: 'diff',
  usage: '<git-ref>',
  summary:
    'Compares generated/ at <git-ref> with the working tree and prints a Markdown summary for a pull-request comment: dashboard panels, queries, units and thresholds; rules added, removed or changed. Run `npm run render` first so generated/ matches the sources.',
  flags: {},
  positionals: [{ name: '<git-ref>', help: 'the branch, tag or commit to compare with, e.g. origin/main' }],
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

function git(root: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new ObservatoryError('git', `cannot run git (${r.error.message}); npm run diff needs git on PATH`);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

/** The commit a ref names; a clear error for anything else. */
export function resolveRef(root: string, ref: string): string {
  if (ref.startsWith('-')) throw new ObservatoryError('<git-ref>', `"${ref}" is not a git ref`);
  if (!git(root, ['rev-parse', '--is-inside-work-tree']).ok) throw new ObservatoryError('git', `${root} is not a git repository`);
  const r = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!r.ok) throw new ObservatoryError(ref, 'is not a known git ref (branch, tag or commit); try `git fetch` or check the spelling');
  return r.out.trim();
}

/** generated/ at a commit, by path relative to generated/. */
export function filesAtCommit(root: string, commit: string): FileSet {
  const list = git(root, ['ls-tree', '-r', '-z', '--name-only', commit, '--', `${GENERATED}/`]);
  if (!list.ok) throw new ObservatoryError(commit, `cannot list ${GENERATED}/: ${list.err}`);
  const files = new Map<string, string>();
  for (const p of list.out.split('\0').filter(Boolean)) {
    const blob = git(root, ['cat-file', 'blob', `${commit}:./${p}`]);
    if (!blob.ok) throw new ObservatoryError(`${commit}:${p}`, `cannot be read: ${blob.err}`);
    files.set(p.slice(GENERATED.length + 1), blob.out);
  }
  return files;
}

/** generated/ in the working tree, by path relative to generated/. */
export function filesInWorkingTree(root: string): FileSet {
  const dir = path.join(root, GENERATED);
  const leftover = staleWorkDirs(dir);
  if (leftover.length > 0) {
    throw new ObservatoryError(`${GENERATED}/${leftover[0]}`, 'is the temp folder of an interrupted render, not output; run `npm run render` (it removes it) and diff again');
  }
  const files = new Map<string, string>();
  for (const rel of listFiles(dir)) {
    try {
      files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
    } catch (e) {
      throw new ObservatoryError(`${GENERATED}/${rel}`, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return files;
}

/** Runs the command; `root` defaults to this repository and `write` to stdout (tests pass their own). */
export function diff(argv: string[], root = REPO_ROOT, write: (text: string) => void = (t) => process.stdout.write(t)): number {
  const { positionals } = parseCommand(DIFF_COMMAND, argv);
  if (positionals.length !== 1) throw new ObservatoryError('<git-ref>', 'give exactly one git ref to compare with, e.g. `npm run diff -- origin/main`');
  const ref = positionals[0];
  const commit = resolveRef(root, ref);
  const diffs = diffFileSets(filesAtCommit(root, commit), filesInWorkingTree(root), { before: ref, after: WORKING_TREE });
  write(formatDiffMarkdown(diffs, ref, WORKING_TREE));
  return 0;
}

if (require.main === module) {
  void runCli('diff', () => diff(process.argv.slice(2)));
}
