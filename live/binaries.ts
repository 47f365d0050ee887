/**
 * The Debian binaries the live stack runs beside the pinned toolchain (toolchain/paths.ts): the
 * user's own databases, PostgreSQL and Redis, installed by scripts/ensure-tools.sh. A missing one
 * is an error that says how to install it, never a skipped check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where Debian's postgresql-15 puts initdb and postgres (they are not on PATH). */
export const POSTGRES_BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

const INSTALL_HINT = 'run `bash scripts/ensure-tools.sh` (installs the Debian packages)';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Absolute path of a binary on PATH; throws naming the fix when it is missing. */
export function binary(name: string): string {
  const found = onPath(name);
  if (!found) throw new Error(`${name} is not installed; ${INSTALL_HINT}`);
  return found;
}

/** Absolute path of a PostgreSQL server binary (initdb, postgres). */
export function postgresBinary(name: 'initdb' | 'postgres'): string {
  for (const dir of POSTGRES_BIN_DIRS) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  const found = onPath(name);
  if (found) return found;
  throw new Error(`PostgreSQL's ${name} is not installed (looked in ${POSTGRES_BIN_DIRS.join(', ')} and PATH); ${INSTALL_HINT}`);
}
