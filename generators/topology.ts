/**
 * Where each service of the stack listens, per target. Shared by the config generators (scrape
 * targets, datasource URLs) and the Pulumi components (service names, container aliases, ports),
 * so both always agree.
 */
import type { AppConfig, StackConfig } from '../stacks/config/schema';

/** Container ports; the images' defaults. */
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
  blackboxExporter: 'blackbox',
} as const;

/** Kubernetes labels the app pods carry and the scrape config selects on. */
export const K8S_APP_LABELS = { name: 'app.kubernetes.io/name', partOf: 'app.kubernetes.io/part-of', partOfValue: 'observatory' } as const;
export const SCRAPE_ANNOTATIONS = { scrape: 'prometheus.io/scrape', port: 'prometheus.io/port', path: 'prometheus.io/path' } as const;

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

export interface Endpoints {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly jaegerQuery: string;
  /** OTLP over HTTP, what the instrumentation helper exports to. */
  readonly otlpHttp: string;
  readonly otlpGrpc: string;
}

/** In-stack URLs (what containers use to reach each other). */
export function internalEndpoints(config: StackConfig): Endpoints {
  return {
    prometheus: `http://${hostOf(config, 'prometheus')}:${PORTS.prometheus}`,
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
