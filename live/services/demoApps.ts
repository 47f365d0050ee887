/**
 * Replicas of the demo application (live/demoApp.ts), each its own Node process, as the docker
 * target runs `replicas.min` containers of every app.
 */
import * as path from 'node:path';
import type { Faults } from '../demoApp';
import { FAULTS_PATH, HEALTH_PATH } from '../demoApp';
import { LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { waitHttpReady } from './ready';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface AppReplica {
  readonly app: string;
  readonly index: number;
  readonly process: ManagedProcess;
  readonly port: number;
  readonly url: string;
}

export interface ReplicaSpec {
  readonly app: string;
  readonly index: number;
  readonly port: number;
}

export async function startDemoApps(
  supervisor: Supervisor,
  replicas: readonly ReplicaSpec[],
  env: { databaseUrl: string; redisUrl: string; otlpEndpoint?: string },
): Promise<AppReplica[]> {
  const started = replicas.map((r) => {
    const proc = supervisor.start({
      name: `app-${r.app}-${r.index}`,
      command: process.execPath,
      args: ['--import', 'tsx', path.join(REPO_ROOT, 'live', 'demoApp.ts')],
      cwd: REPO_ROOT,
      env: {
        PORT: String(r.port),
        HOST: LOOPBACK,
        DATABASE_URL: env.databaseUrl,
        REDIS_URL: env.redisUrl,
        SERVICE_NAME: r.app,
        ...(env.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: env.otlpEndpoint } : {}),
      },
    });
    return { ...r, process: proc, url: `http://${LOOPBACK}:${r.port}` };
  });
  // Node + tsx start-up is slow on a loaded 2-core machine; give them the longer wait.
  await Promise.all(started.map((r) => waitHttpReady(r.process, `${r.url}${HEALTH_PATH}`, 60_000)));
  return started;
}

/** Sets the injected faults of every replica. */
export async function setFaults(replicas: readonly AppReplica[], faults: Faults): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      const res = await fetch(`${r.url}${FAULTS_PATH}`, { method: 'POST', body: JSON.stringify(faults), signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`${r.process.name}: setting faults failed with ${res.status}: ${await res.text()}`);
    }),
  );
}
