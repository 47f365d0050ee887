/**
 * prometheus.yml for a stack. Docker stacks scrape static targets (the containers' network
 * aliases); kubernetes stacks discover app pods by annotation in the stack's namespace. Every job
 * attaches the `service` label the catalog's TARGET_LABELS promise.
 */
import type { StackConfig } from '../stacks/config/schema';
import { K8S_APP_LABELS, PORTS, SCRAPE_ANNOTATIONS, SERVICE_LABELS, appReplicaHosts, hostOf } from './topology';
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
  static_configs?: StaticConfig[];
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] }; selectors?: { role: string; label: string }[] }[];
  relabel_configs?: Record<string, unknown>[];
}

function staticJob(job: string, targets: string[], service: string, metricsPath?: string): ScrapeConfig {
  const cfg: ScrapeConfig = { job_name: job, static_configs: [{ targets, labels: { service } }] };
  if (metricsPath && metricsPath !== '/metrics') cfg.metrics_path = metricsPath;
  return cfg;
}

function infrastructureJobs(config: StackConfig): ScrapeConfig[] {
  const jobs: ScrapeConfig[] = [
    staticJob('prometheus', [`localhost:${PORTS.prometheus}`], SERVICE_LABELS.prometheus),
    staticJob('alertmanager', [`${hostOf(config, 'alertmanager')}:${PORTS.alertmanager}`], SERVICE_LABELS.alertmanager),
  ];
  if (config.exporters.postgres.enabled) {
    jobs.push(staticJob('postgres-exporter', [`${hostOf(config, 'postgresExporter')}:${PORTS.postgresExporter}`], SERVICE_LABELS.postgresExporter));
  }
  if (config.exporters.redis.enabled) {
    jobs.push(staticJob('redis-exporter', [`${hostOf(config, 'redisExporter')}:${PORTS.redisExporter}`], SERVICE_LABELS.redisExporter));
  }
  if (config.exporters.node.enabled) {
    if (config.target === 'docker') {
      jobs.push(staticJob('node-exporter', [`${hostOf(config, 'nodeExporter')}:${PORTS.nodeExporter}`], SERVICE_LABELS.nodeExporter));
    } else {
      // One node_exporter pod per node (DaemonSet); instance becomes the node name.
      jobs.push({
        job_name: 'node-exporter',
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [config.namespace] }, selectors: [{ role: 'pod', label: `${K8S_APP_LABELS.name}=node-exporter` }] }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(PORTS.nodeExporter), action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
          { target_label: 'service', replacement: SERVICE_LABELS.nodeExporter },
        ],
      });
    }
  }
  return jobs;
}

function label(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Kubernetes: one job for every app pod that opts in with prometheus.io/* annotations. */
function kubernetesAppsJob(config: StackConfig): ScrapeConfig {
  const ann = (a: string) => `__meta_kubernetes_pod_annotation_${label(a)}`;
  return {
    job_name: 'apps',
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [config.namespace] }, selectors: [{ role: 'pod', label: `${K8S_APP_LABELS.partOf}=${K8S_APP_LABELS.partOfValue}` }] }],
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

export function buildScrapeConfigs(config: StackConfig): ScrapeConfig[] {
  const jobs = infrastructureJobs(config);
  if (config.target === 'docker') {
    for (const app of config.apps) {
      jobs.push(staticJob(`app-${app.name}`, appReplicaHosts(app).map((h) => `${h}:${app.port}`), app.name, app.metricsPath));
    }
  } else if (config.apps.length > 0) {
    jobs.push(kubernetesAppsJob(config));
  }
  return jobs;
}

export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string; external_labels: Record<string, string> };
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

export function buildPrometheusConfig(config: StackConfig): PrometheusConfig {
  return {
    global: {
      scrape_interval: config.scrapeInterval,
      evaluation_interval: config.evaluationInterval,
      external_labels: { environment: config.environment, stack: config.stack },
    },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`${hostOf(config, 'alertmanager')}:${PORTS.alertmanager}`] }] }] },
    rule_files: [`${PROMETHEUS_RULES_DIR}/*.yml`],
    scrape_configs: buildScrapeConfigs(config),
  };
}

export function renderPrometheusConfig(config: StackConfig): string {
  // Scrape jobs keep their order (readable diffs); keys inside are sorted by toYaml.
  return toYaml(buildPrometheusConfig(config), generatedHeader(config.stack, `Pulumi.${config.stack}.yaml`));
}
