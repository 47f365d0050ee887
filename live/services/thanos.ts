/**
 * Thanos Receive and Thanos Query at the pinned release (toolPath('thanos')), on 127.0.0.1. The
 * command lines are the deployed ones (stacks/recipes.ts thanosReceiveArgs / thanosQueryArgs) with
 * loopback addresses, so the fault tests exercise what a stack runs.
 */
import { thanosQueryArgs, thanosReceiveArgs } from '../../stacks/recipes';
import { toolPath } from '../../toolchain/paths';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

export interface ThanosReceive {
  readonly process: ManagedProcess;
  /** Prometheus remote_write URL. */
  readonly remoteWriteUrl: string;
  /** host:port of the Store API Query reads. */
  readonly grpcAddress: string;
  readonly httpUrl: string;
}

export async function startThanosReceive(supervisor: Supervisor, name: string, dataDir: string, ports: { http: number; grpc: number; remoteWrite: number }): Promise<ThanosReceive> {
  const proc = supervisor.start({
    name,
    command: toolPath('thanos'),
    args: thanosReceiveArgs({
      dataDir,
      http: `${LOOPBACK}:${ports.http}`,
      grpc: `${LOOPBACK}:${ports.grpc}`,
      remoteWrite: `${LOOPBACK}:${ports.remoteWrite}`,
      replicaName: name,
      retention: '1d',
    }),
  });
  const httpUrl = `http://${LOOPBACK}:${ports.http}`;
  await waitHttpReady(proc, `${httpUrl}/-/ready`);
  return { process: proc, remoteWriteUrl: `http://${LOOPBACK}:${ports.remoteWrite}/api/v1/receive`, grpcAddress: `${LOOPBACK}:${ports.grpc}`, httpUrl };
}

export interface ThanosQuery {
  readonly process: ManagedProcess;
  /** Prometheus-compatible query API root. */
  readonly url: string;
}

/** `replicaLabels` empty: a Query that deduplicates nothing (the broken variant the tests compare with). */
export async function startThanosQuery(supervisor: Supervisor, name: string, endpoints: readonly string[], replicaLabels: readonly string[], ports: { http: number; grpc: number }): Promise<ThanosQuery> {
  const proc = supervisor.start({
    name,
    command: toolPath('thanos'),
    args: thanosQueryArgs({ http: `${LOOPBACK}:${ports.http}`, grpc: `${LOOPBACK}:${ports.grpc}`, endpoints, replicaLabels }),
  });
  const url = `http://${LOOPBACK}:${ports.http}`;
  await waitHttpReady(proc, `${url}/-/ready`);
  return { process: proc, url };
}
