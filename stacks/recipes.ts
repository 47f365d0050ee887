/**
 * How each container runs, independent of the target: image, numeric non-root user, arguments,
 * plain and secret environment, ports, health checks and resources. The kubernetes and docker
 * components translate the same recipe, so both targets run the same command lines.
 *
 * Exporters run with their default flags (plus host paths for node_exporter): those are the
 * settings the catalog's metric names were checked against (test/fixtures/exporters/).
 */
import { POSTGRES_QUERIES_FILE } from '../generators/postgresQueries';
import { PORTS, PROMETHEUS_REPLICA_ENV, SERVICE_NAMES, alertmanagerHosts, alertmanagerIsClustered, hostOf, internalEndpoints, nodeExporterPort, replicaName, stackEndpoints } from '../generators/topology';
import { BLACKBOX_CONFIG_FILE } from '../generators/uptime';
import type { AppConfig, StackConfig } from './config/schema';
import type { SecretKey } from './config/secrets';
import { memoryBytes } from './quantity';
import type { ImageKey } from './versions';
import { ALERTMANAGER_CONFIG_FILE, ALERTMANAGER_DATA_DIR, PROMETHEUS_CONFIG_FILE, PROMETHEUS_DATA_DIR, THANOS_RECEIVE_DATA_DIR } from './paths';
import { INFRA_RESOURCES, JAEGER_MAX_TRACES, type InfraService, type Resources } from './resources';

export interface HttpCheck {
  readonly path: string;
  readonly port: number;
}

/** A check that only needs the process to accept connections on the port. */
export interface TcpCheck {
  readonly tcpPort: number;
}

export interface NamedPort {
  /** IANA-style port name (at most 15 characters), used by kubernetes Services. */
  readonly name: string;
  readonly port: number;
}

export interface ContainerRecipe {
  /** DNS name, container/Deployment name and `app.kubernetes.io/name` label value. */
  readonly name: string;
  /** Pinned image reference (config.images or the app's image). */
  readonly image: string;
  /** Numeric uid the process runs as; never 0. */
  readonly user: number;
  /** Numeric gid. Default when omitted: the image's group for that user (docker), `user` (kubernetes fsGroup). */
  readonly group?: number;
  /** Arguments after the image's entrypoint. */
  readonly args: readonly string[];
  /** Non-secret environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment variables whose values are secrets, by the secret key that fills them. */
  readonly secretEnv: Readonly<Record<string, SecretKey>>;
  readonly ports: readonly NamedPort[];
  /** Must not depend on anything outside the process, or an outage of it restarts every pod. */
  readonly liveness: HttpCheck | TcpCheck;
  /** May check dependencies: an unready pod only leaves the Service. */
  readonly readiness: HttpCheck;
  readonly resources: Resources;
  /** Whether the image runs with a read-only root file system (kubernetes). */
  readonly readOnlyRootFilesystem: boolean;
}

/** uids the upstream images are built to run as (their USER lines), made explicit and numeric. */
export const IMAGE_USERS: Record<InfraService, number> = {
  prometheus: 65534, // nobody
  alertmanager: 65534,
  grafana: 472,
  jaeger: 10001,
  postgresExporter: 65534,
  redisExporter: 59000,
  nodeExporter: 65534,
  thanosReceive: 1001, // the Thanos image's USER (its Dockerfile: adduser -u 1001 thanos)
  thanosQuery: 1001,
  blackboxExporter: 65534,
};

/** Jaeger v2's healthcheckv2 extension: `/status` answers 200 once every pipeline runs. */
export const JAEGER_HEALTH_PORT = 13133;
export const JAEGER_HEALTH_PATH = '/status';

/** Where node_exporter sees the host's file systems (host paths mounted read-only). */
export const NODE_EXPORTER_HOST_PATHS = { proc: '/host/proc', sys: '/host/sys', root: '/host/root' } as const;

/** The image each service runs: its own IMAGES entry, or the one Thanos image for both Thanos components. */
const IMAGE_OF: Record<InfraService, ImageKey> = {
  prometheus: 'prometheus', alertmanager: 'alertmanager', grafana: 'grafana', jaeger: 'jaeger', postgresExporter: 'postgresExporter',
  redisExporter: 'redisExporter', nodeExporter: 'nodeExporter', thanosReceive: 'thanos', thanosQuery: 'thanos', blackboxExporter: 'blackboxExporter',
};

function base(config: StackConfig, key: InfraService) {
  return { name: SERVICE_NAMES[key], image: config.images[IMAGE_OF[key]], user: IMAGE_USERS[key], resources: INFRA_RESOURCES[config.environment][key] };
}

/**
 * Share of the memory limit the Go runtime may plan its heap for. Near the limit the garbage
 * collector works harder instead of the kernel killing the process; the rest is for goroutine
 * stacks, cgo and the page cache the runtime does not count.
 */
export const GOMEMLIMIT_SHARE = 0.9;

/**
 * GOMEMLIMIT for a Go program with this memory limit, in whole MiB. Every monitoring service is a
 * Go program (Prometheus, Alertmanager, Grafana's server, Jaeger, the exporters); without it the
 * heap grows to twice the live data before a collection and a busy Prometheus is OOM-killed.
 */
export function goMemLimit(resources: Resources, key: string): string {
  return `${Math.floor((memoryBytes(resources.limits.memory, key) * GOMEMLIMIT_SHARE) / 2 ** 20)}MiB`;
}

function goEnv(config: StackConfig, key: InfraService): Record<string, string> {
  return { GOMEMLIMIT: goMemLimit(INFRA_RESOURCES[config.environment][key], `stacks/resources.ts INFRA_RESOURCES.${config.environment}.${key}.limits.memory`) };
}

/** Prometheus and Alertmanager serve everything, /-/healthy and /-/ready included, on one HTTP port. */
function prometheusProjectHttp(port: number): Pick<ContainerRecipe, 'ports' | 'liveness' | 'readiness'> {
  return { ports: [{ name: 'http', port }], liveness: { path: '/-/healthy', port }, readiness: { path: '/-/ready', port } };
}

/**
 * Keeps the exemplars the apps expose (a trace ID per latency bucket, catalog
 * `exemplarTraceLabel`) in memory beside the samples, for Grafana's trace links. Still a feature
 * flag in Prometheus 3.16; the live stack runs with it too.
 */
export const PROMETHEUS_EXEMPLAR_STORAGE_FLAG = '--enable-feature=exemplar-storage';

/**
 * `replica`: which replica of an HA set (docker names each container; kubernetes sets the
 * variable from the pod name instead). Its name fills the replica external label.
 */
export function prometheusRecipe(config: StackConfig, replica?: number): ContainerRecipe {
  const port = PORTS.prometheus;
  return {
    ...base(config, 'prometheus'),
    ...(replica === undefined ? {} : { name: replicaName('prometheus', replica) }),
    args: [
      `--config.file=${PROMETHEUS_CONFIG_FILE}`,
      `--storage.tsdb.path=${PROMETHEUS_DATA_DIR}`,
      `--storage.tsdb.retention.time=${config.retention.time}`,
      `--storage.tsdb.retention.size=${config.retention.size}`,
      `--web.listen-address=:${port}`,
      `--web.external-url=${stackEndpoints(config).prometheusUrl}`,
      // Re-read prometheus.yml and the rule files when their content changes (a ConfigMap
      // update, a replaced file): rule changes apply without a restart.
      '--enable-feature=auto-reload-config',
      '--config.auto-reload-interval=30s',
      PROMETHEUS_EXEMPLAR_STORAGE_FLAG,
    ],
    env: { ...goEnv(config, 'prometheus'), ...(replica === undefined ? {} : { [PROMETHEUS_REPLICA_ENV]: replicaName('prometheus', replica) }) },
    secretEnv: {},
    ...prometheusProjectHttp(port),
    readOnlyRootFilesystem: true,
  };
}

/**
 * Alertmanager's gossip flags. No peers: an empty listen address turns gossip (and its port) off.
 * Peers: every member is listed, itself included (Alertmanager skips its own address), so all
 * replicas share one command line; silences and the notification log then reach every member,
 * and only the first in the cluster's order notifies, the others after peer_timeout steps.
 */
export function alertmanagerClusterArgs(listenAddress: string | undefined, peers: readonly string[]): string[] {
  if (listenAddress === undefined) return ['--cluster.listen-address='];
  return [`--cluster.listen-address=${listenAddress}`, ...peers.map((p) => `--cluster.peer=${p}`)];
}

/** `replica`: which member of a cluster (docker names each container; kubernetes pods are named by the StatefulSet). */
export function alertmanagerRecipe(config: StackConfig, replica?: number): ContainerRecipe {
  const port = PORTS.alertmanager;
  const clustered = alertmanagerIsClustered(config);
  const peers = clustered ? alertmanagerHosts(config).map((h) => `${h}:${PORTS.alertmanagerCluster}`) : [];
  return {
    ...base(config, 'alertmanager'),
    ...(replica === undefined ? {} : { name: replicaName('alertmanager', replica) }),
    args: [
      `--config.file=${ALERTMANAGER_CONFIG_FILE}`,
      `--storage.path=${ALERTMANAGER_DATA_DIR}`,
      `--web.listen-address=:${port}`,
      `--web.external-url=${stackEndpoints(config).alertmanagerUrl}`,
      ...alertmanagerClusterArgs(clustered ? `0.0.0.0:${PORTS.alertmanagerCluster}` : undefined, peers),
    ],
    env: goEnv(config, 'alertmanager'),
    secretEnv: {},
    ...(clustered
      ? { ports: [{ name: 'http', port }, { name: 'cluster', port: PORTS.alertmanagerCluster }], liveness: { path: '/-/healthy', port }, readiness: { path: '/-/ready', port } }
      : prometheusProjectHttp(port)),
    readOnlyRootFilesystem: true,
  };
}

export function grafanaRecipe(config: StackConfig): ContainerRecipe {
  const port = PORTS.grafana;
  return {
    ...base(config, 'grafana'),
    args: [],
    env: {
      ...goEnv(config, 'grafana'),
      GF_SECURITY_ADMIN_USER: config.grafana.adminUser,
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_SERVER_ROOT_URL: config.grafana.rootUrl,
      GF_SERVER_HTTP_PORT: String(port),
      GF_SECURITY_COOKIE_SECURE: String(config.grafana.rootUrl.startsWith('https://')),
      // No calls home from a monitoring system.
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
    },
    // Grafana reads it when it creates its database (first start); later changes need
    // `grafana cli admin reset-admin-password` (docs/deploying.md).
    secretEnv: { GF_SECURITY_ADMIN_PASSWORD: 'grafanaAdminPassword' },
    ports: [{ name: 'http', port }],
    // /healthz answers while the web server runs; /api/health also checks the database.
    liveness: { path: '/healthz', port },
    readiness: { path: '/api/health', port },
    // Grafana writes plugins and temporary files outside its data directory.
    readOnlyRootFilesystem: false,
  };
}

export function jaegerRecipe(config: StackConfig): ContainerRecipe {
  return {
    ...base(config, 'jaeger'),
    // Jaeger v2's built-in all-in-one configuration (OTLP receivers on 4317/4318, the query API
    // and UI on 16686, in-memory storage), with the trace bound set per environment.
    args: [`--set=extensions::jaeger_storage::backends::some_storage::memory::max_traces=${JAEGER_MAX_TRACES[config.environment]}`],
    // Listen on every interface; other containers and pods send spans here.
    env: { ...goEnv(config, 'jaeger'), JAEGER_LISTEN_HOST: '0.0.0.0' },
    secretEnv: {},
    ports: [
      { name: 'query', port: PORTS.jaegerQuery },
      { name: 'otlp-grpc', port: PORTS.otlpGrpc },
      { name: 'otlp-http', port: PORTS.otlpHttp },
      { name: 'admin', port: JAEGER_HEALTH_PORT },
    ],
    liveness: { path: JAEGER_HEALTH_PATH, port: JAEGER_HEALTH_PORT },
    readiness: { path: JAEGER_HEALTH_PATH, port: JAEGER_HEALTH_PORT },
    readOnlyRootFilesystem: false,
  };
}

/**
 * postgres_exporter's collector flags, shared with the live stack so it runs what a deployment
 * runs: statement statistics (pg_stat_statements, top N by total time, with the statement text),
 * and instead of the unbounded per-table collectors the stack's top-N queries file
 * (generators/postgresQueries.ts) at `queriesFile`.
 */
export function postgresExporterCollectorArgs(config: StackConfig, queriesFile: string): string[] {
  return [
    '--collector.stat_statements',
    '--collector.stat_statements.include_query',
    `--collector.stat_statements.limit=${config.exporters.postgres.limits.statements}`,
    '--no-collector.stat_user_tables',
    '--no-collector.statio_user_tables',
    `--extend.query-path=${queriesFile}`,
  ];
}

export function postgresExporterRecipe(config: StackConfig): ContainerRecipe {
  const port = PORTS.postgresExporter;
  return {
    ...base(config, 'postgresExporter'),
    args: [`--web.listen-address=:${port}`, ...postgresExporterCollectorArgs(config, POSTGRES_QUERIES_FILE)],
    env: goEnv(config, 'postgresExporter'),
    secretEnv: { DATA_SOURCE_NAME: 'postgresDsn' },
    ports: [{ name: 'metrics', port }],
    // `/` is the static landing page; /metrics would query PostgreSQL, and a database outage
    // must show up as pg_up 0, not as a restarting exporter.
    liveness: { path: '/', port },
    readiness: { path: '/', port },
    readOnlyRootFilesystem: true,
  };
}

/**
 * redis_exporter settings beyond its defaults, shared with the live stack so it scrapes what a
 * deployment exposes: system metrics give redis_total_system_memory_bytes, which
 * RedisSystemMemoryHigh needs when maxmemory is 0.
 */
export const REDIS_EXPORTER_ENV = { REDIS_EXPORTER_INCL_SYSTEM_METRICS: 'true' } as const;

/** `redisPasswordSet`: whether the optional redisPassword secret is configured. */
export function redisExporterRecipe(config: StackConfig, redisPasswordSet: boolean): ContainerRecipe {
  const port = PORTS.redisExporter;
  return {
    ...base(config, 'redisExporter'),
    args: [],
    env: { ...goEnv(config, 'redisExporter'), REDIS_ADDR: `redis://${config.exporters.redis.address}`, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `:${port}`, ...REDIS_EXPORTER_ENV },
    secretEnv: redisPasswordSet ? { REDIS_PASSWORD: 'redisPassword' } : {},
    ports: [{ name: 'metrics', port }],
    liveness: { path: '/health', port },
    readiness: { path: '/health', port },
    readOnlyRootFilesystem: true,
  };
}

export function nodeExporterRecipe(config: StackConfig): ContainerRecipe {
  const port = nodeExporterPort(config);
  return {
    ...base(config, 'nodeExporter'),
    args: [
      `--path.procfs=${NODE_EXPORTER_HOST_PATHS.proc}`,
      `--path.sysfs=${NODE_EXPORTER_HOST_PATHS.sys}`,
      `--path.rootfs=${NODE_EXPORTER_HOST_PATHS.root}`,
      `--web.listen-address=:${port}`,
    ],
    env: goEnv(config, 'nodeExporter'),
    secretEnv: {},
    ports: [{ name: 'metrics', port }],
    liveness: { path: '/', port },
    readiness: { path: '/', port },
    readOnlyRootFilesystem: true,
  };
}

export function blackboxExporterRecipe(config: StackConfig): ContainerRecipe {
  const port = PORTS.blackboxExporter;
  return {
    ...base(config, 'blackboxExporter'),
    args: [`--config.file=${BLACKBOX_CONFIG_FILE}`, `--web.listen-address=:${port}`],
    env: goEnv(config, 'blackboxExporter'),
    secretEnv: {},
    ports: [{ name: 'http', port }],
    liveness: { path: '/-/healthy', port },
    readiness: { path: '/-/healthy', port },
    readOnlyRootFilesystem: true,
  };
}

export function appRecipe(config: StackConfig, app: AppConfig): ContainerRecipe {
  return {
    name: app.name,
    image: app.image,
    user: app.runAsUser,
    args: [],
    env: {
      ...app.env,
      // The instrumentation helper exports OTLP over HTTP (instrumentation/tracing.ts); the
      // protocol is explicit because SDKs of other languages default to gRPC on this variable.
      OTEL_EXPORTER_OTLP_ENDPOINT: internalEndpoints(config).otlpHttp,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // An explicit service name in the app's env wins (the instrumentation does the same).
      OTEL_SERVICE_NAME: app.env.OTEL_SERVICE_NAME ?? app.name,
    },
    secretEnv: {},
    ports: [{ name: 'http', port: app.port }],
    liveness: app.livenessPath !== undefined ? { path: app.livenessPath, port: app.port } : { tcpPort: app.port },
    readiness: { path: app.healthPath, port: app.port },
    resources: app.resources,
    // Apps get a writable /tmp; anything else they write is a bug in a stateless service.
    readOnlyRootFilesystem: true,
  };
}

export interface ThanosReceiveFlags {
  readonly dataDir: string;
  /** host:port of each listener. */
  readonly http: string;
  readonly grpc: string;
  readonly remoteWrite: string;
  /** This Receive's own external label value (receive_replica); Receive refuses to start without one. */
  readonly replicaName: string;
  /** How long samples stay on the Receive volume (--tsdb.retention). */
  readonly retention: string;
}

/** Thanos Receive's command line: the deployment's and the fault tests' (live/services/thanos.ts). */
export function thanosReceiveArgs(f: ThanosReceiveFlags): string[] {
  return [
    'receive',
    `--tsdb.path=${f.dataDir}`,
    `--tsdb.retention=${f.retention}`,
    `--http-address=${f.http}`,
    `--grpc-address=${f.grpc}`,
    `--remote-write.address=${f.remoteWrite}`,
    `--label=receive_replica="${f.replicaName}"`,
  ];
}

export interface ThanosQueryFlags {
  readonly http: string;
  readonly grpc: string;
  /** host:port of every Store API (Receive) it reads. */
  readonly endpoints: readonly string[];
  /** Labels Query merges replicas on (--query.replica-label); none turns deduplication off. */
  readonly replicaLabels: readonly string[];
}

/** Thanos Query's command line: endpoints inline as --endpoint.sd-config (--endpoint is deprecated in 0.42). */
export function thanosQueryArgs(f: ThanosQueryFlags): string[] {
  const sd = JSON.stringify({ endpoints: f.endpoints.map((address) => ({ address })) });
  return ['query', `--http-address=${f.http}`, `--grpc-address=${f.grpc}`, `--endpoint.sd-config=${sd}`, ...f.replicaLabels.map((l) => `--query.replica-label=${l}`)];
}

function thanosHttp(): Pick<ContainerRecipe, 'liveness' | 'readiness'> {
  return { liveness: { path: '/-/healthy', port: PORTS.thanosHttp }, readiness: { path: '/-/ready', port: PORTS.thanosHttp } };
}

export function thanosReceiveRecipe(config: StackConfig): ContainerRecipe {
  return {
    ...base(config, 'thanosReceive'),
    args: thanosReceiveArgs({
      dataDir: THANOS_RECEIVE_DATA_DIR,
      http: `0.0.0.0:${PORTS.thanosHttp}`,
      grpc: `0.0.0.0:${PORTS.thanosGrpc}`,
      remoteWrite: `0.0.0.0:${PORTS.thanosRemoteWrite}`,
      replicaName: SERVICE_NAMES.thanosReceive,
      retention: config.longTermStorage?.retention ?? '30d',
    }),
    env: goEnv(config, 'thanosReceive'),
    secretEnv: {},
    ports: [{ name: 'http', port: PORTS.thanosHttp }, { name: 'grpc', port: PORTS.thanosGrpc }, { name: 'remote-write', port: PORTS.thanosRemoteWrite }],
    ...thanosHttp(),
    readOnlyRootFilesystem: true,
  };
}

export function thanosQueryRecipe(config: StackConfig): ContainerRecipe {
  return {
    ...base(config, 'thanosQuery'),
    args: thanosQueryArgs({
      http: `0.0.0.0:${PORTS.thanosHttp}`,
      grpc: `0.0.0.0:${PORTS.thanosGrpc}`,
      endpoints: [`${hostOf(config, 'thanosReceive')}:${PORTS.thanosGrpc}`],
      replicaLabels: [config.prometheus.replicaLabel],
    }),
    env: goEnv(config, 'thanosQuery'),
    secretEnv: {},
    ports: [{ name: 'http', port: PORTS.thanosHttp }, { name: 'grpc', port: PORTS.thanosGrpc }],
    ...thanosHttp(),
    readOnlyRootFilesystem: true,
  };
}

/** Every infrastructure recipe the config enables, keyed by service. */
export function infraRecipes(config: StackConfig, redisPasswordSet: boolean): Partial<Record<InfraService, ContainerRecipe>> {
  return {
    prometheus: prometheusRecipe(config),
    alertmanager: alertmanagerRecipe(config),
    grafana: grafanaRecipe(config),
    jaeger: jaegerRecipe(config),
    ...(config.exporters.postgres.enabled ? { postgresExporter: postgresExporterRecipe(config) } : {}),
    ...(config.exporters.redis.enabled ? { redisExporter: redisExporterRecipe(config, redisPasswordSet) } : {}),
    ...(config.exporters.node.enabled ? { nodeExporter: nodeExporterRecipe(config) } : {}),
    ...(config.longTermStorage?.kind === 'thanos' ? { thanosReceive: thanosReceiveRecipe(config), thanosQuery: thanosQueryRecipe(config) } : {}),
    ...(config.uptime.enabled ? { blackboxExporter: blackboxExporterRecipe(config) } : {}),
  };
}
