/**
 * The HA engine fault rig: Thanos Receive, a deduplicating Thanos Query (the stack's, replica
 * label from config) and one without replica labels (dedup off, the broken variant), two demo
 * targets, and two HA pairs of Prometheus remote-writing to Receive: the rendered pair, and a pair
 * whose replica label was dropped on purpose. All on 127.0.0.1, every process stopped by PID.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROMETHEUS_REPLICA_ENV, replicaName } from '../../generators/topology';
import type { StackConfig } from '../../stacks/config/schema';
import { freePorts } from '../ports';
import { Supervisor, onInterrupt } from '../processes';
import { PrometheusService } from '../services/prometheus';
import { startThanosQuery, startThanosReceive, type ThanosQuery, type ThanosReceive } from '../services/thanos';
import { startDemoTarget, type DemoTarget } from './demoTargets';
import { haStackConfig, replicaPrometheusYaml } from './haConfig';

/** Scrape interval of the rig: short, so a stop of a minute is 60 samples and the run stays short. */
export const RIG_SCRAPE_SECONDS = 1;

export interface EnginePair {
  readonly config: StackConfig;
  readonly replicas: readonly PrometheusService[];
  /** Selects this pair's `up` series: the stack external label tells the pairs apart. */
  readonly selector: string;
}

export interface EngineRig {
  readonly receive: ThanosReceive;
  readonly query: ThanosQuery;
  readonly queryWithoutDedup: ThanosQuery;
  readonly targets: readonly DemoTarget[];
  readonly pair: EnginePair;
  readonly pairWithoutReplicaLabel: EnginePair;
  stop(): Promise<void>;
}

export async function startEngineRig(dir: string): Promise<EngineRig> {
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  const targets: DemoTarget[] = [];
  const stop = async () => {
    await supervisor.stopAll();
    await Promise.all(targets.map((t) => t.stop()));
  };
  const unhook = onInterrupt(stop);
  try {
    const ports = await freePorts(['rHttp', 'rGrpc', 'rWrite', 'qHttp', 'qGrpc', 'nHttp', 'nGrpc', 't0', 't1', 'a0', 'a1', 'b0', 'b1'] as const);
    targets.push(await startDemoTarget(ports.t0), await startDemoTarget(ports.t1));
    const receive = await startThanosReceive(supervisor, 'thanos-receive', path.join(dir, 'receive'), { http: ports.rHttp, grpc: ports.rGrpc, remoteWrite: ports.rWrite });
    // Samples reach Receive within a second or two instead of the 5 s default batch deadline.
    const scaleOut = { prometheus: { replicas: 2 }, longTermStorage: { kind: 'thanos', queue: { batchSendDeadline: '1s' } } };
    const config = haStackConfig('ha', scaleOut);
    const broken = haStackConfig('ha-no-replica-label', scaleOut);
    const query = await startThanosQuery(supervisor, 'thanos-query', [receive.grpcAddress], [config.prometheus.replicaLabel], { http: ports.qHttp, grpc: ports.qGrpc });
    const queryWithoutDedup = await startThanosQuery(supervisor, 'thanos-query-no-dedup', [receive.grpcAddress], [], { http: ports.nHttp, grpc: ports.nGrpc });

    const startPair = async (c: StackConfig, promPorts: readonly number[], dropReplicaLabel: boolean): Promise<EnginePair> => {
      const replicas = promPorts.map((port, i) => {
        const name = `${c.stack}-${replicaName('prometheus', i)}`;
        const file = path.join(dir, `${name}.yml`);
        fs.writeFileSync(file, replicaPrometheusYaml(c, { interval: `${RIG_SCRAPE_SECONDS}s`, targets: targets.map((t) => t.address), remoteWriteUrl: receive.remoteWriteUrl, dropReplicaLabel }));
        return new PrometheusService(supervisor, file, path.join(dir, `${name}-data`), port, { name, env: { [PROMETHEUS_REPLICA_ENV]: replicaName('prometheus', i) } });
      });
      for (const r of replicas) await r.start();
      return { config: c, replicas, selector: `up{job="ha-demo",stack="${c.stack}"}` };
    };
    const pair = await startPair(config, [ports.a0, ports.a1], false);
    const pairWithoutReplicaLabel = await startPair(broken, [ports.b0, ports.b1], true);
    return {
      receive, query, queryWithoutDedup, targets, pair, pairWithoutReplicaLabel,
      stop: async () => {
        unhook();
        await stop();
      },
    };
  } catch (e) {
    unhook();
    await stop();
    throw e;
  }
}
