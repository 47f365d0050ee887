/**
 * The stack-config keys for outgrowing one Prometheus (issue 16): HA Prometheus replicas, a
 * gossiping Alertmanager cluster, remote_write targets and the long-term storage engine Grafana
 * reads through. Every key is optional and defaults to the single-node stack, which renders
 * exactly as it did before these keys existed.
 */
import { z } from 'zod';

/** Upper bound of prometheus.replicas: an HA pair or three; more identical copies add cost, not safety. Shard instead. */
export const MAX_PROMETHEUS_REPLICAS = 5;
/** Upper bound of alertmanager.replicas: gossip meshes of 3 or 5 are usual; an even count adds no tolerance. */
export const MAX_ALERTMANAGER_REPLICAS = 7;

/** The remote-write secrets: Prometheus reads them from files (password_file, credentials_file). */
export const REMOTE_WRITE_SECRETS = { basic: 'remoteWritePassword', bearer: 'remoteWriteBearerToken' } as const;

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
/** A Prometheus label name that is not reserved (`__` prefixes are Prometheus's own, except Mimir's __replica__). */
const labelName = z.string().regex(/^(__replica__|[a-zA-Z][a-zA-Z0-9_]*)$/, { message: 'must be a label name (letters, digits and "_", starting with a letter), or __replica__ for Mimir' });
const positiveInt = (max: number) => z.number().int().min(1).max(max);
const duration = z.string().regex(/^[0-9]+(ms|s|m)$/, { message: 'must be a duration such as 5s or 500ms' });

/**
 * Prometheus's queue_config, per target; only the keys set here are written, the rest keep
 * Prometheus's defaults (capacity 10000, max_shards 50, min_shards 1, max_samples_per_send 2000,
 * batch_send_deadline 5s). Raise maxShards when prometheus_remote_storage_shards_desired stays above it.
 */
export const queueSchema = z
  .object({
    capacity: positiveInt(1_000_000).optional(),
    minShards: positiveInt(1000).optional(),
    maxShards: positiveInt(1000).optional(),
    maxSamplesPerSend: positiveInt(100_000).optional(),
    batchSendDeadline: duration.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.minShards !== undefined && q.maxShards !== undefined && q.minShards > q.maxShards) {
      ctx.addIssue({ code: 'custom', path: ['minShards'], message: `(${q.minShards}) must be <= maxShards (${q.maxShards})` });
    }
    if (q.capacity !== undefined && q.maxSamplesPerSend !== undefined && q.capacity < q.maxSamplesPerSend) {
      ctx.addIssue({ code: 'custom', path: ['capacity'], message: `(${q.capacity}) must be >= maxSamplesPerSend (${q.maxSamplesPerSend}) or no full batch could be queued` });
    }
  });

/**
 * Credentials of a remote-write target. The values are secrets (`pulumi config set --secret`),
 * shipped to Prometheus as files; prometheus.yml only names the file.
 */
const authSchema = z
  .object({
    /** basic: username here, password in the remoteWritePassword secret. bearer: the remoteWriteBearerToken secret. */
    type: z.enum(['basic', 'bearer']),
    username: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.type === 'basic' && a.username === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required for basic auth (the password is the remoteWritePassword secret)' });
    if (a.type === 'bearer' && a.username !== undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is only for basic auth; a bearer token has no username' });
  });

export const remoteWriteTargetSchema = z
  .object({
    /** Shown as remote_name on the remote-write metrics and alerts. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { message: 'must be lower-case letters, digits and "-", starting with a letter, at most 31 characters' }),
    /** The engine's remote-write endpoint, e.g. https://mimir.example.com/api/v1/push */
    url: httpUrl,
    /** Default: none */
    auth: authSchema.optional(),
    /** Default: Prometheus's queue defaults. */
    queue: queueSchema.prefault({}),
  })
  .strict();

export const prometheusSchema = z
  .object({
    /** Identical Prometheus servers (same rules, same targets), each with its own replica label. Default: 1 */
    replicas: positiveInt(MAX_PROMETHEUS_REPLICAS).default(1),
    /**
     * The external label that tells replicas apart and that the engine deduplicates on. Default:
     * replica (Thanos). Mimir's HA tracker reads __replica__ (and a `cluster` label).
     */
    replicaLabel: labelName.default('replica'),
  })
  .strict();

export const alertmanagerSchema = z
  .object({
    /** Alertmanagers gossiping silences and the notification log; Prometheus sends to every one. Default: 1 (gossip off) */
    replicas: positiveInt(MAX_ALERTMANAGER_REPLICAS).default(1),
  })
  .strict();

/**
 * Where history beyond one Prometheus lives and what Grafana reads. `thanos`: the stack runs
 * Thanos Receive (Prometheus remote-writes to it) and Thanos Query (Grafana reads it, replicas
 * deduplicated on prometheus.replicaLabel). `mimir`: an existing Mimir (or any engine with a
 * Prometheus remote-write and query API) at the two URLs; the stack runs nothing for it.
 */
export const longTermStorageSchema = z
  .object({
    kind: z.enum(['thanos', 'mimir']),
    /** mimir: the push endpoint, e.g. http://mimir.example.com/api/v1/push. thanos: not set (the stack's Receive). */
    remoteWriteUrl: httpUrl.optional(),
    /** mimir: the Prometheus API root, e.g. http://mimir.example.com/prometheus. thanos: not set (the stack's Query). */
    queryUrl: httpUrl.optional(),
    /** thanos: how long Receive keeps samples on its volume. Default: 30d */
    retention: z.string().regex(/^[0-9]+(d|w|y)$/, { message: 'must be a duration in days, weeks or years such as 30d' }).default('30d'),
    /** thanos: Receive's volume (kubernetes). Default: 50Gi */
    storage: z.string().regex(/^[0-9]+(Mi|Gi|Ti)$/, { message: 'must be a Kubernetes quantity such as 50Gi' }).default('50Gi'),
    /** Queue settings of the write to the engine. Default: Prometheus's. */
    queue: queueSchema.prefault({}),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.kind === 'mimir') {
      for (const key of ['remoteWriteUrl', 'queryUrl'] as const) {
        if (l[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required for kind mimir (the stack does not run Mimir; point it at yours)' });
      }
    } else {
      for (const key of ['remoteWriteUrl', 'queryUrl'] as const) {
        if (l[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is only for kind mimir; with kind thanos the stack runs Thanos Receive and Query itself' });
      }
    }
  });

export type RemoteWriteTarget = z.output<typeof remoteWriteTargetSchema>;
export type QueueSettings = z.output<typeof queueSchema>;
export type LongTermStorage = z.output<typeof longTermStorageSchema>;
