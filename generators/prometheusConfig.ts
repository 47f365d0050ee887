/**
 * prometheus.yml for a stack. Docker stacks scrape static targets (the containers' network
 * aliases); kubernetes stacks discover app pods by annotation in the watched namespaces. Every job
 * attaches the `service` label the catalog's TARGET_LABELS promise.
 */
import type { AppConfig, StackConfig } from '../stacks/config/schema';
import { remoteWriteConfigs, type RemoteWriteConfig } from './remoteWrite';
import { K8S_APP_LABELS, PORTS, PROMETHEUS_REPLICA_ENV, SCRAPE_ANNOTATIONS, SERVICE_LABELS, alertmanagerHosts, appReplicaHosts, hostOf, nodeExporterNamespace, nodeExporterPort, prometheusIsReplicated, watchedNamespaces } from './topology';
import { UPTIME_JOB, probeTargets, probeTimeout } from './uptime';
import { generatedHeader, toYaml } from './yaml';

/** Where the rules directory is mounted in the Prometheus container. */
export const PROMETHEUS_RULES_DIR = '/etc/prometheus/rules';

interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}
export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: StaticConfig[];
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] }; selectors?: { role: string; label: string }[] }[];
  relabel_configs?: Record<string, unknown>[];
}

function staticJob(job: string, targets: string[], service: string, metricsPath?: string): ScrapeConfig {
  const cfg: ScrapeConfig = { job_name: job, static_configs: [{ targets, labels: { service } }] };
  if (metricsPath && metricsPath !== '/metrics') cfg.metrics_path = metricsPath;
  return cfg;
}

/**
 * One scrape job and the `service` label its targets carry: what the stack promises to scrape.
 * The target-absence alerts (alerts/targets.ts) are generated from this list.
 */
export interface ScrapedService {
  readonly job: string;
  readonly service: string;
  /** The stack-config key that makes this job exist, e.g. `apps[0]`, `exporters.redis`; none for Prometheus and Alertmanager. */
  readonly configKey?: string;
}

/** Scrape job of the kubernetes app pods (one job for all apps; `service` is the app name). */
export const KUBERNETES_APPS_JOB = 'apps';

/** Scrape job of one app on docker (one static job per app). */
export function dockerAppJob(app: AppConfig): string {
  return `app-${app.name}`;
}

/** The infrastructure jobs this stack runs, in scrape-config order. */
export function infrastructureServices(config: StackConfig): ScrapedService[] {
  const out: ScrapedService[] = [
    { job: 'prometheus', service: SERVICE_LABELS.prometheus },
    { job: 'alertmanager', service: SERVICE_LABELS.alertmanager },
  ];
  if (config.exporters.postgres.enabled) out.push({ job: 'postgres-exporter', service: SERVICE_LABELS.postgresExporter, configKey: 'exporters.postgres' });
  if (config.exporters.redis.enabled) out.push({ job: 'redis-exporter', service: SERVICE_LABELS.redisExporter, configKey: 'exporters.redis' });
  if (config.exporters.node.enabled) out.push({ job: 'node-exporter', service: SERVICE_LABELS.nodeExporter, configKey: 'exporters.node' });
  if (config.longTermStorage?.kind === 'thanos') {
    out.push({ job: 'thanos-receive', service: SERVICE_LABELS.thanosReceive, configKey: 'longTermStorage' });
    out.push({ job: 'thanos-query', service: SERVICE_LABELS.thanosQuery, configKey: 'longTermStorage' });
  }
  if (config.uptime.enabled) out.push({ job: 'blackbox-exporter', service: SERVICE_LABELS.blackboxExporter, configKey: 'uptime' });
  return out;
}

/** Every app of the stack with the job that scrapes it. */
export function appServices(config: StackConfig): ScrapedService[] {
  return config.apps.map((app, i) => ({
    job: config.target === 'docker' ? dockerAppJob(app) : KUBERNETES_APPS_JOB,
    service: app.name,
    configKey: `apps[${i}]`,
  }));
}

/** Host and port of the statically scraped infrastructure jobs. */
const STATIC_TARGETS: Readonly<Record<string, 'postgresExporter' | 'redisExporter' | 'nodeExporter' | 'blackboxExporter'>> = {
  'postgres-exporter': 'postgresExporter',
  'redis-exporter': 'redisExporter',
  'node-exporter': 'nodeExporter',
  'blackbox-exporter': 'blackboxExporter',
};

function infrastructureJobs(config: StackConfig): ScrapeConfig[] {
  return infrastructureServices(config).map(({ job, service }) => {
    if (job === 'prometheus') return staticJob(job, [`localhost:${PORTS.prometheus}`], service);
    // Every Alertmanager of a cluster is scraped: each reports its own peers and deliveries.
    if (job === 'alertmanager') return staticJob(job, alertmanagerHosts(config).map((h) => `${h}:${PORTS.alertmanager}`), service);
    if (job === 'thanos-receive') return staticJob(job, [`${hostOf(config, 'thanosReceive')}:${PORTS.thanosHttp}`], service);
    if (job === 'thanos-query') return staticJob(job, [`${hostOf(config, 'thanosQuery')}:${PORTS.thanosHttp}`], service);
    if (job === 'node-exporter' && config.target === 'kubernetes') {
      // One node_exporter pod per node (DaemonSet, in its own privileged namespace,
      // nodeExporterNamespace); instance becomes the node name. Only the configured port is kept:
      // a pod of another node_exporter on the same label cannot slip in.
      return {
        job_name: job,
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [nodeExporterNamespace(config)] }, selectors: [{ role: 'pod', label: `${K8S_APP_LABELS.name}=node-exporter` }] }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(nodeExporterPort(config)), action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
          { target_label: 'service', replacement: service },
        ],
      };
    }
    const key = STATIC_TARGETS[job];
    const port = key === 'nodeExporter' ? nodeExporterPort(config) : PORTS[key];
    return staticJob(job, [`${hostOf(config, key)}:${port}`], service);
  });
}

function label(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * Kubernetes: one job for every app pod that opts in with prometheus.io/* annotations, in the
 * stack's namespace and every watchNamespaces entry (a Role in each lets Prometheus list them).
 */
function kubernetesAppsJob(config: StackConfig): ScrapeConfig {
  const ann = (a: string) => `__meta_kubernetes_pod_annotation_${label(a)}`;
  return {
    job_name: KUBERNETES_APPS_JOB,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: watchedNamespaces(config) }, selectors: [{ role: 'pod', label: `${K8S_APP_LABELS.partOf}=${K8S_APP_LABELS.partOfValue}` }] }],
    relabel_configs: [
      { source_labels: [ann(SCRAPE_ANNOTATIONS.scrape)], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Running', action: 'keep' },
      { source_labels: [ann(SCRAPE_ANNOTATIONS.path)], regex: '(.+)', target_label: '__metrics_path__' },
      { source_labels: ['__address__', ann(SCRAPE_ANNOTATIONS.port)], regex: '([^:]+)(?::[0-9]+)?;([0-9]+)', replacement: '$1:$2', target_label: '__address__' },
      { source_labels: [`__meta_kubernetes_pod_label_${label(K8S_APP_LABELS.name)}`], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
    ],
  };
}

/**
 * The probes: one target per probed URL (generators/uptime.ts), scraped through blackbox_exporter's
 * /probe with the URL as `target` and `instance`, at uptime.interval. Each target carries its
 * `service` (the app or the URL's name) and its blackbox module as a `__param_` label.
 */
function uptimeJob(config: StackConfig): ScrapeConfig | undefined {
  const targets = probeTargets(config);
  if (targets.length === 0) return undefined;
  return {
    job_name: UPTIME_JOB,
    metrics_path: '/probe',
    scrape_interval: config.uptime.interval,
    scrape_timeout: probeTimeout(config),
    static_configs: targets.map((t) => ({ targets: [t.url], labels: { service: t.service, __param_module: t.module } })),
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: `${hostOf(config, 'blackboxExporter')}:${PORTS.blackboxExporter}` },
    ],
  };
}

export function buildScrapeConfigs(config: StackConfig): ScrapeConfig[] {
  const jobs = infrastructureJobs(config);
  const uptime = uptimeJob(config);
  if (config.target === 'docker') {
    for (const app of config.apps) {
      jobs.push(staticJob(dockerAppJob(app), appReplicaHosts(app).map((h) => `${h}:${app.port}`), app.name, app.metricsPath));
    }
  } else if (config.apps.length > 0 || config.watchNamespaces.length > 0) {
    jobs.push(kubernetesAppsJob(config));
  }
  if (uptime) jobs.push(uptime);
  return jobs;
}

export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string; external_labels: Record<string, string> };
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[]; alert_relabel_configs?: Record<string, unknown>[] };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
  remote_write?: RemoteWriteConfig[];
}

/**
 * The external labels of every Prometheus of the stack. Replicas add the replica label, whose
 * value Prometheus expands from the environment at start-up (`${PROMETHEUS_REPLICA}`: the pod name
 * on kubernetes, the container name on docker), so every replica reads the same file.
 */
export function externalLabels(config: StackConfig): Record<string, string> {
  const labels: Record<string, string> = { environment: config.environment, stack: config.stack };
  if (prometheusIsReplicated(config)) labels[config.prometheus.replicaLabel] = `\${${PROMETHEUS_REPLICA_ENV}}`;
  return labels;
}

export function buildPrometheusConfig(config: StackConfig): PrometheusConfig {
  const out: PrometheusConfig = {
    global: {
      scrape_interval: config.scrapeInterval,
      evaluation_interval: config.evaluationInterval,
      external_labels: externalLabels(config),
    },
    // Prometheus sends every alert to every Alertmanager; the cluster's gossip makes one of them notify.
    alerting: { alertmanagers: [{ static_configs: [{ targets: alertmanagerHosts(config).map((h) => `${h}:${PORTS.alertmanager}`) }] }] },
    rule_files: [`${PROMETHEUS_RULES_DIR}/*.yml`],
    scrape_configs: buildScrapeConfigs(config),
  };
  if (prometheusIsReplicated(config)) {
    // Without this every replica's alert would be a different alert to Alertmanager (the replica
    // label differs) and each would be notified once per replica.
    out.alerting.alert_relabel_configs = [{ action: 'labeldrop', regex: config.prometheus.replicaLabel }];
  }
  const remoteWrite = remoteWriteConfigs(config);
  if (remoteWrite.length > 0) out.remote_write = remoteWrite;
  return out;
}

export function renderPrometheusConfig(config: StackConfig): string {
  // Scrape jobs keep their order (readable diffs); keys inside are sorted by toYaml.
  return toYaml(buildPrometheusConfig(config), generatedHeader(config.stack, `Pulumi.${config.stack}.yaml`));
}
