/**
 * Grafana provisioning: the datasources (Prometheus, Alertmanager, Jaeger) with the stable uids the
 * dashboards reference, and the file provider that loads dashboards/<uid>.json into a folder per
 * environment. The container paths are exported so the Pulumi components mount the rendered files
 * exactly where these configs point.
 */
import { getCatalog } from '../catalog';
import type { StackConfig } from '../stacks/config/schema';
import type { Artifact, RenderContext } from './artifact';
import { internalEndpoints } from './topology';
import { generatedHeader, toYaml } from './yaml';

/** Datasource uids: dashboards and links name these, never a datasource's display name. */
export const DATASOURCE_UIDS = {
  prometheus: 'obs-prometheus',
  alertmanager: 'obs-alertmanager',
  jaeger: 'obs-jaeger',
} as const;

/** Where Grafana reads its provisioning and the dashboards inside the container. */
export const GRAFANA_PATHS = {
  /** Grafana's default `paths.provisioning` (GF_PATHS_PROVISIONING in the official image). */
  provisioningDir: '/etc/grafana/provisioning',
  datasourcesDir: '/etc/grafana/provisioning/datasources',
  dashboardProvidersDir: '/etc/grafana/provisioning/dashboards',
  /**
   * The directory the dashboard provider reads. Outside /var/lib/grafana on purpose: that is the
   * persistent data volume, and mounting read-only config inside it couples the two.
   */
  dashboardsDir: '/etc/grafana/dashboards/observatory',
} as const;

/** Artifact paths (relative to generated/<stack>/) of the provisioning files. */
export const GRAFANA_ARTIFACTS = {
  datasources: 'grafana/provisioning/datasources/datasources.yml',
  dashboardProviders: 'grafana/provisioning/dashboards/dashboards.yml',
  /** Directory of the dashboard JSON files, one per uid. */
  dashboardsDir: 'dashboards',
} as const;

/** Which rendered directory goes to which container directory: what the Pulumi components mount. */
export const GRAFANA_MOUNTS: readonly { readonly artifactDir: string; readonly containerDir: string }[] = [
  { artifactDir: 'grafana/provisioning/datasources', containerDir: GRAFANA_PATHS.datasourcesDir },
  { artifactDir: 'grafana/provisioning/dashboards', containerDir: GRAFANA_PATHS.dashboardProvidersDir },
  { artifactDir: GRAFANA_ARTIFACTS.dashboardsDir, containerDir: GRAFANA_PATHS.dashboardsDir },
];

/** The dashboard folder of an environment; every stack of that environment shares it. */
export function dashboardFolder(config: StackConfig): { readonly title: string; readonly uid: string } {
  return { title: `Observatory (${config.environment})`, uid: `observatory-${config.environment}` };
}

/** The exemplar labels that hold trace IDs, from the catalog (`exemplarTraceLabel`), sorted. */
function exemplarTraceLabels(): string[] {
  return [...new Set(getCatalog().metrics.flatMap((m) => (m.exemplarTraceLabel === undefined ? [] : [m.exemplarTraceLabel])))].sort();
}

/** Grafana's name for the API flavour behind the datasource (it tunes query features to it). */
const PROMETHEUS_TYPES = { prometheus: 'Prometheus', thanos: 'Thanos', mimir: 'Mimir' } as const;

export function buildDatasourcesSpec(config: StackConfig) {
  const urls = internalEndpoints(config);
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: DATASOURCE_UIDS.prometheus,
        type: 'prometheus',
        access: 'proxy',
        // With longTermStorage the engine's query API: Thanos Query deduplicates the replicas on
        // prometheus.replicaLabel by default (dedup=true), Mimir's HA tracker on ingestion.
        url: urls.query,
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          // $__rate_interval is max(4 x this, interval + this): it must be the real scrape interval.
          timeInterval: config.scrapeInterval,
          prometheusType: PROMETHEUS_TYPES[config.longTermStorage?.kind ?? 'prometheus'],
          // An exemplar's trace ID opens that trace in the Jaeger datasource.
          exemplarTraceIdDestinations: exemplarTraceLabels().map((name) => ({ name, datasourceUid: DATASOURCE_UIDS.jaeger })),
        },
      },
      {
        name: 'Alertmanager',
        uid: DATASOURCE_UIDS.alertmanager,
        type: 'alertmanager',
        access: 'proxy',
        url: urls.alertmanager,
        editable: false,
        jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
      },
      {
        name: 'Jaeger',
        uid: DATASOURCE_UIDS.jaeger,
        type: 'jaeger',
        access: 'proxy',
        url: urls.jaegerQuery,
        editable: false,
      },
    ],
  };
}

export function buildDashboardProvidersSpec(config: StackConfig) {
  const folder = dashboardFolder(config);
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'observatory',
        orgId: 1,
        type: 'file',
        folder: folder.title,
        folderUid: folder.uid,
        // Dashboards are code: edits in the UI would be lost on the next deploy, so refuse them.
        allowUiUpdates: false,
        disableDeletion: true,
        updateIntervalSeconds: 30,
        options: { path: GRAFANA_PATHS.dashboardsDir, foldersFromFilesStructure: false },
      },
    ],
  };
}

export function grafanaProvisioningArtifacts(ctx: RenderContext): Artifact[] {
  const header = generatedHeader(ctx.config.stack, 'generators/grafanaProvisioning.ts');
  return [
    { path: GRAFANA_ARTIFACTS.datasources, content: toYaml(buildDatasourcesSpec(ctx.config), header) },
    { path: GRAFANA_ARTIFACTS.dashboardProviders, content: toYaml(buildDashboardProvidersSpec(ctx.config), header) },
  ];
}
