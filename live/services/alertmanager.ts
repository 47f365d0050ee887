/**
 * Alertmanager with the derived config. Alone: clustering off (a single local instance), as a
 * single-replica stack runs it. As a member of a cluster: the gossip flags a clustered stack
 * deploys (stacks/recipes.ts alertmanagerClusterArgs) with loopback addresses.
 */
import { alertmanagerClusterArgs } from '../../stacks/recipes';
import { toolPath } from '../../toolchain/paths';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

export interface AlertmanagerService {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly url: string;
}

export interface AlertmanagerMember {
  /** Process and log name. */
  readonly name: string;
  /** 127.0.0.1 port this member gossips on; undefined: gossip off (the broken variant of a cluster). */
  readonly clusterPort?: number;
  /** Gossip ports of every member, itself included. */
  readonly peerPorts: readonly number[];
}

export async function startAlertmanager(supervisor: Supervisor, configFile: string, storageDir: string, port: number, member?: AlertmanagerMember): Promise<AlertmanagerService> {
  const url = `http://${LOOPBACK}:${port}`;
  const cluster = member
    ? alertmanagerClusterArgs(member.clusterPort === undefined ? undefined : `${LOOPBACK}:${member.clusterPort}`, member.peerPorts.map((p) => `${LOOPBACK}:${p}`))
    : alertmanagerClusterArgs(undefined, []);
  const proc = supervisor.start({
    name: member?.name ?? 'alertmanager',
    command: toolPath('alertmanager'),
    args: [`--config.file=${configFile}`, `--storage.path=${storageDir}`, `--web.listen-address=${LOOPBACK}:${port}`, ...cluster],
  });
  await waitHttpReady(proc, `${url}/-/ready`, 90_000);
  return { process: proc, port, url };
}
