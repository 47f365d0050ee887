/**
 * Kubernetes service discovery for real: the pinned Prometheus (built with kubernetes_sd) runs the
 * rendered prometheus.yml of a stack against the test API server, with the credentials of the
 * ServiceAccount the stack creates (a token from the TokenRequest API, so only the stack's Role
 * grants it anything), and reports the targets it discovered.
 *
 * The one change to the rendered file: every kubernetes_sd_configs entry gets `kubeconfig_file`
 * (the rendered config discovers in-cluster, from the pod's mounted token and the
 * KUBERNETES_SERVICE_* environment, which a process outside a pod does not have). Static targets
 * (`*.svc` names) stay as rendered; they do not resolve here and are not what is checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { PrometheusConfig } from '../../generators/prometheusConfig';
import { toolPath } from '../../toolchain/paths';
import { done, notYet, pollUntil } from '../poll';
import { LOOPBACK, freePort } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from '../services/ready';

export interface ActiveTarget {
  readonly labels: Record<string, string>;
  readonly discoveredLabels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
}

/** The rendered config with kubeconfig_file added to each kubernetes_sd_configs entry, and nothing else changed. */
export function withKubeconfig(rendered: string, kubeconfigFile: string): string {
  const cfg = yaml.load(rendered) as PrometheusConfig;
  for (const job of cfg.scrape_configs) for (const sd of job.kubernetes_sd_configs ?? []) (sd as Record<string, unknown>).kubeconfig_file = kubeconfigFile;
  return yaml.dump(cfg, { lineWidth: -1 });
}

/** The jobs of a rendered config that discover through the Kubernetes API. */
export function kubernetesJobs(rendered: string): string[] {
  return (yaml.load(rendered) as PrometheusConfig).scrape_configs.filter((j) => (j.kubernetes_sd_configs ?? []).length > 0).map((j) => j.job_name);
}

export class DiscoveringPrometheus {
  private constructor(
    readonly process: ManagedProcess,
    readonly url: string,
  ) {}

  static async start(supervisor: Supervisor, dir: string, renderedConfig: string, kubeconfigFile: string, name = 'prometheus'): Promise<DiscoveringPrometheus> {
    fs.mkdirSync(dir, { recursive: true });
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, withKubeconfig(renderedConfig, kubeconfigFile));
    const port = await freePort();
    const proc = supervisor.start({
      name,
      command: toolPath('prometheus'),
      args: [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=${LOOPBACK}:${port}`],
    });
    const url = `http://${LOOPBACK}:${port}`;
    await waitHttpReady(proc, `${url}/-/ready`);
    return new DiscoveringPrometheus(proc, url);
  }

  async activeTargets(): Promise<ActiveTarget[]> {
    const r = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5_000) });
    const body = (await r.json()) as { data: { activeTargets: ActiveTarget[] } };
    return body.data.activeTargets;
  }

  /** Waits until `settled` accepts the active targets (discovery is asynchronous), then returns them. */
  async targetsWhen(settled: (targets: ActiveTarget[]) => string | true, timeoutMs: number): Promise<ActiveTarget[]> {
    return pollUntil(
      'Prometheus discovered the expected targets',
      async () => {
        const targets = await this.activeTargets();
        const r = settled(targets);
        return r === true ? done(targets) : notYet(r);
      },
      { timeoutMs, intervalMs: 500, abortIf: () => (this.process.isRunning ? undefined : `prometheus ${this.process.exitDescription}:\n${this.process.logTail()}`) },
    );
  }

  /** Lines of its log about Kubernetes discovery failing (forbidden, unauthorized, unreachable). */
  discoveryErrors(): string[] {
    return this.process.logTail(400).split('\n').filter((l) => /discovery.*kubernetes|kubernetes.*(forbidden|Unauthorized|Failed to watch|failed to list)/i.test(l) && /level=(error|warn)/i.test(l));
  }

  stop(): Promise<unknown> {
    return this.process.stop(15_000);
  }
}
