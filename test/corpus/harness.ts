/** Runs the CLIs in-process as their entry points do (runCommand: exit code, stdout and stderr lines) and snapshots folders. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { render, type RenderIo } from '../../cli/render';
import { runCommand } from '../../cli/run';
/** This repository (not ../helpers: that one needs vitest, and this runs outside it too). */
const REPO = path.resolve(__dirname, '..', '..');
import type { ConfigMapping } from './configCases';

export interface CliResult {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

export async function runCli(name: string, main: (log: (l: string) => void) => Promise<number> | number): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(name, () => main((l) => out.push(l)), { out: (l) => out.push(l), err: (l) => err.push(...l.split('\n')) });
  return { code, out, err };
}

export function runRender(root: string, argv: string[], io: RenderIo = {}): Promise<CliResult> {
  return runCli('render', (log) => render(argv, root, log, io));
}

/** Every entry below dir (folders too, hidden ones included) with file contents; {} when dir is absent. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    if (st.isDirectory()) {
      out[`${rel}/`] = '(dir)';
      for (const n of fs.readdirSync(full).sort()) walk(rel ? `${rel}/${n}` : n);
    } else out[rel] = st.isFile() ? fs.readFileSync(full, 'utf8') : '(special)';
  };
  walk('');
  return out;
}

/** A project root with the committed stack files and generated/ (markers included). */
export function makeTemplateRoot(dir: string): string {
  for (const f of fs.readdirSync(REPO).filter((n) => /^Pulumi\.[a-z]+\.yaml$/.test(n))) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  fs.cpSync(path.join(REPO, 'generated'), path.join(dir, 'generated'), { recursive: true });
  return dir;
}

export function writeStackFile(root: string, stack: string, config: ConfigMapping): void {
  fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), yaml.dump({ config }, { lineWidth: -1 }));
}

/** No stack trace or internal frame in any line. */
export const STACK_TRACE = /^\s+at |\n\s+at |node:internal|\.ts:\d+:\d+/;
