/**
 * CPU and memory for the monitoring services, by environment. Applications take theirs from stack
 * config (apps[i].resources). Docker uses the limits (memory, cpus); kubernetes uses both.
 *
 * Prometheus grows with the number of series: about 3 KiB of memory per active series measured
 * at 3.16 (bench/capacity.ts, docs/deploying.md "Capacity"), so the prod limit (4Gi) fits about
 * 500k series with headroom for compaction and queries. Shard, or raise it with the scrape targets.
 */
import type { Environment } from './config/schema';

export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export type InfraService = 'prometheus' | 'alertmanager' | 'grafana' | 'jaeger' | 'postgresExporter' | 'redisExporter' | 'nodeExporter' | 'thanosReceive' | 'thanosQuery' | 'blackboxExporter';

const r = (reqCpu: string, reqMem: string, limCpu: string, limMem: string): Resources => ({
  requests: { cpu: reqCpu, memory: reqMem },
  limits: { cpu: limCpu, memory: limMem },
});

const SMALL: Omit<Record<InfraService, Resources>, 'prometheus' | 'jaeger' | 'thanosReceive'> = {
  alertmanager: r('50m', '64Mi', '200m', '128Mi'),
  grafana: r('100m', '128Mi', '500m', '512Mi'),
  postgresExporter: r('50m', '32Mi', '200m', '128Mi'),
  redisExporter: r('50m', '32Mi', '200m', '64Mi'),
  nodeExporter: r('50m', '32Mi', '200m', '64Mi'),
  // Query holds no data; its memory grows with the series a dashboard query touches.
  thanosQuery: r('100m', '128Mi', '1', '1Gi'),
  // One HTTP request per probed URL and interval; TLS handshakes are the costly part.
  blackboxExporter: r('50m', '32Mi', '200m', '64Mi'),
};

export const INFRA_RESOURCES: Record<Environment, Record<InfraService, Resources>> = {
  // Thanos Receive holds the head of every replica's series (one copy per replica label): size it
  // like the Prometheus servers together.
  dev: { ...SMALL, prometheus: r('100m', '512Mi', '1', '1Gi'), jaeger: r('100m', '256Mi', '500m', '512Mi'), thanosReceive: r('100m', '512Mi', '1', '1Gi') },
  staging: { ...SMALL, prometheus: r('250m', '1Gi', '1', '2Gi'), jaeger: r('100m', '512Mi', '1', '1Gi'), thanosReceive: r('250m', '1Gi', '1', '4Gi') },
  prod: { ...SMALL, prometheus: r('500m', '2Gi', '2', '4Gi'), jaeger: r('250m', '1Gi', '1', '2Gi'), thanosReceive: r('500m', '4Gi', '2', '8Gi') },
};

/**
 * Jaeger (all-in-one configuration, memory storage) keeps traces in memory; this bounds how many (oldest dropped first) so it
 * stays inside its memory limit. About 10 KiB per trace is a safe planning figure.
 */
export const JAEGER_MAX_TRACES: Record<Environment, number> = { dev: 20_000, staging: 50_000, prod: 100_000 };
