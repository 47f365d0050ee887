/** Alertmanager with the derived config; clustering off (a single local instance). */
import { toolPath } from '../../toolchain/paths';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

export interface AlertmanagerService {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly url: string;
}

export async function startAlertmanager(supervisor: Supervisor, configFile: string, storageDir: string, port: number): Promise<AlertmanagerService> {
  const url = `http://${LOOPBACK}:${port}`;
  const proc = supervisor.start({
    name: 'alertmanager',
    command: toolPath('alertmanager'),
    args: [`--config.file=${configFile}`, `--storage.path=${storageDir}`, `--web.listen-address=${LOOPBACK}:${port}`, '--cluster.listen-address='],
  });
  await waitHttpReady(proc, `${url}/-/ready`);
  return { process: proc, port, url };
}
