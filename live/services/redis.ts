/**
 * A throw-away redis-server on 127.0.0.1: no persistence, and a maxmemory so that the memory-usage
 * recording rule (used / max, guarded against max = 0) has a denominator, as a production Redis
 * used as a cache would.
 */
import { binary } from '../binaries';
import { LOOPBACK, tcpAccepts } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitReady } from './ready';

/** maxmemory of the live Redis. Default Redis has none, which hides the memory-usage ratio. */
export const REDIS_MAXMEMORY = '64mb';

export interface RedisService {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly url: string;
}

export async function startRedis(supervisor: Supervisor, dir: string, port: number): Promise<RedisService> {
  const proc = supervisor.start({
    name: 'redis',
    command: binary('redis-server'),
    args: ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--maxmemory', REDIS_MAXMEMORY, '--dir', dir],
  });
  await waitReady(proc, () => tcpAccepts(port));
  return { process: proc, port, url: `redis://${LOOPBACK}:${port}` };
}
