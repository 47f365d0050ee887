/**
 * Reading side of render: list what is on disk and compare it with the rendered artifacts (the
 * write side, staged and swapped, is render/stagedWrite.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Artifact } from '../generators/artifact';

/** Marks a folder as render's own: render refuses to replace a folder without it. */
export const RENDER_MARKER = '.observatory-render';
export const RENDER_MARKER_TEXT = 'Written by `npm run render` (Observatory), which replaces this whole folder. Do not edit or add files here.\n';

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

/** What render writes to dir: the artifacts plus the marker that makes the folder render's own. */
export function expectedFiles(artifacts: readonly Artifact[]): Artifact[] {
  return [...artifacts, { path: RENDER_MARKER, content: RENDER_MARKER_TEXT }];
}

export function compareWithDisk(dir: string, artifacts: readonly Artifact[]): Difference[] {
  const onDisk = new Set(listFiles(dir));
  const diffs: Difference[] = [];
  for (const a of expectedFiles(artifacts)) {
    if (!onDisk.has(a.path)) diffs.push({ kind: 'missing', path: a.path });
    else if (fs.readFileSync(path.join(dir, a.path), 'utf8') !== a.content) diffs.push({ kind: 'stale', path: a.path });
    onDisk.delete(a.path);
  }
  for (const p of onDisk) diffs.push({ kind: 'extra', path: p });
  return diffs;
}
