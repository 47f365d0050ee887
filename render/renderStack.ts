/**
 * Renders every artifact of one stack: the single entry point both `npm run render` (writing
 * generated/<stack>/) and the Pulumi components (shipping the same bytes) call. Pure: no I/O.
 */
import { getCatalog, type Catalog } from '../catalog';
import { ObservatoryError } from '../catalog/errors';
import { isDuration } from '../catalog/duration';
import { alertmanagerArtifact } from '../alerts/alertmanager';
import { ruleArtifacts } from '../alerts/ruleFiles';
import { runbookArtifacts } from '../alerts/runbooks';
import { dashboardArtifacts } from '../dashboards';
import type { StackConfig } from '../stacks/config/schema';
import type { Artifact, RenderContext, RenderOptions } from '../generators/artifact';
import { catalogDocArtifact } from '../generators/catalogDocs';
import { grafanaProvisioningArtifacts } from '../generators/grafanaProvisioning';
import { POSTGRES_QUERIES_ARTIFACT, renderPostgresQueries } from '../generators/postgresQueries';
import { renderPrometheusConfig } from '../generators/prometheusConfig';
import { BLACKBOX_ARTIFACT, renderBlackboxConfig } from '../generators/uptime';

export function renderStack(config: StackConfig, options: RenderOptions = {}, catalog: Catalog = getCatalog()): Artifact[] {
  if (options.alertForOverride !== undefined && !isDuration(options.alertForOverride)) {
    throw new ObservatoryError('alertForOverride', `"${options.alertForOverride}" is not a Prometheus duration`);
  }
  const ctx: RenderContext = { config, catalog, options };
  const artifacts: Artifact[] = [
    { path: 'prometheus/prometheus.yml', content: renderPrometheusConfig(config) },
    ...ruleArtifacts(ctx),
    ...grafanaProvisioningArtifacts(ctx),
    alertmanagerArtifact(ctx),
    ...runbookArtifacts(ctx),
    ...dashboardArtifacts(ctx),
    catalogDocArtifact(ctx),
    ...(config.exporters.postgres.enabled ? [{ path: POSTGRES_QUERIES_ARTIFACT, content: renderPostgresQueries(config) }] : []),
    ...(config.uptime.enabled ? [{ path: BLACKBOX_ARTIFACT, content: renderBlackboxConfig(config) }] : []),
  ];
  const seen = new Set<string>();
  for (const a of artifacts) {
    if (seen.has(a.path)) throw new ObservatoryError(`render ${config.stack}`, `two generators wrote ${a.path}`);
    seen.add(a.path);
  }
  return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
