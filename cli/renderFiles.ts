/**
 * File-system side of render: write a stack's artifacts atomically (all stacks are rendered in
 * memory first, so a bad input writes nothing) and compare them with what is on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Artifact } from '../generators/artifact';

/** Every file below dir, as POSIX paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

export interface Difference {
  readonly kind: 'stale' | 'missing' | 'extra';
  readonly path: string;
}

export function compareWithDisk(dir: string, artifacts: readonly Artifact[]): Difference[] {
  const onDisk = new Set(listFiles(dir));
  const diffs: Difference[] = [];
  for (const a of artifacts) {
    if (!onDisk.has(a.path)) diffs.push({ kind: 'missing', path: a.path });
    else if (fs.readFileSync(path.join(dir, a.path), 'utf8') !== a.content) diffs.push({ kind: 'stale', path: a.path });
    onDisk.delete(a.path);
  }
  for (const p of onDisk) diffs.push({ kind: 'extra', path: p });
  return diffs;
}

/** Replaces dir with exactly the artifacts: written to a sibling temp dir, then swapped in. */
export function writeArtifacts(dir: string, artifacts: readonly Artifact[]): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  try {
    for (const a of artifacts) {
      const file = path.join(tmp, a.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, a.content);
    }
    const old = `${tmp}.old`;
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
