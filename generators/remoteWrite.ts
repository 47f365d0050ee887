/**
 * The remote_write section of prometheus.yml: the long-term engine first (Thanos Receive or the
 * user's Mimir), then the further config.remoteWrite targets. Credentials never appear here:
 * Prometheus reads them from files the Pulumi components mount (PROMETHEUS_SECRETS_DIR).
 */
import type { StackConfig } from '../stacks/config/schema';
import { REMOTE_WRITE_SECRETS, type QueueSettings, type RemoteWriteTarget } from '../stacks/config/scaleOut';
import { engineRemoteWriteUrl } from './topology';

/** Where the Prometheus container finds remote-write secrets (one file per secret key). */
export const PROMETHEUS_SECRETS_DIR = '/etc/prometheus/secrets';

export interface RemoteWriteConfig {
  name: string;
  url: string;
  queue_config?: Record<string, string | number>;
  basic_auth?: { username: string; password_file: string };
  authorization?: { type: 'Bearer'; credentials_file: string };
}

/** Prometheus's queue_config keys for the settings the stack sets; an empty object writes nothing. */
function queueConfig(q: QueueSettings): Record<string, string | number> | undefined {
  const out: Record<string, string | number> = {};
  if (q.capacity !== undefined) out.capacity = q.capacity;
  if (q.minShards !== undefined) out.min_shards = q.minShards;
  if (q.maxShards !== undefined) out.max_shards = q.maxShards;
  if (q.maxSamplesPerSend !== undefined) out.max_samples_per_send = q.maxSamplesPerSend;
  if (q.batchSendDeadline !== undefined) out.batch_send_deadline = q.batchSendDeadline;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The container path of a remote-write secret. */
export function remoteWriteSecretFile(key: (typeof REMOTE_WRITE_SECRETS)[keyof typeof REMOTE_WRITE_SECRETS]): string {
  return `${PROMETHEUS_SECRETS_DIR}/${key}`;
}

function targetConfig(t: RemoteWriteTarget): RemoteWriteConfig {
  const out: RemoteWriteConfig = { name: t.name, url: t.url };
  const queue = queueConfig(t.queue);
  if (queue) out.queue_config = queue;
  if (t.auth?.type === 'basic') out.basic_auth = { username: t.auth.username!, password_file: remoteWriteSecretFile(REMOTE_WRITE_SECRETS.basic) };
  if (t.auth?.type === 'bearer') out.authorization = { type: 'Bearer', credentials_file: remoteWriteSecretFile(REMOTE_WRITE_SECRETS.bearer) };
  return out;
}

export function remoteWriteConfigs(config: StackConfig): RemoteWriteConfig[] {
  const out: RemoteWriteConfig[] = [];
  const lts = config.longTermStorage;
  const url = engineRemoteWriteUrl(config);
  if (lts !== undefined && url !== undefined) out.push(targetConfig({ name: lts.kind, url, queue: lts.queue }));
  for (const t of config.remoteWrite) out.push(targetConfig(t));
  return out;
}

/** The secret keys whose files Prometheus reads: what the components must mount. */
export function remoteWriteSecretKeys(config: StackConfig): (typeof REMOTE_WRITE_SECRETS)[keyof typeof REMOTE_WRITE_SECRETS][] {
  return (['basic', 'bearer'] as const).filter((type) => config.remoteWrite.some((t) => t.auth?.type === type)).map((type) => REMOTE_WRITE_SECRETS[type]);
}
