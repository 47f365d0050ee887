/**
 * Stable dashboard uids: Grafana URLs (/d/<uid>), alert dashboard links and dashboard links all use
 * these, so renaming a dashboard's title never breaks a link. Grafana allows at most 40 characters.
 */
export const DASHBOARD_UIDS = {
  apiPerformance: 'obs-api-performance',
  databaseRedis: 'obs-database-redis',
  serviceOverview: 'obs-service-overview',
  monitoringHealth: 'obs-monitoring-health',
} as const;
export type DashboardKey = keyof typeof DASHBOARD_UIDS;

/**
 * Template variables of each dashboard that an alert's dashboard link may set (`var-<name>`),
 * besides the datasource. test/dashboards.test.ts checks them against the built dashboards.
 */
export const DASHBOARD_VARIABLES: Record<DashboardKey, readonly string[]> = {
  apiPerformance: ['service', 'route', 'instance'],
  databaseRedis: ['pg_instance', 'database', 'redis_instance'],
  serviceOverview: ['service'],
  monitoringHealth: ['job', 'instance'],
};
