/**
 * A local Kubernetes control plane for the tests, every program the pinned toolchain build
 * (toolchain/paths.ts): etcd, kube-apiserver (secure port only, RBAC, service-account tokens,
 * the default admission plugins with PodSecurity), kube-controller-manager, kube-scheduler and
 * kwok, whose fake nodes run the pods' lifecycle without a kubelet. Everything listens on
 * 127.0.0.1 ports the kernel picked, runs under a Supervisor and is stopped by PID.
 *
 * What is not here: a container runtime (no container runs; kwok reports them started), a CNI
 * (NetworkPolicies are stored and validated, not enforced), kube-proxy and cluster DNS (Service
 * names do not resolve), metrics-server (HPAs scale to their minimum but have no CPU readings).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toolPath } from '../../toolchain/paths';
import { pollUntil, done, notYet } from '../poll';
import { LOOPBACK, freePorts } from '../ports';
import { Supervisor, type ManagedProcess } from '../processes';
import { ApiError, KubeClient, type Credentials, type KubeObject } from './client';
import { writeKubeconfig } from './kubeconfig';
import { KWOK_NODE_ANNOTATION, NODE_IP_ANNOTATION, kwokStagesYaml } from './kwokStages';
import { makePki, type ClientName, type ClusterPki } from './pki';

export const SERVICE_CIDR = '10.96.0.0/16';
export const POD_CIDR = '10.244.0.0/16';
/** The fake nodes: enough for a DaemonSet to mean "more than one" and for spreading to matter. */
export const NODE_NAMES = ['kwok-node-0', 'kwok-node-1'] as const;

export interface ControlPlaneOptions {
  /** Scratch directory: certificates, kubeconfigs, etcd data, logs. Removed by stop() unless keep. */
  readonly dir: string;
  readonly log?: (line: string) => void;
  readonly timeoutMs?: number;
}

export interface ControlPlane {
  readonly server: string;
  readonly pki: ClusterPki;
  /** kubeconfig of the cluster admin (system:masters), for kubectl. */
  readonly adminKubeconfig: string;
  readonly admin: KubeClient;
  readonly supervisor: Supervisor;
  /** Milliseconds from the first process started to every node Ready. */
  readonly startupMs: number;
  credentials(name: ClientName): Credentials;
  /** A line per process that exited, with its log tail: why the cluster stopped answering. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

async function waitFor(what: string, probe: () => Promise<string | true>, procs: readonly ManagedProcess[], timeoutMs: number): Promise<void> {
  await pollUntil(
    what,
    async () => {
      const r = await probe();
      return r === true ? done(undefined) : notYet(r);
    },
    {
      timeoutMs,
      intervalMs: 250,
      abortIf: () => {
        const dead = procs.find((p) => !p.isRunning);
        return dead ? `${dead.name} ${dead.exitDescription}:\n${dead.logTail(15)}` : undefined;
      },
    },
  );
}

/** The pinned builds; a missing one throws saying to run `npm run tools`. */
export function controlPlaneBinaries(): Record<'etcd' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok', string> {
  return {
    etcd: toolPath('etcd'),
    apiserver: toolPath('kube-apiserver'),
    controllerManager: toolPath('kube-controller-manager'),
    scheduler: toolPath('kube-scheduler'),
    kwok: toolPath('kwok'),
  };
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 90_000;
  const dir = options.dir;
  const bins = controlPlaneBinaries();
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const pki = makePki(path.join(dir, 'pki'));
  const ports = await freePorts(['etcdClient', 'etcdPeer', 'apiserver'] as const);
  const server = `https://${LOOPBACK}:${ports.apiserver}`;
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  const credentials = (name: ClientName): Credentials => ({ server, caFile: pki.caCert, certFile: pki.clients[name].cert, keyFile: pki.clients[name].key });
  const kubeconfig = (name: ClientName) => writeKubeconfig(path.join(dir, `${name}.kubeconfig`), name, credentials(name));
  const admin = new KubeClient(credentials('admin'));
  const stop = async () => {
    admin.close();
    await supervisor.stopAll();
  };

  try {
    log(`certificates made in ${pki.dir}`);
    const etcdUrl = `http://${LOOPBACK}:${ports.etcdClient}`;
    const etcd = supervisor.start({
      name: 'etcd',
      command: bins.etcd,
      args: [
        '--name=test',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://${LOOPBACK}:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://${LOOPBACK}:${ports.etcdPeer}`,
        `--initial-cluster=test=http://${LOOPBACK}:${ports.etcdPeer}`,
        // A throwaway store: durability is not what is tested, and fsync on a shared disk is slow.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });
    await waitFor(
      'etcd healthy',
      async () => {
        const r = await fetch(`${etcdUrl}/health`);
        const body = (await r.json()) as { health?: string };
        return body.health === 'true' ? true : `health ${JSON.stringify(body)}`;
      },
      [etcd],
      timeoutMs,
    );
    log(`etcd ready on ${etcdUrl} (${Date.now() - started} ms)`);

    const apiserver = supervisor.start({
      name: 'kube-apiserver',
      command: bins.apiserver,
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${LOOPBACK}`,
        `--advertise-address=${LOOPBACK}`,
        `--secure-port=${ports.apiserver}`,
        `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.server.cert}`,
        `--tls-private-key-file=${pki.server.key}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // The endpoints of the `kubernetes` Service would be 127.0.0.1, which Endpoints refuse.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
      ],
    });
    await waitFor(
      'kube-apiserver ready',
      async () => {
        try {
          await admin.request('GET', '/readyz');
          return true;
        } catch (e) {
          return e instanceof ApiError ? e.body.split('\n').filter((l) => l.includes('failed')).join('; ') || e.message : (e as Error).message;
        }
      },
      [etcd, apiserver],
      timeoutMs,
    );
    log(`kube-apiserver ready on ${server} (${Date.now() - started} ms)`);

    const controllerManager = supervisor.start({
      name: 'kube-controller-manager',
      command: bins.controllerManager,
      args: [
        `--kubeconfig=${kubeconfig('controllerManager')}`,
        `--authentication-kubeconfig=${kubeconfig('controllerManager')}`,
        `--authorization-kubeconfig=${kubeconfig('controllerManager')}`,
        '--secure-port=0',
        '--leader-elect=false',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-cidr=${POD_CIDR}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--profiling=false',
      ],
    });
    const scheduler = supervisor.start({
      name: 'kube-scheduler',
      command: bins.scheduler,
      args: [
        `--kubeconfig=${kubeconfig('scheduler')}`,
        `--authentication-kubeconfig=${kubeconfig('scheduler')}`,
        `--authorization-kubeconfig=${kubeconfig('scheduler')}`,
        '--secure-port=0',
        '--leader-elect=false',
        '--profiling=false',
      ],
    });
    const stagesFile = path.join(dir, 'kwok.yaml');
    fs.writeFileSync(stagesFile, kwokStagesYaml());
    const kwok = supervisor.start({
      name: 'kwok',
      command: bins.kwok,
      args: [
        `--config=${stagesFile}`,
        `--kubeconfig=${kubeconfig('kwok')}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--cidr=${POD_CIDR.replace('.0.0/16', '.0.0/24')}`,
        '--node-lease-duration-seconds=40',
      ],
    });
    const all = [etcd, apiserver, controllerManager, scheduler, kwok];

    // The controller manager's service-account controller gives every namespace its `default`
    // ServiceAccount: a sign it runs and can write.
    await waitFor(
      'kube-controller-manager running (ServiceAccount default/default created)',
      async () => ((await admin.getOrUndefined('v1', 'ServiceAccount', 'default', 'default')) ? true : 'no default ServiceAccount yet'),
      all,
      timeoutMs,
    );
    log(`kube-controller-manager running (${Date.now() - started} ms)`);

    for (const [i, name] of NODE_NAMES.entries()) {
      const node: KubeObject = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
          annotations: { [KWOK_NODE_ANNOTATION]: 'fake', [NODE_IP_ANNOTATION]: `192.0.2.${10 + i}`, 'node.alpha.kubernetes.io/ttl': '0' },
        },
      };
      await admin.apply(node, 'observatory-test');
    }
    await waitFor(
      `nodes ${NODE_NAMES.join(', ')} Ready (kwok)`,
      async () => {
        const nodes = await admin.list<{ metadata: { name: string }; spec: { taints?: { key: string }[] }; status?: { conditions?: { type: string; status: string }[] } }>('v1', 'Node');
        const notReady = NODE_NAMES.filter((n) => {
          const node = nodes.find((x) => x.metadata.name === n);
          const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          return !ready || (node?.spec.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
        });
        return notReady.length === 0 ? true : `not Ready or still tainted: ${notReady.join(', ')}`;
      },
      all,
      timeoutMs,
    );
    const startupMs = Date.now() - started;
    log(`${NODE_NAMES.length} kwok nodes Ready; control plane up in ${startupMs} ms`);

    return {
      server,
      pki,
      adminKubeconfig: kubeconfig('admin'),
      admin,
      supervisor,
      startupMs,
      credentials,
      exited: () => {
        const dead = all.filter((p) => !p.isRunning);
        return dead.length === 0 ? undefined : dead.map((p) => `${p.name} ${p.exitDescription}:\n${p.logTail(15)}`).join('\n');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
