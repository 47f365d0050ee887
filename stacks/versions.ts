/**
 * Every container image the stack runs, pinned in this one place. The exporter versions are the
 * ones whose metric names catalog/postgres.ts and catalog/redis.ts were checked against (the live
 * test runs Debian's builds of the same versions); bump them together with the catalog.
 * Stack config `images` may override a pin per environment (still pinned: no `latest`).
 * Every image has busybox `wget` (docker health checks) and runs as the numeric user in
 * stacks/recipes.ts IMAGE_USERS.
 */
export const IMAGES = {
  prometheus: 'prom/prometheus:v2.42.0',
  alertmanager: 'prom/alertmanager:v0.25.0',
  grafana: 'grafana/grafana:10.4.2',
  jaeger: 'jaegertracing/all-in-one:1.57.0',
  postgresExporter: 'quay.io/prometheuscommunity/postgres-exporter:v0.11.1',
  // The -alpine build of the same release: the default one is FROM scratch, with no wget for
  // the docker health check.
  redisExporter: 'oliver006/redis_exporter:v1.45.0-alpine',
  nodeExporter: 'prom/node-exporter:v1.5.0',
} as const;

export type ImageKey = keyof typeof IMAGES;
