/**
 * Prometheus with the derived config and the rendered rules. It can be stopped and started again
 * on the same storage, which the live test uses to prove data survives a restart.
 */
import { PROMETHEUS_EXEMPLAR_STORAGE_FLAG } from '../../stacks/recipes';
import { toolPath } from '../../toolchain/paths';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

export class PrometheusService {
  private current: ManagedProcess | undefined;
  readonly url: string;

  constructor(
    private readonly supervisor: Supervisor,
    readonly configFile: string,
    readonly storageDir: string,
    readonly port: number,
    /** Process (and log) name and extra environment, for one of several replicas. Default: prometheus, none */
    private readonly replica: { readonly name: string; readonly env: Readonly<Record<string, string>> } = { name: 'prometheus', env: {} },
  ) {
    this.url = `http://${LOOPBACK}:${port}`;
  }

  get process(): ManagedProcess | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.current?.isRunning) throw new Error(`${this.replica.name} is already running`);
    this.current = this.supervisor.start({
      name: this.replica.name,
      env: this.replica.env,
      command: toolPath('prometheus'),
      args: [
        `--config.file=${this.configFile}`,
        `--storage.tsdb.path=${this.storageDir}`,
        `--web.listen-address=${LOOPBACK}:${this.port}`,
        // Reload and quit over HTTP, so a person running `npm run live -- --keep` can edit rules.
        '--web.enable-lifecycle',
        PROMETHEUS_EXEMPLAR_STORAGE_FLAG,
      ],
    });
    await waitHttpReady(this.current, `${this.url}/-/ready`);
  }

  /** Re-reads the config and rule files (POST /-/reload); throws when Prometheus rejects them. */
  async reload(): Promise<void> {
    const res = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`prometheus reload failed (${res.status}): ${await res.text()}`);
  }

  /** Graceful stop (SIGTERM): Prometheus flushes its head block and WAL. */
  async stop(): Promise<void> {
    if (this.current?.isRunning) await this.current.stop(30_000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
