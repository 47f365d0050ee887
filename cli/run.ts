/**
 * The command-line layer every entry point shares (render, diff, live, bench): flags declared once
 * with their help text, parsed by node's util.parseArgs, `--help` generated from the same
 * declaration, and one exit-code policy:
 *
 *   0  success            1  render --check found differences
 *   2  bad input (config, catalog, flags, file system): one line naming the key and the problem
 *   130 / 143  interrupted by SIGINT / SIGTERM (nothing half-written is left behind)
 *
 * Anything else is a bug and keeps its stack trace.
 */
import { parseArgs } from 'node:util';
import { ObservatoryError } from '../catalog/errors';

export const EXIT_CODES = { ok: 0, differences: 1, badInput: 2, SIGINT: 130, SIGTERM: 143 } as const;

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string | boolean;
  /** Placeholder for the value in --help (string flags). Default: VALUE */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec<F extends Record<string, FlagSpec>> {
  /** `npm run <name>` */
  readonly name: string;
  /** What follows `npm run <name> --`, e.g. `[--check] [--stack NAME]...`; generated when omitted. */
  readonly usage?: string;
  /** One paragraph: what the command does. */
  readonly summary: string;
  readonly flags: F;
  readonly positionals?: readonly { readonly name: string; readonly help: string }[];
  /** Exit codes besides 0 and 2, with their meaning. */
  readonly exitCodes?: Readonly<Record<number, string>>;
}

/** Thrown by parseCommand on --help; runCommand prints the text and exits 0. */
export class HelpRequested {
  constructor(readonly text: string) {}
}

/** Thrown when SIGINT or SIGTERM stopped a command; runCommand exits 130 or 143. */
export class Interrupted {
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    readonly detail: string,
  ) {}
}

export function helpText<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  const flagWords = Object.entries(spec.flags).map(([name, f]) => `[--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}]${f.multiple ? '...' : ''}`);
  const usage = spec.usage ?? [...flagWords, ...(spec.positionals ?? []).map((p) => p.name)].join(' ');
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => [
    `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`,
    `${f.help}${f.default !== undefined && f.default !== false ? ` (default: ${String(f.default)})` : ''}${f.multiple ? ' (repeatable)' : ''}`,
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([l]) => l.length), ...(spec.positionals ?? []).map((p) => p.name.length));
  const codes: [number, string][] = [
    [0, 'success'],
    ...Object.entries(spec.exitCodes ?? {}).map(([c, m]) => [Number(c), m] as [number, string]),
    [2, 'bad input (config, catalog, flags, file system): one line naming the key and the problem'],
    [130, 'interrupted (SIGINT; 143 for SIGTERM)'],
  ];
  return [
    `Usage: npm run ${spec.name} --${usage ? ` ${usage}` : ''}`,
    '',
    spec.summary,
    ...(spec.positionals?.length ? ['', 'Arguments:', ...spec.positionals.map((p) => `  ${p.name.padEnd(width)}  ${p.help}`)] : []),
    '',
    'Options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`),
    '',
    'Exit codes:',
    ...codes.sort((a, b) => a[0] - b[0]).map(([c, m]) => `  ${String(c).padEnd(3)}  ${m}`),
  ].join('\n');
}

/** util.parseArgs over the declared flags; errors become ObservatoryErrors naming the flag; --help throws HelpRequested. */
export function parseCommand<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>, argv: readonly string[]) {
  const options = { ...spec.flags, help: { type: 'boolean', short: 'h', help: '' } } as F & { help: { type: 'boolean'; short: 'h'; help: string } };
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(helpText(spec));
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: (spec.positionals?.length ?? 0) > 0 });
  } catch (e) {
    const msg = (e as Error).message;
    const flag = /'(-[^' ]+)/.exec(msg)?.[1] ?? (/Unexpected argument/.test(msg) ? 'arguments' : 'arguments');
    const problem = msg
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/^Unknown option '[^']+'/, `unknown option (see npm run ${spec.name} -- --help)`)
      .replace(/^Option '(-[^' ]+) <value>' argument missing/, 'needs a value')
      .replace(/^Option '(-[^' ]+)' does not take an argument/, 'does not take a value')
      .replace(/^Unexpected argument '([^']+)'\. This command does not take positional arguments/, `unexpected argument "$1" (see npm run ${spec.name} -- --help)`);
    throw new ObservatoryError(flag, problem);
  }
}

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STDIO: CliOutput = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Runs a command and returns its exit code (tests call this directly with their own output). */
export async function runCommand(name: string, main: () => Promise<number> | number, io: CliOutput = STDIO): Promise<number> {
  try {
    return await main();
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(e.text);
      return EXIT_CODES.ok;
    }
    if (e instanceof ObservatoryError) {
      io.err(`${name}: error: ${e.message.replace(/\s*\n\s*/g, ' ')}`);
      return EXIT_CODES.badInput;
    }
    if (e instanceof Interrupted) {
      io.err(`${name}: interrupted (${e.signal}); ${e.detail}`);
      return EXIT_CODES[e.signal];
    }
    throw e;
  }
}

/** The process entry point: runCommand with stdout/stderr, the result as the exit code. */
export async function runCli(name: string, main: () => Promise<number> | number): Promise<void> {
  process.exitCode = await runCommand(name, main);
}
