/**
 * The write side of render: every target is checked before anything is written, every stack is
 * staged in a sibling temp folder and only swapped in once all of them are complete, an interrupt
 * (SIGINT/SIGTERM) or a failed write (full disk, permissions) removes the staging and leaves the
 * old output as it was, and temp folders a killed render left behind are removed on the next run.
 *
 * Render only ever replaces `<out>/<stack>` folders it wrote itself: each carries RENDER_MARKER.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ObservatoryError } from '../catalog/errors';
import type { Artifact } from '../generators/artifact';
import { expectedFiles, RENDER_MARKER } from './renderFiles';
import { Interrupted } from '../cli/run';


/** `.<stack>.tmp-<pid>-<random>` (staging) and `.<stack>.old-<pid>-<random>` (the replaced folder, until removed). */
const WORK_DIR = /^\.(.+)\.(tmp|old)-([0-9]+)-[a-z0-9]+$/;
/** What renders before the staged writes named their temp folders (mkdtemp): no pid to ask. */
const LEGACY_WORK_DIR = /^\.(.+)\.tmp-[A-Za-z0-9]{6}(\.old)?$/;

export interface StackOutput {
  readonly stack: string;
  readonly artifacts: readonly Artifact[];
}

/** Injected by tests (a full disk, a failing device); default: node's fs.promises. */
export interface WriteFs {
  readonly writeFile: (file: string, content: string) => Promise<void>;
}
const NODE_FS: WriteFs = { writeFile: (f, c) => fs.promises.writeFile(f, c) };

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp folders in outDir that no running render owns (left by a killed one). */
export function staleWorkDirs(outDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(outDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => {
      const m = WORK_DIR.exec(n);
      if (m) return !isAlive(Number(m[3]));
      return LEGACY_WORK_DIR.test(n);
    })
    .sort();
}

/**
 * Stack folders render wrote (RENDER_MARKER) in outDir whose stack has no stack file any more.
 * With `everyFolder` (generated/, which holds nothing else) any folder counts.
 */
export function orphanStackDirs(outDir: string, stacks: readonly string[], everyFolder = false): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(outDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !stacks.includes(e.name))
    .filter((e) => everyFolder || fs.existsSync(path.join(outDir, e.name, RENDER_MARKER)))
    .map((e) => e.name)
    .sort();
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Throws unless render may write outDir/<stack> for every stack: outDir (or its nearest existing
 * parent) is a writable folder, it is not the project root or above it, and each existing
 * outDir/<stack> is a folder render wrote (has RENDER_MARKER) or is empty.
 */
export function checkOutputTarget(outDir: string, root: string, stacks: readonly string[], flag = '--out'): void {
  const shown = (p: string) => displayPath(root, p);
  const rel = path.relative(outDir, root);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new ObservatoryError(flag, `${outDir} is the project folder or one of its parents; render writes one folder per stack there, so give it a folder of its own (e.g. generated or /tmp/render)`);
  }
  let existing = outDir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(existing);
  } catch (e) {
    throw new ObservatoryError(flag, `${existing} cannot be read (${code(e)})`);
  }
  if (!stat.isDirectory()) throw new ObservatoryError(flag, `${existing} is a file, not a folder`);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw new ObservatoryError(flag, `${existing} is not writable (${code(e)})`);
  }
  // Pseudo file systems (procfs, sysfs) refuse new folders in ways that do not always fail fast.
  const real = fs.realpathSync(existing);
  if (/^\/(proc|sys|dev)(\/|$)/.test(real) && !/^\/dev\/shm(\/|$)/.test(real)) throw new ObservatoryError(flag, `${outDir} is on a system pseudo file system (${real.split('/')[1]}); choose a real folder`);
  for (const stack of stacks) {
    const dir = path.join(outDir, stack);
    if (!fs.existsSync(dir)) continue;
    if (!fs.statSync(dir).isDirectory()) throw new ObservatoryError(flag, `${shown(dir)} exists and is a file; render writes a folder there: move the file away or choose another ${flag}`);
    const names = fs.readdirSync(dir);
    if (names.length > 0 && !names.includes(RENDER_MARKER)) {
      throw new ObservatoryError(flag, `${shown(dir)} exists and was not written by render (no ${RENDER_MARKER}); render replaces that folder whole, so move it away or choose another ${flag}`);
    }
  }
}

/** A path as the user would type it: relative inside the project, absolute outside. */
export function displayPath(root: string, p: string): string {
  const rel = path.relative(root, p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** Parents of dir that do not exist yet, outermost first. */
function missingParents(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  return missing;
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10) || 'x';
}

export interface WriteReport {
  /** Stale temp folders removed before writing. */
  readonly removedStale: readonly string[];
}

/**
 * Writes every stack to outDir/<stack>: all staged first, then swapped in. On a failed write or
 * SIGINT/SIGTERM nothing under outDir changes (the staging is removed, folders this call created
 * are removed again) and the error or Interrupted is thrown. Call checkOutputTarget() first.
 */
export async function writeStacks(outDir: string, outputs: readonly StackOutput[], wfs: WriteFs = NODE_FS): Promise<WriteReport> {
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => () => {
    interrupted ??= s;
  };
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  const created = missingParents(outDir);
  const staged = new Map<string, string>();
  const check = () => {
    if (interrupted) throw new Interrupted(interrupted, `nothing under ${outDir} was changed`);
  };
  try {
    const removedStale = staleWorkDirs(outDir);
    for (const name of removedStale) fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
    if (created.length > 0) fs.mkdirSync(outDir, { recursive: true });
    for (const { stack, artifacts } of outputs) {
      const tmp = path.join(outDir, `.${stack}.tmp-${process.pid}-${randomSuffix()}`);
      fs.mkdirSync(tmp);
      staged.set(stack, tmp);
      const dirs = new Set<string>();
      for (const a of expectedFiles(artifacts)) {
        const file = path.join(tmp, a.path);
        const parent = path.dirname(file);
        if (!dirs.has(parent)) {
          await fs.promises.mkdir(parent, { recursive: true });
          dirs.add(parent);
        }
        await wfs.writeFile(file, a.content);
        check();
      }
    }
    check();
    // Every stack is complete: swap them in (renames only, synchronous, so no signal lands midway).
    const old: string[] = [];
    for (const { stack } of outputs) {
      const dir = path.join(outDir, stack);
      if (fs.existsSync(dir)) {
        const away = path.join(outDir, `.${stack}.old-${process.pid}-${randomSuffix()}`);
        fs.renameSync(dir, away);
        old.push(away);
      }
      fs.renameSync(staged.get(stack)!, dir);
      staged.delete(stack);
    }
    for (const d of old) fs.rmSync(d, { recursive: true, force: true });
    return { removedStale };
  } catch (e) {
    for (const tmp of staged.values()) fs.rmSync(tmp, { recursive: true, force: true });
    for (const d of [...created].reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        // not empty: something else wrote there meanwhile; leave it
      }
    }
    if (e instanceof Interrupted || e instanceof ObservatoryError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code !== undefined) throw new ObservatoryError(err.path ?? outDir, `cannot be written (${err.code}${err.code === 'ENOSPC' ? ': no space left on the device' : ''}); nothing under ${outDir} was changed`);
    throw e;
  } finally {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  }
}
