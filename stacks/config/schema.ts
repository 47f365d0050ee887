/**
 * The one stack-config schema. It validates `Pulumi.<stack>.yaml` when the render CLI reads it and
 * `pulumi.Config` when the Pulumi program reads it (stacks/config/load.ts feeds both through
 * parseStackConfig), so the two can never accept different things.
 *
 * Every optional key documents its default. Per-environment defaults (retention, storage) come from
 * ENVIRONMENT_DEFAULTS, keyed by the stack's environment.
 */
import { z } from 'zod';
import { HTTP_DURATION_BUCKETS } from '../../catalog/application';
import { isDuration, durationSeconds } from '../../catalog/duration';
import { ObservatoryError } from '../../catalog/errors';
import { DEFAULT_SLO } from '../../catalog/slos';
import { DEFAULT_THRESHOLDS, RATIO_THRESHOLDS, type ThresholdKey, type Thresholds } from '../../catalog/thresholds';
import { IMAGES, type ImageKey } from '../versions';
import type { SecretKey, SecretPresence } from './secrets';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Defaults that differ by environment. Change retention with the disk that backs it. */
export const ENVIRONMENT_DEFAULTS: Record<Environment, { retentionTime: string; retentionSize: string; prometheusStorage: string }> = {
  dev: { retentionTime: '2d', retentionSize: '2GB', prometheusStorage: '5Gi' },
  staging: { retentionTime: '7d', retentionSize: '18GB', prometheusStorage: '20Gi' },
  prod: { retentionTime: '30d', retentionSize: '90GB', prometheusStorage: '100Gi' },
};

const duration = z.string().refine(isDuration, { message: 'must be a Prometheus duration such as 15s, 5m or 1h' });
const dnsLabel = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { message: 'must be a DNS label: lower-case letters, digits and "-", starting with a letter, at most 40 characters' });
const k8sQuantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { message: 'must be a Kubernetes quantity such as 250m, 128Mi or 1Gi' });
const byteSize = z.string().regex(/^[0-9]+(B|KB|MB|GB|TB)$/, { message: 'must be a Prometheus byte size such as 512MB or 10GB' });
/** A pinned image: a tag other than `latest`, or a digest. */
export const pinnedImage = z.string().refine((s) => /@sha256:[a-f0-9]{64}$/.test(s) || /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s.replace(/^[^/]*:[0-9]+\//, '')), {
  message: 'must be pinned with a tag or digest (e.g. repo/app:1.4.2)',
}).refine((s) => !/:latest$/.test(s), { message: 'must not use the "latest" tag; pin a version' });

const resources = z
  .object({
    requests: z.object({ cpu: k8sQuantity.default('100m'), memory: k8sQuantity.default('128Mi') }).strict().prefault({}),
    limits: z.object({ cpu: k8sQuantity.default('500m'), memory: k8sQuantity.default('256Mi') }).strict().prefault({}),
  })
  .strict();

const appSchema = z
  .object({
    name: dnsLabel,
    /** Container image; must be pinned. */
    image: pinnedImage,
    /** Port the app serves HTTP and /metrics on. */
    port: z.number().int().min(1).max(65535),
    /** Default: /metrics */
    metricsPath: z.string().startsWith('/').default('/metrics'),
    /** Liveness and readiness probe path. Default: /healthz */
    healthPath: z.string().startsWith('/').default('/healthz'),
    /** HPA bounds. Defaults: min 2, max 10. Docker runs `min` replicas. */
    replicas: z.object({ min: z.number().int().min(1).default(2), max: z.number().int().min(1).default(10) }).strict().prefault({}),
    /** HPA CPU utilisation target in percent of requests. Default: 70 */
    cpuTarget: z.number().int().min(1).max(100).default(70),
    /** Optional HPA memory utilisation target in percent. Default: none */
    memoryTarget: z.number().int().min(1).max(100).optional(),
    /** HPA scale-up stabilisation window (s). Default: 60 */
    scaleUpStabilizationSeconds: z.number().int().min(0).max(3600).default(60),
    /** HPA scale-down stabilisation window (s). Default: 300 */
    scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).default(300),
    /** PodDisruptionBudget minAvailable. Default: 1 */
    minAvailable: z.number().int().min(0).default(1),
    /** Requests and limits. Defaults: requests 100m/128Mi, limits 500m/256Mi. */
    resources: resources.prefault({}),
    /**
     * Numeric uid the container runs as (non-root is enforced on both targets). Set it to your
     * image's USER. Default: 10001
     */
    runAsUser: z.number().int().min(1).max(2147483647).default(10001),
    /** Plain (non-secret) environment variables. Default: none */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name' }), z.string()).default({}),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.replicas.min > app.replicas.max) {
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: `min (${app.replicas.min}) must be <= max (${app.replicas.max})` });
    }
    if (app.minAvailable > app.replicas.min) {
      ctx.addIssue({ code: 'custom', path: ['minAvailable'], message: `(${app.minAvailable}) must be <= replicas.min (${app.replicas.min}) or no pod could ever be evicted` });
    }
    if (app.env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['env', 'OTEL_EXPORTER_OTLP_ENDPOINT'], message: 'is set by the stack to its Jaeger endpoint; remove it' });
    }
  });

const thresholdsSchema = z
  .object(Object.fromEntries(Object.keys(DEFAULT_THRESHOLDS).map((k) => [k, z.number().positive().optional()])) as Record<ThresholdKey, z.ZodOptional<z.ZodNumber>>)
  .strict();

const severity = z.enum(['critical', 'warning', 'info']);

const imageOverrides = z.object(Object.fromEntries(Object.keys(IMAGES).map((k) => [k, pinnedImage.optional()])) as Record<ImageKey, z.ZodOptional<typeof pinnedImage>>).strict();

const rawSchema = z
  .object({
    /** Where the stack runs. Required. */
    target: z.enum(['docker', 'kubernetes']),
    /** dev, staging or prod. Default: the stack name when it is one of those, else dev. */
    environment: z.enum(ENVIRONMENTS).optional(),
    /** Kubernetes namespace for everything (apps included). Default: observatory */
    namespace: dnsLabel.default('observatory'),
    /** Default: 15s. Lower means finer graphs and more samples to store. */
    scrapeInterval: duration.default('15s'),
    /** Default: 15s. Alerts react no faster than this. */
    evaluationInterval: duration.default('15s'),
    /** Defaults per environment: ENVIRONMENT_DEFAULTS. */
    retention: z.object({ time: duration.optional(), size: byteSize.optional() }).strict().prefault({}),
    /** PersistentVolumeClaim sizes (kubernetes). Defaults: prometheus per environment, grafana 1Gi, alertmanager 1Gi. */
    storage: z.object({ prometheus: k8sQuantity.optional(), grafana: k8sQuantity.default('1Gi'), alertmanager: k8sQuantity.default('1Gi'), storageClass: z.string().optional() }).strict().prefault({}),
    /** Image overrides; default: stacks/versions.ts. */
    images: imageOverrides.default({}),
    /** Applications to deploy and monitor. Default: none */
    apps: z.array(appSchema).default([]),
    exporters: z
      .object({
        /** postgres_exporter; needs the postgresDsn secret. Default: enabled */
        postgres: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
        /** redis_exporter. Default: enabled, address redis:6379; redisPassword secret optional. */
        redis: z.object({ enabled: z.boolean().default(true), address: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { message: 'must be host:port' }).default('redis:6379') }).strict().prefault({}),
        /** node_exporter (DaemonSet on kubernetes, a container on docker). Default: enabled */
        node: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Overrides of catalog/thresholds.ts. Default: none */
        thresholds: thresholdsSchema.default({}),
        /** Severity overrides by alert name. Default: none */
        severities: z.record(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: 'must be an alert name in PascalCase' }), severity).default({}),
        /** Where runbooks/<AlertName>.md are published; alerts link `<base>/<AlertName>.md`. Default: defaultRunbookBaseUrl(stack) */
        runbookBaseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
      })
      .strict()
      .prefault({}),
    /** SLO overrides; defaults: catalog/slos.ts. */
    slo: z
      .object({
        availabilityObjective: z.number().gt(0.5).lt(1).optional(),
        latencyObjective: z.number().gt(0.5).lt(1).optional(),
        latencyThresholdSeconds: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
    receivers: z
      .object({
        /** Slack channel for critical and warning alerts; needs the slackWebhookUrl secret. Default: none */
        slack: z.object({ channel: z.string().regex(/^#[a-z0-9_-]+$/, { message: 'must be a channel like #alerts' }) }).strict().optional(),
        /** PagerDuty for critical alerts; needs the pagerdutyRoutingKey secret. Default: off */
        pagerduty: z.object({ enabled: z.boolean() }).strict().optional(),
        /** E-mail for info alerts; needs smtpPassword. Default: none */
        email: z
          .object({
            to: z.email(),
            from: z.email(),
            smarthost: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { message: 'must be host:port' }),
            username: z.string().min(1),
          })
          .strict()
          .optional(),
        /** Dead man's switch webhook for the Watchdog alert; needs deadMansSwitchUrl. Default: off */
        deadMansSwitch: z.object({ enabled: z.boolean() }).strict().optional(),
      })
      .strict()
      .prefault({}),
    grafana: z
      .object({
        /** Default: admin. The password is the grafanaAdminPassword secret. */
        adminUser: z.string().min(1).default('admin'),
        /** Public URL Grafana is reached at. Default: http://localhost:3000 */
        rootUrl: z.url().default('http://localhost:3000'),
      })
      .strict()
      .prefault({}),
    /** How services are exposed on kubernetes. Default: ClusterIP for all. */
    serviceTypes: z.object({ grafana: z.enum(['ClusterIP', 'LoadBalancer', 'NodePort']).default('ClusterIP') }).strict().prefault({}),
    /** Host ports on docker, published on 127.0.0.1 by default. */
    docker: z
      .object({
        /** Default: 127.0.0.1. Set 0.0.0.0 only behind a firewall. */
        bindAddress: z.union([z.ipv4(), z.literal('localhost')]).default('127.0.0.1'),
        ports: z
          .object({
            grafana: z.number().int().min(1).max(65535).default(3000),
            prometheus: z.number().int().min(1).max(65535).default(9090),
            alertmanager: z.number().int().min(1).max(65535).default(9093),
            jaegerUi: z.number().int().min(1).max(65535).default(16686),
            otlpGrpc: z.number().int().min(1).max(65535).default(4317),
            otlpHttp: z.number().int().min(1).max(65535).default(4318),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawStackConfig = z.input<typeof rawSchema>;
export type AppConfig = z.output<typeof appSchema>;

export interface StackConfig extends Omit<z.output<typeof rawSchema>, 'environment' | 'retention' | 'storage' | 'images' | 'alerts' | 'slo'> {
  readonly stack: string;
  readonly environment: Environment;
  readonly retention: { readonly time: string; readonly size: string };
  readonly storage: { readonly prometheus: string; readonly grafana: string; readonly alertmanager: string; readonly storageClass?: string };
  readonly images: Record<ImageKey, string>;
  readonly alerts: { readonly thresholds: Thresholds; readonly severities: Readonly<Record<string, 'critical' | 'warning' | 'info'>>; readonly runbookBaseUrl: string };
  readonly slo: { readonly availabilityObjective: number; readonly latencyObjective: number; readonly latencyThresholdSeconds: number };
  /** Secrets this configuration needs, in a stable order. */
  readonly requiredSecrets: readonly SecretKey[];
}

/**
 * The runbooks as committed in this repository (generated/<stack>/runbooks/). Forks set
 * observatory:alerts.runbookBaseUrl to wherever they publish theirs.
 */
export function defaultRunbookBaseUrl(stack: string): string {
  return `https://github.com/observatory-demo/observatory/blob/main/generated/${stack}/runbooks`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Which secrets a configuration needs. */
function requiredSecretsOf(c: z.output<typeof rawSchema>): SecretKey[] {
  const out: SecretKey[] = ['grafanaAdminPassword'];
  if (c.exporters.postgres.enabled) out.push('postgresDsn');
  if (c.receivers.slack) out.push('slackWebhookUrl');
  if (c.receivers.pagerduty?.enabled) out.push('pagerdutyRoutingKey');
  if (c.receivers.email) out.push('smtpPassword');
  if (c.receivers.deadMansSwitch?.enabled) out.push('deadMansSwitchUrl');
  return out;
}

/**
 * How secrets are checked. `deploy` (the Pulumi program) requires every secret the config needs.
 * `render` only rejects secrets stored in plain text: render never needs secret values, and a
 * fresh clone's stack files hold no ciphertext until the operator sets them.
 */
export type SecretMode = 'deploy' | 'render';

/**
 * Validates raw config (keys without the `observatory:` prefix) and the presence of secrets.
 * Throws one ObservatoryError naming the stack, the key and the problem.
 */
export function parseStackConfig(stack: string, raw: unknown, secrets: SecretPresence, mode: SecretMode = 'deploy'): StackConfig {
  const fail = (key: string, problem: string): never => {
    throw new ObservatoryError(`stack ${stack}: observatory:${key}`, problem);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('(config)', 'expected a mapping of observatory:* keys');
  const result = rawSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      const at = formatPath(issue.path);
      fail(at ? `${at}.${issue.keys[0]}` : issue.keys[0], `unknown key (check the spelling; see stacks/config/schema.ts)`);
    }
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(raw, issue.path) === undefined) fail(formatPath(issue.path), 'is required');
    fail(formatPath(issue.path) || '(config)', issue.message);
  }
  const c = result.data!;
  const environment: Environment = c.environment ?? ((ENVIRONMENTS as readonly string[]).includes(stack) ? (stack as Environment) : 'dev');
  const envDefaults = ENVIRONMENT_DEFAULTS[environment];

  const names = new Set<string>();
  c.apps.forEach((app, i) => {
    if (names.has(app.name)) fail(`apps[${i}].name`, `"${app.name}" is used by two apps`);
    names.add(app.name);
  });
  if (durationSeconds(c.evaluationInterval) < durationSeconds(c.scrapeInterval)) {
    fail('evaluationInterval', `(${c.evaluationInterval}) must be >= scrapeInterval (${c.scrapeInterval}); rules cannot see samples faster than they are scraped`);
  }
  if (durationSeconds(c.scrapeInterval) < 5) fail('scrapeInterval', `(${c.scrapeInterval}) must be at least 5s`);

  const thresholds = { ...DEFAULT_THRESHOLDS, ...stripUndefined(c.alerts.thresholds) } as Thresholds;
  for (const key of RATIO_THRESHOLDS) {
    if (thresholds[key] > 1) fail(`alerts.thresholds.${key}`, `(${thresholds[key]}) is a ratio and must be <= 1 (write 0.05 for 5%)`);
  }
  if (thresholds.latencyP95Warning >= thresholds.latencyP95Critical) fail('alerts.thresholds.latencyP95Warning', `(${thresholds.latencyP95Warning}) must be below latencyP95Critical (${thresholds.latencyP95Critical})`);
  if (thresholds.errorRatioWarning >= thresholds.errorRatioCritical) fail('alerts.thresholds.errorRatioWarning', `(${thresholds.errorRatioWarning}) must be below errorRatioCritical (${thresholds.errorRatioCritical})`);
  if (thresholds.dbQueryMeanWarning >= thresholds.dbQueryMeanCritical) fail('alerts.thresholds.dbQueryMeanWarning', `(${thresholds.dbQueryMeanWarning}) must be below dbQueryMeanCritical (${thresholds.dbQueryMeanCritical})`);
  // Free-space thresholds run the other way: the paging one is the smaller share, the shorter horizon.
  if (thresholds.diskFreeCritical >= thresholds.diskFreeWarning) fail('alerts.thresholds.diskFreeCritical', `(${thresholds.diskFreeCritical}) must be below diskFreeWarning (${thresholds.diskFreeWarning})`);
  if (thresholds.diskFreeFillingCritical >= thresholds.diskFreeFillingWarning) fail('alerts.thresholds.diskFreeFillingCritical', `(${thresholds.diskFreeFillingCritical}) must be below diskFreeFillingWarning (${thresholds.diskFreeFillingWarning})`);
  if (thresholds.diskFillHoursCritical >= thresholds.diskFillHoursWarning) fail('alerts.thresholds.diskFillHoursCritical', `(${thresholds.diskFillHoursCritical}) must be below diskFillHoursWarning (${thresholds.diskFillHoursWarning})`);
  if (thresholds.diskFillHoursCritical < 2) fail('alerts.thresholds.diskFillHoursCritical', `(${thresholds.diskFillHoursCritical}) must be at least 2: the prediction must outlast the alert's 1h \`for\` and leave time to act`);

  const slo = { ...DEFAULT_SLO, ...stripUndefined(c.slo) };
  if (!(HTTP_DURATION_BUCKETS as readonly number[]).includes(slo.latencyThresholdSeconds)) {
    fail('slo.latencyThresholdSeconds', `(${slo.latencyThresholdSeconds}) must be a bucket bound of http_request_duration_seconds (${HTTP_DURATION_BUCKETS.join(', ')})`);
  }

  const requiredSecrets = requiredSecretsOf(c);
  for (const key of [...requiredSecrets, 'redisPassword' as const]) {
    const presence = secrets[key];
    if (presence === 'plaintext') fail(key, `is stored in plain text; set it with \`pulumi config set --secret observatory:${key} <value>\``);
    if (presence === undefined && mode === 'deploy' && requiredSecrets.includes(key)) fail(key, `secret is missing; set it with \`pulumi config set --secret observatory:${key} <value>\``);
  }

  return {
    ...c,
    stack,
    environment,
    retention: { time: c.retention.time ?? envDefaults.retentionTime, size: c.retention.size ?? envDefaults.retentionSize },
    storage: { ...c.storage, prometheus: c.storage.prometheus ?? envDefaults.prometheusStorage },
    images: { ...IMAGES, ...stripUndefined(c.images) },
    alerts: { thresholds, severities: c.alerts.severities, runbookBaseUrl: (c.alerts.runbookBaseUrl ?? defaultRunbookBaseUrl(stack)).replace(/\/+$/, '') },
    slo,
    requiredSecrets,
  };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
