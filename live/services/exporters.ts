/**
 * The three exporters (the pinned builds) with their default flags (no extra collectors or query
 * files) plus the settings the stack deploys them with (REDIS_EXPORTER_ENV), so the live stack
 * sees exactly the series a deployment exposes.
 */
import { REDIS_EXPORTER_ENV } from '../../stacks/recipes';
import { toolPath } from '../../toolchain/paths';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

export interface ExporterService {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly address: string;
}

async function startExporter(supervisor: Supervisor, name: string, bin: string, port: number, args: string[], env?: Record<string, string>): Promise<ExporterService> {
  const address = `${LOOPBACK}:${port}`;
  const proc = supervisor.start({ name, command: toolPath(bin), args: [`--web.listen-address=${address}`, ...args], env });
  await waitHttpReady(proc, `http://${address}/metrics`);
  return { process: proc, port, address };
}

export function startPostgresExporter(supervisor: Supervisor, port: number, dsn: string): Promise<ExporterService> {
  return startExporter(supervisor, 'postgres-exporter', 'postgres_exporter', port, [], { DATA_SOURCE_NAME: dsn });
}

export function startRedisExporter(supervisor: Supervisor, port: number, redisUrl: string): Promise<ExporterService> {
  return startExporter(supervisor, 'redis-exporter', 'redis_exporter', port, [`--redis.addr=${redisUrl}`], { ...REDIS_EXPORTER_ENV });
}

export function startNodeExporter(supervisor: Supervisor, port: number): Promise<ExporterService> {
  return startExporter(supervisor, 'node-exporter', 'node_exporter', port, []);
}
