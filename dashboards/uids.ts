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
