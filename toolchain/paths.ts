/**
 * Where the toolchain lives: one cache directory for every program built from its Go module
 * (toolchain/build.ts) and the Go module and build caches behind them. OBSERVATORY_CACHE moves it;
 * the default is ~/.cache/observatory. Deleting it costs one cold build (docs/toolchain.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UPSTREAM, type UpstreamKey, type UpstreamProgram } from '../stacks/versions';

export function cacheDir(): string {
  const fromEnv = process.env.OBSERVATORY_CACHE;
  return path.resolve(fromEnv && fromEnv.trim() !== '' ? fromEnv : path.join(os.homedir(), '.cache', 'observatory'));
}

/** The directory one pinned program's commands are installed in. */
export function programDir(key: UpstreamKey): string {
  return path.join(cacheDir(), 'tools', `${key}-${UPSTREAM[key].release}`);
}

/**
 * Binary name of a command directory: the program's binaryNames entry, else Go's default, the
 * last element of the package path (the module's for `.`) without a major-version suffix.
 */
export function commandName(key: UpstreamKey, command: string): string {
  const program: UpstreamProgram = UPSTREAM[key];
  const named = program.binaryNames?.[command];
  if (named !== undefined) return named;
  const parts = (command === '.' ? program.module : command).split('/');
  const last = parts[parts.length - 1];
  return /^v[0-9]+$/.test(last) && parts.length > 1 ? parts[parts.length - 2] : last;
}

/** Every command the toolchain provides, by binary name, with the program it belongs to. */
export const COMMANDS: Readonly<Record<string, UpstreamKey>> = Object.fromEntries(
  (Object.keys(UPSTREAM) as UpstreamKey[]).flatMap((key) => UPSTREAM[key].commands.map((c) => [commandName(key, c), key])),
);

export type ToolCommand = keyof typeof COMMANDS & string;

/**
 * Absolute path of a pinned command such as `promtool` or `alertmanager`. A missing build is an
 * error that says how to build it, never a fallback to some other installed version.
 */
export function toolPath(command: string): string {
  const key = COMMANDS[command];
  if (key === undefined) throw new Error(`${command} is not a toolchain command (have: ${Object.keys(COMMANDS).sort().join(', ')})`);
  const file = path.join(programDir(key), 'bin', command);
  if (!fs.existsSync(file)) {
    throw new Error(`${command} ${UPSTREAM[key].release} is not built in ${programDir(key)}; run \`npm run tools\` (builds the pinned toolchain, see docs/toolchain.md)`);
  }
  return file;
}
