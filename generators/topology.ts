/**
 * Where each service of the stack listens, per target. Shared by the config generators (scrape
 * targets, datasource URLs) and the Pulumi components (service names, container aliases, ports),
 * so both always agree.
 */
import type { AppConfig, StackConfig } from '../stacks/config/schema';

/** Container ports; the images' defaults (node_exporter's: exporters.node.port, nodeExporterPort). */
export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  jaegerQuery: 16686,
  otlpGrpc: 4317,
  otlpHttp: 4318,
  postgresExporter: 9187,
  redisExporter: 9121,
  nodeExporter: 9100,
  /** Alertmanager gossip (TCP and UDP); only open when alertmanager.replicas > 1. */
  alertmanagerCluster: 9094,
  /** Thanos components' HTTP (API, /metrics, health) and gRPC (Store API) ports: its defaults. */
  thanosHttp: 10902,
  thanosGrpc: 10901,
  /** Thanos Receive's remote-write endpoint (its default). */
  thanosRemoteWrite: 19291,
  blackboxExporter: 9115,
} as const;

/** DNS names of the services: docker network aliases, kubernetes Service names. */
export const SERVICE_NAMES = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  grafana: 'grafana',
  jaeger: 'jaeger',
  postgresExporter: 'postgres-exporter',
  redisExporter: 'redis-exporter',
  nodeExporter: 'node-exporter',
  thanosReceive: 'thanos-receive',
  thanosQuery: 'thanos-query',
  blackboxExporter: 'blackbox-exporter',
} as const;
export type ServiceKey = keyof typeof SERVICE_NAMES;

/** The `service` label each infrastructure job carries; apps carry their own name. */
export const SERVICE_LABELS = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  postgresExporter: 'postgres',
  redisExporter: 'redis',
  nodeExporter: 'node',
  thanosReceive: 'thanos-receive',
  thanosQuery: 'thanos-query',
  blackboxExporter: 'blackbox',
} as const;

/** Kubernetes labels the app pods carry and the scrape config selects on. */
export const K8S_APP_LABELS = { name: 'app.kubernetes.io/name', partOf: 'app.kubernetes.io/part-of', partOfValue: 'observatory' } as const;
export const SCRAPE_ANNOTATIONS = { scrape: 'prometheus.io/scrape', port: 'prometheus.io/port', path: 'prometheus.io/path' } as const;

/** node_exporter's port: on kubernetes a port of every node's host network (exporters.node.port, default PORTS.nodeExporter). */
export function nodeExporterPort(config: StackConfig): number {
  return config.exporters.node.port;
}

/**
 * The namespace node_exporter runs in (kubernetes): exporters.node.namespace, default
 * `<namespace>-node-exporter`. Its own, because its pods need Pod Security `privileged`.
 */
export function nodeExporterNamespace(config: StackConfig): string {
  return config.exporters.node.namespace ?? `${config.namespace}-node-exporter`;
}

/** The namespaces whose pods the stack watches (kubernetes): its own first, then watchNamespaces. */
export function watchedNamespaces(config: StackConfig): string[] {
  return [config.namespace, ...config.watchNamespaces];
}

export function hostOf(config: StackConfig, service: ServiceKey): string {
  return config.target === 'docker' ? SERVICE_NAMES[service] : `${SERVICE_NAMES[service]}.${config.namespace}.svc`;
}

/** Docker network alias of an app replica (apps run `replicas.min` containers on docker). */
export function appReplicaHost(app: AppConfig, index: number): string {
  return `${app.name}-${index}`;
}

export function appReplicaHosts(app: AppConfig): string[] {
  return Array.from({ length: app.replicas.min }, (_, i) => appReplicaHost(app, i));
}

/** Kubernetes: the headless Service that gives each Alertmanager pod a stable DNS name for gossip. */
export const ALERTMANAGER_CLUSTER_SERVICE = 'alertmanager-cluster';
/** Kubernetes: the headless Service of the Prometheus StatefulSet (replicas > 1). */
export const PROMETHEUS_REPLICAS_SERVICE = 'prometheus-replicas';
/** The environment variable each Prometheus replica's replica label is expanded from (external_labels). */
export const PROMETHEUS_REPLICA_ENV = 'PROMETHEUS_REPLICA';

/** Whether Prometheus runs as several identical replicas (StatefulSet / numbered containers). */
export const prometheusIsReplicated = (config: StackConfig): boolean => config.prometheus.replicas > 1;
/** Whether Alertmanager runs as a gossiping cluster. */
export const alertmanagerIsClustered = (config: StackConfig): boolean => config.alertmanager.replicas > 1;

/** Name of replica i: the docker container and alias, the StatefulSet pod name (`<service>-<i>`). */
export function replicaName(service: 'prometheus' | 'alertmanager', index: number): string {
  return `${SERVICE_NAMES[service]}-${index}`;
}

/**
 * Each Alertmanager's own host name: docker aliases alertmanager-<i>, kubernetes pod DNS names
 * under the headless Service. One Alertmanager: its Service.
 */
export function alertmanagerHosts(config: StackConfig): string[] {
  if (!alertmanagerIsClustered(config)) return [hostOf(config, 'alertmanager')];
  return Array.from({ length: config.alertmanager.replicas }, (_, i) =>
    config.target === 'docker' ? replicaName('alertmanager', i) : `${replicaName('alertmanager', i)}.${ALERTMANAGER_CLUSTER_SERVICE}.${config.namespace}.svc`,
  );
}

/** The URL Prometheus remote-writes to the long-term engine, if there is one. */
export function engineRemoteWriteUrl(config: StackConfig): string | undefined {
  const lts = config.longTermStorage;
  if (lts === undefined) return undefined;
  return lts.kind === 'thanos' ? `http://${hostOf(config, 'thanosReceive')}:${PORTS.thanosRemoteWrite}/api/v1/receive` : lts.remoteWriteUrl;
}

export interface Endpoints {
  readonly prometheus: string;
  /** What Grafana's Prometheus datasource reads: Prometheus, or the long-term engine's query API. */
  readonly query: string;
  readonly alertmanager: string;
  readonly jaegerQuery: string;
  /** OTLP over HTTP, what the instrumentation helper exports to. */
  readonly otlpHttp: string;
  readonly otlpGrpc: string;
}

function queryEndpoint(config: StackConfig): string {
  const lts = config.longTermStorage;
  if (lts?.kind === 'thanos') return `http://${hostOf(config, 'thanosQuery')}:${PORTS.thanosHttp}`;
  if (lts?.kind === 'mimir' && lts.queryUrl !== undefined) return lts.queryUrl.replace(/\/+$/, '');
  return `http://${hostOf(config, 'prometheus')}:${PORTS.prometheus}`;
}

/** In-stack URLs (what containers use to reach each other). */
export function internalEndpoints(config: StackConfig): Endpoints {
  return {
    prometheus: `http://${hostOf(config, 'prometheus')}:${PORTS.prometheus}`,
    query: queryEndpoint(config),
    alertmanager: `http://${hostOf(config, 'alertmanager')}:${PORTS.alertmanager}`,
    jaegerQuery: `http://${hostOf(config, 'jaeger')}:${PORTS.jaegerQuery}`,
    otlpHttp: `http://${hostOf(config, 'jaeger')}:${PORTS.otlpHttp}`,
    otlpGrpc: `http://${hostOf(config, 'jaeger')}:${PORTS.otlpGrpc}`,
  };
}

/** The stack outputs (`pulumi stack output`): where a person or an app outside the stack reaches each service. */
export interface StackEndpoints {
  readonly grafanaUrl: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly jaegerUiUrl: string;
  /** OTLP over HTTP; what apps' OTEL_EXPORTER_OTLP_ENDPOINT points at. */
  readonly otlpHttpEndpoint: string;
  readonly otlpGrpcEndpoint: string;
}

/**
 * Kubernetes: the in-cluster URLs, Grafana at its public root URL. Docker: the ports published on
 * the host. Prometheus and Alertmanager take theirs as --web.external-url, so the links in alerts
 * and notifications open where a person can reach them, not at a container's host name.
 */
export function stackEndpoints(config: StackConfig): StackEndpoints {
  if (config.target === 'kubernetes') {
    const e = internalEndpoints(config);
    return {
      grafanaUrl: config.grafana.rootUrl,
      prometheusUrl: e.prometheus,
      alertmanagerUrl: e.alertmanager,
      jaegerUiUrl: e.jaegerQuery,
      otlpHttpEndpoint: e.otlpHttp,
      otlpGrpcEndpoint: e.otlpGrpc,
    };
  }
  const host = config.docker.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.docker.bindAddress;
  const url = (port: number) => `http://${host}:${port}`;
  const p = config.docker.ports;
  return {
    grafanaUrl: url(p.grafana),
    prometheusUrl: url(p.prometheus),
    alertmanagerUrl: url(p.alertmanager),
    jaegerUiUrl: url(p.jaegerUi),
    otlpHttpEndpoint: url(p.otlpHttp),
    otlpGrpcEndpoint: url(p.otlpGrpc),
  };
}
