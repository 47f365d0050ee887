/**
 * The exporters (the pinned builds) with the settings the stack deploys them with
 * (postgresExporterCollectorArgs with the rendered queries file, REDIS_EXPORTER_ENV, the rendered
 * blackbox.yml), so the live stack sees exactly the series a deployment exposes.
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

/** `args`: postgresExporterCollectorArgs(config, <the rendered queries file>). */
export function startPostgresExporter(supervisor: Supervisor, port: number, dsn: string, args: readonly string[]): Promise<ExporterService> {
  return startExporter(supervisor, 'postgres-exporter', 'postgres_exporter', port, [...args], { DATA_SOURCE_NAME: dsn });
}

/** blackbox_exporter with the rendered blackbox.yml. */
export function startBlackboxExporter(supervisor: Supervisor, port: number, configFile: string): Promise<ExporterService> {
  return startExporter(supervisor, 'blackbox-exporter', 'blackbox_exporter', port, [`--config.file=${configFile}`]);
}

export function startRedisExporter(supervisor: Supervisor, port: number, redisUrl: string): Promise<ExporterService> {
  return startExporter(supervisor, 'redis-exporter', 'redis_exporter', port, [`--redis.addr=${redisUrl}`], { ...REDIS_EXPORTER_ENV });
}

export function startNodeExporter(supervisor: Supervisor, port: number): Promise<ExporterService> {
  return startExporter(supervisor, 'node-exporter', 'node_exporter', port, []);
}
