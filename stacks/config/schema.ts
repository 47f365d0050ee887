/**
 * The one stack-config schema. It validates `Pulumi.<stack>.yaml` when the render CLI reads it and
 * the engine's config when the Pulumi program reads it (stacks/config/load.ts feeds both through
 * parseStackConfig and then stacks/config/checks.ts), so the two can never accept different things.
 *
 * Every optional key documents its default. Per-environment defaults (retention, storage) come from
 * ENVIRONMENT_DEFAULTS, keyed by the stack's environment; retention.size follows from the volume
 * (stacks/config/retention.ts).
 */
import { z } from 'zod';
import { HTTP_DURATION_BUCKETS } from '../../catalog/application';
import { isDuration, durationSeconds } from '../../catalog/duration';
import { ObservatoryError } from '../../catalog/errors';
import { DEFAULT_SLO } from '../../catalog/slos';
import { DEFAULT_CACHE_TARGETS, DEFAULT_THRESHOLDS, DEFAULT_UPTIME, RATIO_THRESHOLDS, type ThresholdKey, type Thresholds } from '../../catalog/thresholds';
import { IMAGES, type ImageKey } from '../versions';
import { budgetsSchema } from './budgets';
import { imageReferenceProblem } from './imageReference';
import { defaultRetentionSize } from './retention';
import { REMOTE_WRITE_SECRETS, alertmanagerSchema, longTermStorageSchema, prometheusSchema, remoteWriteTargetSchema } from './scaleOut';
import type { SecretKey, SecretPresence } from './secrets';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Defaults that differ by environment. Change retention with the disk that backs it; the size
 * bound defaults to a share of storage.prometheus (stacks/config/retention.ts).
 */
export const ENVIRONMENT_DEFAULTS: Record<Environment, { retentionTime: string; prometheusStorage: string }> = {
  dev: { retentionTime: '2d', prometheusStorage: '5Gi' },
  staging: { retentionTime: '7d', prometheusStorage: '20Gi' },
  prod: { retentionTime: '30d', prometheusStorage: '100Gi' },
};

const DURATION_PROBLEM = 'must be a Prometheus duration such as 15s, 5m or 1h';
/** A bare number ("15" or 15) gets the fix spelled out: write 15s. */
const duration = z
  .string({ error: (iss) => (typeof iss.input === 'number' ? `(${iss.input}) needs a unit: write ${iss.input}s` : DURATION_PROBLEM) })
  .superRefine((s, ctx) => {
    if (/^[0-9]+$/.test(s)) ctx.addIssue({ code: 'custom', message: `(${s}) needs a unit: write ${s}s` });
    else if (!isDuration(s)) ctx.addIssue({ code: 'custom', message: DURATION_PROBLEM });
  });
/** host:port with a port Prometheus and Alertmanager can dial. */
const hostPort = z.string().superRefine((s, ctx) => {
  const m = /^[A-Za-z0-9.-]+:([0-9]{1,5})$/.exec(s);
  if (!m) ctx.addIssue({ code: 'custom', message: 'must be host:port' });
  else if (Number(m[1]) < 1 || Number(m[1]) > 65535) ctx.addIssue({ code: 'custom', message: `port ${m[1]} must be between 1 and 65535` });
});
/** An SLO objective as a ratio; 99.9 (a percentage) gets the fix spelled out. */
const objective = z.number().superRefine((v, ctx) => {
  if (v >= 50 && v < 100) ctx.addIssue({ code: 'custom', message: `(${v}) is a ratio: write ${Number((v / 100).toPrecision(6))} for ${v}%` });
  else if (!(v > 0.5 && v < 1)) ctx.addIssue({ code: 'custom', message: `(${v}) must be between 0.5 and 1 exclusive (e.g. 0.999)` });
});
/** Upper bound of replicas.min/max: far above any single app, low enough that a typo cannot make render enumerate a billion targets. */
export const MAX_REPLICAS = 1000;
/** Plain env names that look like credentials: plain env is stored in clear text (stack file, container spec, pod spec). */
const SECRET_LIKE_ENV = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)DSN($|_)/i;
const dnsLabel = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { message: 'must be a DNS label: lower-case letters, digits and "-", starting with a letter, at most 40 characters' });
/** A DNS name such as grafana.corp.internal (lower case, as Kubernetes wants Ingress hosts). */
const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, { message: 'must be a lower-case DNS name such as grafana.corp.internal' });
const k8sQuantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { message: 'must be a Kubernetes quantity such as 250m, 128Mi or 1Gi' });
const byteSize = z.string().regex(/^[0-9]+(B|KB|MB|GB|TB)$/, { message: 'must be a Prometheus byte size such as 512MB or 10GB' });
/** A pinned image: a tag other than `latest`, or a digest. */
export const pinnedImage = z.string().superRefine((s, ctx) => {
  const problem = imageReferenceProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `is not a valid image reference: ${problem}`, abort: true });
}).refine((s) => /@sha256:[a-f0-9]{64}$/.test(s) || /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s.replace(/^[^/]*:[0-9]+\//, '')), {
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
    /**
     * Readiness probe path (and the docker health check): may check what the pod needs to serve,
     * its database included, since an unready pod only leaves the Service. Default: /healthz
     */
    healthPath: z.string().startsWith('/').default('/healthz'),
    /**
     * Liveness probe path: must only say the process is alive, never check a dependency, or an
     * outage of that dependency restarts every pod at once. Default: none, a TCP check on `port`
     * (the process still accepts connections).
     */
    livenessPath: z.string().startsWith('/').optional(),
    /** HPA bounds. Defaults: min 2, max 10. Docker runs `min` replicas. */
    replicas: z.object({ min: z.number().int().min(1).max(MAX_REPLICAS).default(2), max: z.number().int().min(1).max(MAX_REPLICAS).default(10) }).strict().prefault({}),
    /** HPA CPU utilisation target in percent of requests. Default: 70 */
    cpuTarget: z.number().int().min(1).max(100).default(70),
    /**
     * Optional HPA memory utilisation target in percent. Default: none. Most runtimes keep the
     * memory they once used, so an app that rests above the target pins the HPA at replicas.max;
     * render and `pulumi up` warn when it is set.
     */
    memoryTarget: z.number().int().min(1).max(100).optional(),
    /** HPA scale-up stabilisation window (s). Default: 60 */
    scaleUpStabilizationSeconds: z.number().int().min(0).max(3600).default(60),
    /** HPA scale-down stabilisation window (s). Default: 300 */
    scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).default(300),
    /**
     * PodDisruptionBudget minAvailable; must stay below replicas.min so a node drain can evict a
     * pod when the app runs at its minimum. Default: 1 (0 when replicas.min is 1)
     */
    minAvailable: z.number().int().min(0).optional(),
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
    if (app.minAvailable !== undefined && app.minAvailable >= app.replicas.min) {
      ctx.addIssue({ code: 'custom', path: ['minAvailable'], message: `(${app.minAvailable}) must be below replicas.min (${app.replicas.min}) or no pod could be evicted while the app runs at its minimum` });
    }
    for (const [name, value] of Object.entries(app.env)) {
      if (SECRET_LIKE_ENV.test(name) || /:\/\/[^/@\s]+:[^/@\s]+@/.test(value)) {
        ctx.addIssue({ code: 'custom', path: ['env', name], message: 'looks like a credential; apps.env is plain text (stack file, container and pod spec); pass secrets through your platform\'s secret store' });
      }
    }
    for (const key of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
      if (app.env[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['env', key], message: 'is set by the stack (OTLP over HTTP to its Jaeger); remove it' });
    }
  })
  .transform((app) => ({ ...app, minAvailable: app.minAvailable ?? Math.min(1, app.replicas.min - 1) }));

const thresholdsSchema = z
  .object(Object.fromEntries(Object.keys(DEFAULT_THRESHOLDS).map((k) => [k, z.number().positive().optional()])) as Record<ThresholdKey, z.ZodOptional<z.ZodNumber>>)
  .strict();

const severity = z.enum(['critical', 'warning', 'info']);

/** A hit-ratio target: a ratio in (0, 1]; 90 (a percentage) gets the fix spelled out. */
const hitRatioTarget = z.number().superRefine((v, ctx) => {
  if (v > 1 && v <= 100) ctx.addIssue({ code: 'custom', message: `(${v}) is a ratio: write ${Number((v / 100).toPrecision(6))} for ${v}%` });
  else if (!(v > 0 && v <= 1)) ctx.addIssue({ code: 'custom', message: `(${v}) must be a ratio above 0 and at most 1 (e.g. 0.9)` });
});
/** The value of the `cache` label an application sets (instrumentation/metrics.ts recordCacheLookup). */
const cacheName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/, { message: 'must be a cache name: letters, digits, "_", ".", ":" and "-", starting with a letter or digit, at most 63 characters' });

/** Top-N bounds of the statement, table and index series postgres_exporter exports (docs/dashboards.md, "Queries"). */
const postgresLimits = z
  .object({
    /** Statements with the most total time. Default: 20 (6 series each) */
    statements: z.number().int().min(1).max(500).default(20),
    /** Tables with the most rows read by sequential scans. Default: 10 (4 series each) */
    tables: z.number().int().min(1).max(500).default(10),
    /** Largest indexes with zero scans. Default: 10 (1 series each) */
    indexes: z.number().int().min(1).max(500).default(10),
  })
  .strict();

const uptimeUrl = z
  .object({
    /** The `service` label of the probe's series and the name alerts use. */
    name: dnsLabel,
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    /** The status a healthy answer has. Default: 200 */
    expectedStatus: z.number().int().min(100).max(599).default(200),
    /**
     * Accept a certificate no trusted CA signed (a self-signed internal endpoint); expiry is still
     * measured. Default: false
     */
    insecureSkipVerify: z.boolean().default(false),
  })
  .strict();

const imageOverrides = z.object(Object.fromEntries(Object.keys(IMAGES).map((k) => [k, pinnedImage.optional()])) as Record<ImageKey, z.ZodOptional<typeof pinnedImage>>).strict();

const rawSchema = z
  .object({
    /** Where the stack runs. Required. */
    target: z.enum(['docker', 'kubernetes']),
    /** dev, staging or prod. Default: the stack name when it is one of those; required for any other stack name. */
    environment: z.enum(ENVIRONMENTS).optional(),
    /** Kubernetes namespace for everything (apps included). Default: observatory */
    namespace: dnsLabel.default('observatory'),
    /**
     * More namespaces (kubernetes) whose annotated pods the apps scrape job discovers and whose
     * pods may send OTLP to Jaeger; the stack's own namespace is always watched. Each must exist:
     * the stack creates a Role and RoleBinding for Prometheus in it. Default: none
     */
    watchNamespaces: z.array(dnsLabel).default([]),
    /** Default: 15s. Lower means finer graphs and more samples to store. */
    scrapeInterval: duration.default('15s'),
    /** Default: 15s. Alerts react no faster than this. */
    evaluationInterval: duration.default('15s'),
    /** Defaults: time per environment (ENVIRONMENT_DEFAULTS), size 80% of storage.prometheus. */
    retention: z.object({ time: duration.optional(), size: byteSize.optional() }).strict().prefault({}),
    /**
     * PersistentVolumeClaim sizes (kubernetes). Defaults: prometheus per environment, grafana 1Gi,
     * alertmanager 1Gi. storageClass: default none, so the claims use the cluster's default
     * StorageClass; name one only when the cluster has it (`kubectl get storageclass`).
     */
    storage: z.object({ prometheus: k8sQuantity.optional(), grafana: k8sQuantity.default('1Gi'), alertmanager: k8sQuantity.default('1Gi'), storageClass: z.string().optional() }).strict().prefault({}),
    /** Image overrides; default: stacks/versions.ts. */
    images: imageOverrides.default({}),
    /** Applications to deploy and monitor. Default: none */
    apps: z.array(appSchema).default([]),
    exporters: z
      .object({
        /** postgres_exporter; needs the postgresDsn secret. Default: enabled */
        postgres: z.object({ enabled: z.boolean().default(true), limits: postgresLimits.prefault({}) }).strict().prefault({}),
        /** redis_exporter. Default: enabled, address redis:6379; redisPassword secret optional. */
        redis: z.object({ enabled: z.boolean().default(true), address: hostPort.default('redis:6379') }).strict().prefault({}),
        /**
         * node_exporter (DaemonSet on kubernetes, a container on docker). Default: enabled, port
         * 9100. On kubernetes it listens on every node's host network, where one port serves one
         * process: move it (e.g. 9110) or turn it off when the nodes already run a node_exporter
         * (kube-prometheus-stack, another Observatory stack in the cluster).
         * namespace (kubernetes): where the DaemonSet runs, created by the stack with Pod Security
         * `privileged` (host network, PID and paths are refused even by `baseline`), so the stack's
         * own namespace can enforce `restricted`. Default: `<namespace>-node-exporter`
         */
        node: z.object({ enabled: z.boolean().default(true), port: z.number().int().min(1).max(65535).default(9100), namespace: dnsLabel.optional() }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Overrides of catalog/thresholds.ts. Default: none */
        thresholds: thresholdsSchema.default({}),
        /** Severity overrides by alert name. Default: none */
        severities: z.record(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: 'must be an alert name in PascalCase' }), severity).default({}),
        /**
         * Minimum hit ratio by application cache name; caches not listed use
         * thresholds.cacheHitRatioMin. Replaces the default map as a whole. Default: DEFAULT_CACHE_TARGETS (seed 000)
         */
        cacheTargets: z.record(cacheName, hitRatioTarget).optional(),
        /** Where runbooks/<AlertName>.md are published; alerts link `<base>/<AlertName>.md`. Default: defaultRunbookBaseUrl(stack) */
        runbookBaseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
      })
      .strict()
      .prefault({}),
    /**
     * Uptime probes from inside the stack (blackbox_exporter): every app's healthPath, plus `urls`.
     * Defaults: enabled, interval = scrapeInterval, DEFAULT_UPTIME (catalog/thresholds.ts), no extra URLs.
     */
    uptime: z
      .object({
        enabled: z.boolean().default(true),
        /** How often each URL is probed. Default: scrapeInterval */
        interval: duration.optional(),
        /** Consecutive failed probes before UptimeProbeFailing fires. Default: 2 */
        failedProbes: z.number().int().min(1).max(20).default(DEFAULT_UPTIME.failedProbes),
        /** Days before a certificate expires that UptimeCertificateExpiring fires. Default: 14 */
        certExpiryDays: z.number().positive().max(365).default(DEFAULT_UPTIME.certExpiryDays),
        /** Extra URLs to probe, e.g. the public entry point. Default: none */
        urls: z.array(uptimeUrl).default([]),
      })
      .strict()
      .prefault({}),
    /** SLO overrides; defaults: catalog/slos.ts. */
    slo: z
      .object({
        availabilityObjective: objective.optional(),
        latencyObjective: objective.optional(),
        latencyThresholdSeconds: z.number().positive().optional(),
        /** The SLO period. Default: 30d, or the retention time when that is shorter. At most the retention time. */
        period: duration.optional(),
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
            smarthost: hostPort,
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
        /**
         * Public URL Grafana is reached at. Default: https://<ingress.host> with grafana.ingress
         * (http:// without tlsSecretName), else http://localhost:3000
         */
        rootUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://grafana.example.com' }).optional(),
        /** An Ingress in front of Grafana's Service (kubernetes). Default: none */
        ingress: z
          .object({
            /** The host name people open. Required. */
            host: dnsName,
            /** IngressClass. Default: the cluster's default IngressClass */
            className: dnsName.optional(),
            /**
             * kubernetes.io/tls Secret in the stack's namespace holding the certificate (made by
             * cert-manager through `annotations`, or by you). Default: none, plain HTTP unless TLS
             * is terminated in front of the controller.
             */
            tlsSecretName: dnsName.optional(),
            /** Annotations for the controller or cert-manager. Default: none */
            annotations: z.record(z.string(), z.string()).default({}),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Prometheus replicas (an HA pair or more). Default: one Prometheus, no replica label. */
    prometheus: prometheusSchema.prefault({}),
    /** Alertmanager replicas and gossip. Default: one Alertmanager, gossip off. */
    alertmanager: alertmanagerSchema.prefault({}),
    /** Further remote_write targets besides longTermStorage (another engine, a vendor). Default: none */
    remoteWrite: z.array(remoteWriteTargetSchema).default([]),
    /** The engine Prometheus writes to and Grafana reads from (stacks/config/scaleOut.ts). Default: none (Grafana reads Prometheus) */
    longTermStorage: longTermStorageSchema.optional(),
    /** Performance budgets for `npm run budget`; defaults: catalog/budgets.ts. */
    budgets: budgetsSchema.prefault({}),
    /** How services are exposed on kubernetes. Default: ClusterIP for all. */
    serviceTypes: z.object({ grafana: z.enum(['ClusterIP', 'LoadBalancer', 'NodePort']).default('ClusterIP') }).strict().prefault({}),
    /** Host ports on docker, published on 127.0.0.1 by default. */
    docker: z
      .object({
        /**
         * Default: 127.0.0.1. Set 0.0.0.0 only behind a firewall. `localhost` is written as
         * 127.0.0.1: older Docker engines resolve it to every interface.
         */
        bindAddress: z
          .string()
          .refine((s) => s === 'localhost' || z.ipv4().safeParse(s).success, { error: (iss) => `must be an IPv4 address such as 127.0.0.1, or localhost (got ${JSON.stringify(iss.input)})` })
          .default('127.0.0.1')
          .transform((a) => (a === 'localhost' ? '127.0.0.1' : a)),
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

/** Unwraps defaults and optionals down to the value's own schema. */
function innerType(t: z.core.$ZodType): z.core.$ZodType {
  const def = t._zod.def;
  if (def.type === 'default' || def.type === 'optional' || def.type === 'prefault' || def.type === 'nullable') return innerType((def as z.core.$ZodDefaultDef).innerType);
  return t;
}

function isText(t: z.core.$ZodType): boolean {
  const inner = innerType(t);
  const def = inner._zod.def;
  if (def.type === 'string' || def.type === 'enum') return true;
  if (def.type === 'union') return (def as z.core.$ZodUnionDef).options.every(isText);
  if (def.type === 'literal') return (def as z.core.$ZodLiteralDef<z.core.util.Literal>).values.every((v) => typeof v === 'string');
  return false;
}

/**
 * Whether a top-level key's value is text. The engine passes every config value as text, structured
 * ones as JSON; a text key must not be JSON-parsed (`namespace: "true"` is the string "true").
 */
export function isTextKey(key: string): boolean {
  const t = (rawSchema.shape as Record<string, z.core.$ZodType | undefined>)[key];
  return t !== undefined && isText(t);
}
export type AppConfig = z.output<typeof appSchema>;

export type GrafanaIngressConfig = NonNullable<z.output<typeof rawSchema>['grafana']['ingress']>;

export type UptimeUrl = z.output<typeof uptimeUrl>;

export interface StackConfig extends Omit<z.output<typeof rawSchema>, 'environment' | 'retention' | 'storage' | 'images' | 'alerts' | 'slo' | 'grafana' | 'uptime'> {
  readonly stack: string;
  readonly environment: Environment;
  readonly retention: { readonly time: string; readonly size: string };
  readonly storage: { readonly prometheus: string; readonly grafana: string; readonly alertmanager: string; readonly storageClass?: string };
  readonly images: Record<ImageKey, string>;
  readonly alerts: {
    readonly thresholds: Thresholds;
    readonly severities: Readonly<Record<string, 'critical' | 'warning' | 'info'>>;
    readonly runbookBaseUrl: string;
    /** Minimum hit ratio by cache name; other caches use thresholds.cacheHitRatioMin. */
    readonly cacheTargets: Readonly<Record<string, number>>;
  };
  readonly uptime: {
    readonly enabled: boolean;
    /** Resolved: the configured interval or scrapeInterval. */
    readonly interval: string;
    readonly failedProbes: number;
    readonly certExpiryDays: number;
    readonly urls: readonly UptimeUrl[];
  };
  readonly slo: { readonly availabilityObjective: number; readonly latencyObjective: number; readonly latencyThresholdSeconds: number; readonly period: string };
  readonly grafana: { readonly adminUser: string; readonly rootUrl: string; readonly ingress?: GrafanaIngressConfig };
  /** Secrets this configuration needs, in a stable order. */
  readonly requiredSecrets: readonly SecretKey[];
}

/**
 * The runbooks as committed in this repository (generated/<stack>/runbooks/). Forks set
 * observatory:alerts.runbookBaseUrl to wherever they publish theirs.
 */
export function defaultRunbookBaseUrl(stack: string): string {
  return `${DEMO_REPOSITORY_URL}/blob/main/generated/${stack}/runbooks`;
}

/** This repository's demo home; a prod environment must not link it (stacks/config/placeholders.ts). */
export const DEMO_REPOSITORY_URL = 'https://github.com/observatory-demo/observatory';

/** Where people open Grafana when the stack does not say: its Ingress, else a port-forward. */
function defaultGrafanaRootUrl(ingress: GrafanaIngressConfig | undefined): string {
  if (ingress === undefined) return 'http://localhost:3000';
  return `${ingress.tlsSecretName !== undefined ? 'https' : 'http'}://${ingress.host}`;
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
  for (const type of ['basic', 'bearer'] as const) {
    if (c.remoteWrite.some((t) => t.auth?.type === type)) out.push(REMOTE_WRITE_SECRETS[type]);
  }
  return out;
}

/**
 * How secrets are checked. `deploy` (the Pulumi program) requires every secret the config needs.
 * `render` only rejects secrets stored in plain text: render never needs secret values, and a
 * fresh clone's stack files hold no ciphertext until the operator sets them.
 */
export type SecretMode = 'deploy' | 'render';

/**
 * Validates raw config (keys without the `observatory:` prefix) against the schema and the
 * cross-key rules, and the presence of secrets. Throws one ObservatoryError naming the stack, the
 * key and the problem. The whole-config checks follow in stacks/config/checks.ts; use
 * stacks/config/load.ts (loadStackConfig / validateStackConfig), which runs both.
 */
export function parseStackConfig(stack: string, raw: unknown, secrets: SecretPresence, mode: SecretMode = 'deploy'): StackConfig {
  const fail = (key: string, problem: string): never => {
    throw new ObservatoryError(`stack ${stack}: observatory:${key}`, problem);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('(config)', 'expected a mapping of observatory:* keys');
  const result = rawSchema.safeParse(raw, { error: plainMessage });
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.code === 'invalid_key' && issue.issues.length > 0) fail(formatPath(issue.path), issue.issues[0].message);
    if (issue.code === 'unrecognized_keys') {
      const at = formatPath(issue.path);
      fail(at ? `${at}.${issue.keys[0]}` : issue.keys[0], `unknown key (check the spelling; see stacks/config/schema.ts)`);
    }
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(raw, issue.path) === undefined) fail(formatPath(issue.path), 'is required');
    fail(formatPath(issue.path) || '(config)', issue.message);
  }
  const c = result.data!;
  const environment: Environment =
    c.environment ??
    ((ENVIRONMENTS as readonly string[]).includes(stack)
      ? (stack as Environment)
      : fail('environment', `is required: stack "${stack}" is not named dev, staging or prod, so its retention, storage and resources cannot be guessed`));
  const envDefaults = ENVIRONMENT_DEFAULTS[environment];
  const prometheusStorage = c.storage.prometheus ?? envDefaults.prometheusStorage;

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
  if (thresholds.latencyP99Warning < thresholds.latencyP95Warning) fail('alerts.thresholds.latencyP99Warning', `(${thresholds.latencyP99Warning}) must be >= latencyP95Warning (${thresholds.latencyP95Warning}); the 99th percentile is never below the 95th`);
  if (thresholds.errorRatioWarning >= thresholds.errorRatioCritical) fail('alerts.thresholds.errorRatioWarning', `(${thresholds.errorRatioWarning}) must be below errorRatioCritical (${thresholds.errorRatioCritical})`);
  if (thresholds.dbQueryMeanWarning >= thresholds.dbQueryMeanCritical) fail('alerts.thresholds.dbQueryMeanWarning', `(${thresholds.dbQueryMeanWarning}) must be below dbQueryMeanCritical (${thresholds.dbQueryMeanCritical})`);
  // Free-space thresholds run the other way: the paging one is the smaller share, the shorter horizon.
  if (thresholds.diskFreeCritical >= thresholds.diskFreeWarning) fail('alerts.thresholds.diskFreeCritical', `(${thresholds.diskFreeCritical}) must be below diskFreeWarning (${thresholds.diskFreeWarning})`);
  if (thresholds.diskFreeFillingCritical >= thresholds.diskFreeFillingWarning) fail('alerts.thresholds.diskFreeFillingCritical', `(${thresholds.diskFreeFillingCritical}) must be below diskFreeFillingWarning (${thresholds.diskFreeFillingWarning})`);
  if (thresholds.diskFillHoursCritical >= thresholds.diskFillHoursWarning) fail('alerts.thresholds.diskFillHoursCritical', `(${thresholds.diskFillHoursCritical}) must be below diskFillHoursWarning (${thresholds.diskFillHoursWarning})`);
  if (thresholds.diskFillHoursCritical < 2) fail('alerts.thresholds.diskFillHoursCritical', `(${thresholds.diskFillHoursCritical}) must be at least 2: the prediction must outlast the alert's 1h \`for\` and leave time to act`);

  const uptimeInterval = c.uptime.interval ?? c.scrapeInterval;
  if (durationSeconds(uptimeInterval) < 1) fail('uptime.interval', `(${uptimeInterval}) must be at least 1s`);
  if (durationSeconds(uptimeInterval) > 300) fail('uptime.interval', `(${uptimeInterval}) must be at most 5m: a slower probe finds an outage too late`);
  const probeNames = new Map(c.apps.map((a, i) => [a.name, `apps[${i}].name`]));
  c.uptime.urls.forEach((u, i) => {
    const other = probeNames.get(u.name);
    if (other !== undefined) fail(`uptime.urls[${i}].name`, `"${u.name}" is already used by ${other}; the name becomes the probe's service label`);
    probeNames.set(u.name, `uptime.urls[${i}].name`);
  });

  const retentionTime = c.retention.time ?? envDefaults.retentionTime;
  // The SLO period defaults to 30d but never to more history than Prometheus keeps.
  const defaultPeriod = durationSeconds(retentionTime) < durationSeconds(DEFAULT_SLO.period) ? retentionTime : DEFAULT_SLO.period;
  const slo = { ...DEFAULT_SLO, period: defaultPeriod, ...stripUndefined(c.slo) };
  if (durationSeconds(slo.period) > durationSeconds(retentionTime)) {
    fail('slo.period', `(${slo.period}) must not exceed retention.time (${retentionTime}): Prometheus would no longer have the samples the SLO is measured over`);
  }
  if (!(HTTP_DURATION_BUCKETS as readonly number[]).includes(slo.latencyThresholdSeconds)) {
    fail('slo.latencyThresholdSeconds', `(${slo.latencyThresholdSeconds}) must be a bucket bound of http_request_duration_seconds (${HTTP_DURATION_BUCKETS.join(', ')})`);
  }

  checkScaleOut(c, fail);

  const requiredSecrets = requiredSecretsOf(c);
  for (const key of [...requiredSecrets, 'redisPassword' as const]) {
    const presence = secrets[key];
    if (presence === 'plaintext') fail(key, `is stored in plain text; set it with \`pulumi config set --secret observatory:${key} <value>\``);
    if (presence === undefined && mode === 'deploy' && requiredSecrets.includes(key)) fail(key, `secret is missing; set it with \`pulumi config set --secret observatory:${key} <value>\``);
  }

  const config: StackConfig = {
    ...c,
    stack,
    environment,
    retention: { time: retentionTime, size: c.retention.size ?? defaultRetentionSize(prometheusStorage, `stack ${stack}: observatory:storage.prometheus`) },
    storage: { ...c.storage, prometheus: prometheusStorage },
    images: { ...IMAGES, ...stripUndefined(c.images) },
    alerts: {
      thresholds,
      severities: c.alerts.severities,
      runbookBaseUrl: (c.alerts.runbookBaseUrl ?? defaultRunbookBaseUrl(stack)).replace(/\/+$/, ''),
      cacheTargets: c.alerts.cacheTargets ?? DEFAULT_CACHE_TARGETS,
    },
    uptime: { ...c.uptime, interval: uptimeInterval },
    slo,
    grafana: { ...c.grafana, rootUrl: c.grafana.rootUrl ?? defaultGrafanaRootUrl(c.grafana.ingress) },
    requiredSecrets,
  };
  return config;
}

/** External labels every Prometheus of the stack carries (generators/prometheusConfig.ts). */
export const STACK_EXTERNAL_LABELS = ['environment', 'stack'] as const;

/** Cross-key rules of the scale-out keys (stacks/config/scaleOut.ts). */
function checkScaleOut(c: z.output<typeof rawSchema>, fail: (key: string, problem: string) => never): void {
  if ((STACK_EXTERNAL_LABELS as readonly string[]).includes(c.prometheus.replicaLabel)) {
    fail('prometheus.replicaLabel', `("${c.prometheus.replicaLabel}") is already an external label of every series (${STACK_EXTERNAL_LABELS.join(', ')}); replicas would not be told apart`);
  }
  const names = new Map<string, string>();
  if (c.longTermStorage) names.set(c.longTermStorage.kind, 'longTermStorage');
  c.remoteWrite.forEach((t, i) => {
    const other = names.get(t.name);
    if (other !== undefined) fail(`remoteWrite[${i}].name`, `"${t.name}" is also the name of ${other === 'longTermStorage' ? `the ${t.name} write of longTermStorage` : other}; remote_name must tell the queues apart`);
    names.set(t.name, `remoteWrite[${i}]`);
  });
  const urls = new Map<string, string>();
  if (c.longTermStorage?.remoteWriteUrl) urls.set(c.longTermStorage.remoteWriteUrl, 'longTermStorage.remoteWriteUrl');
  c.remoteWrite.forEach((t, i) => {
    const other = urls.get(t.url);
    if (other !== undefined) fail(`remoteWrite[${i}].url`, `is also the URL of ${other}; every sample would be written there twice`);
    urls.set(t.url, `remoteWrite[${i}].url`);
  });
}

/** zod's default wording, said plainly with the value that was given. */
function plainMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const got = (v: unknown) => (v === undefined ? '' : ` (got ${JSON.stringify(v)})`);
  switch (iss.code) {
    case 'too_small':
      if (iss.origin === 'number' || iss.origin === 'int') return `must be ${iss.inclusive === false ? '>' : '>='} ${String(iss.minimum)}${got(iss.input)}`;
      if (iss.origin === 'string') return `must not be empty`;
      return undefined;
    case 'too_big':
      if (iss.origin === 'number' || iss.origin === 'int') return `must be ${iss.inclusive === false ? '<' : '<='} ${String(iss.maximum)}${got(iss.input)}`;
      return undefined;
    case 'invalid_type':
      if (iss.expected === 'int') return `must be a whole number${got(iss.input)}`;
      return `must be ${iss.expected === 'object' ? 'a mapping' : iss.expected === 'array' ? 'a list' : `a ${iss.expected}`}${got(iss.input)}`;
    case 'invalid_format': {
      const f = iss as unknown as { format: string; prefix?: string };
      if (f.format === 'email') return `must be an e-mail address${got(iss.input)}`;
      if (f.format === 'starts_with') return `must start with "${f.prefix}"${got(iss.input)}`;
      if (f.format === 'url') return `must be a URL${got(iss.input)}`;
      return undefined;
    }
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}${got(iss.input)}`;
    default:
      return undefined;
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
