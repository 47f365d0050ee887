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
} as const;
export type ServiceKey = keyof typeof SERVICE_NAMES;

/** The `service` label each infrastructure job carries; apps carry their own name. */
export const SERVICE_LABELS = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  postgresExporter: 'postgres',
  redisExporter: 'redis',
  nodeExporter: 'node',
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
