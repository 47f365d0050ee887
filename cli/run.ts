/**
 * Runs a CLI entry point: bad input (ObservatoryError) prints one line naming the key and the
 * problem and exits 2; anything else is a bug and keeps its stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ObservatoryError } from '../catalog/errors';

export async function runCli(name: string, main: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (e) {
    if (e instanceof ObservatoryError) {
      process.stderr.write(`${name}: error: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

/** node:util parseArgs, with its errors turned into ObservatoryErrors naming the flag. */
export function parseFlags<T extends ParseArgsConfig['options']>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    const msg = (e as Error).message;
    const flag = /'(-[^' ]+)/.exec(msg)?.[1] ?? 'arguments';
    throw new ObservatoryError(flag, msg.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option').replace(/^Option '(-[^' ]+) <value>' argument missing/, 'needs a value'));
  }
}
