/**
 * Where rendered artifacts land inside the containers, defined once for both targets. Pure
 * constants (no Pulumi import) so generators may import them too: the Grafana dashboards provider
 * (grafana/provisioning/dashboards/*.yml) must point at GRAFANA_DASHBOARDS_DIR.
 *
 * Every artifact renderStack() produces is either routed to a service here or listed in
 * UNSHIPPED_PREFIXES; anything else stops the deployment with an error (see routeArtifacts), so a
 * new kind of artifact is never dropped silently.
 */
import { GRAFANA_PATHS } from '../generators/grafanaProvisioning';
import { POSTGRES_QUERIES_DIR } from '../generators/postgresQueries';
import { PROMETHEUS_RULES_DIR } from '../generators/prometheusConfig';
import { BLACKBOX_CONFIG_DIR } from '../generators/uptime';

export { PROMETHEUS_RULES_DIR };

/** prometheus.yml lives here (a directory, so kubernetes can mount a ConfigMap on it). */
export const PROMETHEUS_CONFIG_DIR = '/etc/prometheus/config';
export const PROMETHEUS_CONFIG_FILE = `${PROMETHEUS_CONFIG_DIR}/prometheus.yml`;
/** The TSDB: a PersistentVolumeClaim on kubernetes, a named volume on docker. */
export const PROMETHEUS_DATA_DIR = '/prometheus';

export const ALERTMANAGER_CONFIG_DIR = '/etc/alertmanager/config';
export const ALERTMANAGER_CONFIG_FILE = `${ALERTMANAGER_CONFIG_DIR}/alertmanager.yml`;
/** Silences and the notification log. */
export const ALERTMANAGER_DATA_DIR = '/alertmanager';

/** Thanos Receive's TSDB (a PersistentVolumeClaim / named volume). */
export const THANOS_RECEIVE_DATA_DIR = '/var/thanos/receive';
export { PROMETHEUS_SECRETS_DIR } from '../generators/remoteWrite';

/** Grafana's default provisioning root; each subdirectory (datasources, dashboards, ...) is shipped as a unit. */
export const GRAFANA_PROVISIONING_DIR = GRAFANA_PATHS.provisioningDir;
/**
 * Dashboard JSON files; outside the data volume so a volume never shadows them. The dashboards
 * provider (generators/grafanaProvisioning.ts GRAFANA_PATHS.dashboardsDir) reads this directory.
 */
export const GRAFANA_DASHBOARDS_DIR = GRAFANA_PATHS.dashboardsDir;
/** Grafana's database (users, sessions, preferences). */
export const GRAFANA_DATA_DIR = '/var/lib/grafana';
/** Docker only: secret files uploaded for images that read `<VAR>__FILE`. */
export const DOCKER_SECRETS_DIR = '/etc/observatory/secrets';

/** Services that receive artifacts. */
export type ArtifactService = 'prometheus' | 'alertmanager' | 'grafana' | 'postgresExporter' | 'blackboxExporter';

export interface ArtifactRoute {
  /** Artifact path prefix inside generated/<stack>/, ending in "/". */
  readonly prefix: string;
  readonly service: ArtifactService;
  /** Directory in the container the paths below `prefix` are placed under. */
  readonly dir: string;
  /** Shipped as a Secret / secret upload, rendered with secret values. Default: false */
  readonly secret?: boolean;
}

/** Longest prefix wins (prometheus/rules/ before prometheus/). */
export const ARTIFACT_ROUTES: readonly ArtifactRoute[] = [
  { prefix: 'prometheus/rules/', service: 'prometheus', dir: PROMETHEUS_RULES_DIR },
  { prefix: 'prometheus/', service: 'prometheus', dir: PROMETHEUS_CONFIG_DIR },
  { prefix: 'alertmanager/', service: 'alertmanager', dir: ALERTMANAGER_CONFIG_DIR, secret: true },
  { prefix: 'grafana/provisioning/', service: 'grafana', dir: GRAFANA_PROVISIONING_DIR },
  { prefix: 'dashboards/', service: 'grafana', dir: GRAFANA_DASHBOARDS_DIR },
  { prefix: 'postgres-exporter/', service: 'postgresExporter', dir: POSTGRES_QUERIES_DIR },
  { prefix: 'blackbox/', service: 'blackboxExporter', dir: BLACKBOX_CONFIG_DIR },
];

/** Artifacts written for people (PR review, runbook links), not for any container. */
export const UNSHIPPED_PREFIXES: readonly string[] = ['docs/', 'runbooks/'];

/** Artifacts the services cannot start without. */
export const REQUIRED_ARTIFACTS: readonly string[] = ['prometheus/prometheus.yml', 'alertmanager/alertmanager.yml'];
