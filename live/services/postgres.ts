/**
 * A throw-away PostgreSQL server: initdb into the run directory, trust auth on 127.0.0.1 only,
 * the socket in the run directory (not /run/postgresql), and a database `app` for the demo app.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { postgresBinary } from '../binaries';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitReady } from './ready';

export const APP_DATABASE = 'app';
const SUPERUSER = 'postgres';
/** The one line of PostgreSQL config the statement statistics need. */
export const PRELOAD_LIBRARIES = 'pg_stat_statements';

export interface PostgresService {
  readonly process: ManagedProcess;
  readonly port: number;
  /** postgresql:// URL of a database on this server. Default database: app */
  dsn(database?: string): string;
}

/** uid/gid of a system user, from /etc/passwd. */
export function systemUser(name: string, passwd = fs.readFileSync('/etc/passwd', 'utf8')): { uid: number; gid: number } | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = systemUser('postgres');
  if (!user) throw new Error('running as root, PostgreSQL needs the "postgres" system user, which the Debian postgresql package creates; run `npm run tools`');
  return user;
}

export async function startPostgres(supervisor: Supervisor, dir: string, port: number): Promise<PostgresService> {
  const user = serverUser();
  const base = path.join(dir, 'postgres');
  const data = path.join(base, 'data');
  const socketDir = path.join(base, 'run');
  fs.mkdirSync(socketDir, { recursive: true });
  if (user) {
    fs.chownSync(base, user.uid, user.gid);
    fs.chownSync(socketDir, user.uid, user.gid);
  }
  const init = spawnSync(postgresBinary('initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    uid: user?.uid,
    gid: user?.gid,
  });
  if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.stdout || init.error?.message}`);

  const proc = supervisor.start({
    name: 'postgres',
    command: postgresBinary('postgres'),
    // fsync off: the data is thrown away after the run, and the run should be fast.
    // pg_stat_statements loaded as a deployment must load it (docs/deploying.md): the exporter's
    // statement statistics and the Queries panels need it.
    args: ['-D', data, '-p', String(port), '-k', socketDir, '-c', `listen_addresses=${LOOPBACK}`, '-c', 'fsync=off', '-c', 'log_min_messages=warning', '-c', `shared_preload_libraries=${PRELOAD_LIBRARIES}`],
    user,
    // SIGINT is PostgreSQL's "fast shutdown"; SIGTERM would wait for every client to disconnect.
    stopSignal: 'SIGINT',
  });
  const dsn = (database = APP_DATABASE) => `postgresql://${SUPERUSER}@${LOOPBACK}:${port}/${database}?sslmode=disable`;
  await waitReady(proc, async () => {
    const client = new Client({ connectionString: dsn('postgres'), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  const admin = new Client({ connectionString: dsn('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${APP_DATABASE}`);
  } finally {
    await admin.end();
  }
  // In the database the exporter connects to (its DSN is dsn()).
  const app = new Client({ connectionString: dsn() });
  await app.connect();
  try {
    await app.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await app.end();
  }
  return { process: proc, port, dsn };
}
