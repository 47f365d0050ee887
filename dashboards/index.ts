/**
 * Every dashboard of a stack as dashboards/<uid>.json. Each dashboard function returns an unbuilt
 * DashboardBuilder; this module builds it, lints it (a dashboard naming a metric or label the
 * catalog lacks, or breaking a lint rule, stops the render) and serialises it deterministically.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Artifact, RenderContext } from '../generators/artifact';
import { GRAFANA_ARTIFACTS } from '../generators/grafanaProvisioning';
import { toSortedJson } from '../generators/yaml';
import type { StackConfig } from '../stacks/config/schema';
import { apiPerformanceDashboard } from './apiPerformance';
import { databaseRedisDashboard } from './databaseRedis';
import { assertDashboardLint } from './lint';
import { monitoringHealthDashboard } from './monitoringHealth';
import { serviceOverviewDashboard } from './serviceOverview';
import { DASHBOARD_UIDS, type DashboardKey } from './uids';

export const DASHBOARDS: Record<DashboardKey, (config: StackConfig) => dashboard.DashboardBuilder> = {
  apiPerformance: apiPerformanceDashboard,
  databaseRedis: databaseRedisDashboard,
  serviceOverview: serviceOverviewDashboard,
  monitoringHealth: monitoringHealthDashboard,
};

export function dashboardPath(uid: string): string {
  return `${GRAFANA_ARTIFACTS.dashboardsDir}/${uid}.json`;
}

/** Every dashboard of the stack, built and linted, keyed like DASHBOARD_UIDS. */
export function buildDashboards(ctx: RenderContext): Record<DashboardKey, dashboard.Dashboard> {
  const out = {} as Record<DashboardKey, dashboard.Dashboard>;
  for (const key of Object.keys(DASHBOARDS) as DashboardKey[]) {
    const built = DASHBOARDS[key](ctx.config).build();
    if (built.uid !== DASHBOARD_UIDS[key]) throw new Error(`dashboard ${key} has uid ${built.uid}, expected ${DASHBOARD_UIDS[key]}`);
    assertDashboardLint(built, ctx.catalog);
    out[key] = built;
  }
  return out;
}

export function dashboardArtifacts(ctx: RenderContext): Artifact[] {
  const built = buildDashboards(ctx);
  return (Object.keys(built) as DashboardKey[]).map((key) => ({ path: dashboardPath(DASHBOARD_UIDS[key]), content: toSortedJson(built[key]) }));
}
