/**
 * Checks that need the whole, defaulted config (several keys at once, the target, the services'
 * names). parseStackConfig runs them, so render, CI and `pulumi up` refuse exactly the same
 * configs; nothing is checked only inside the Pulumi components.
 */
import { durationSeconds } from '../../catalog/duration';
import { ObservatoryError } from '../../catalog/errors';
import { SERVICE_LABELS, SERVICE_NAMES, appReplicaHosts, nodeExporterNamespace, replicaName } from '../../generators/topology';
import { cpuMillicores, memoryBytes, memoryMiB } from '../quantity';
import { INFRA_RESOURCES, type Resources } from '../resources';
import { checkGrafanaAccess } from './grafanaAccess';
import { checkPlaceholders } from './placeholders';
import { RETENTION_SIZE_MAX_SHARE, prometheusBytes } from './retention';
import type { StackConfig } from './schema';

export function checkStackConfig(config: StackConfig): void {
  const fail = (key: string, problem: string): never => {
    throw new ObservatoryError(`stack ${config.stack}: observatory:${key}`, problem);
  };
  checkAppNames(config, fail);
  config.apps.forEach((app, i) => checkRequestsWithinLimits(app.resources, `apps[${i}].resources`, fail));
  checkRetention(config, fail);
  checkWatchNamespaces(config, fail);
  checkNodeExporterNamespace(config, fail);
  checkGrafanaAccess(config, fail);
  if (config.target === 'docker') checkDocker(config, fail);
  if (config.environment === 'prod') checkPlaceholders(config, fail);
}

export type Fail = (key: string, problem: string) => never;

const EXPORTER_NAMES: Readonly<Record<string, string>> = { postgresExporter: 'PostgreSQL exporter', redisExporter: 'Redis exporter', nodeExporter: 'node exporter', blackboxExporter: 'blackbox exporter' };

function checkAppNames(config: StackConfig, fail: Fail): void {
  const services = new Set<string>(Object.values(SERVICE_NAMES));
  // Exporter and self-monitoring series carry these `service` labels; an app of the same name
  // would share them and mask (or fake) their alerts.
  const labels = new Map<string, string>(Object.entries(SERVICE_LABELS).map(([job, label]) => [label, EXPORTER_NAMES[job] ?? job]));
  config.apps.forEach((app, i) => {
    if (services.has(app.name)) fail(`apps[${i}].name`, `"${app.name}" is the name of a monitoring service; pick another name`);
    const job = labels.get(app.name);
    if (job !== undefined) fail(`apps[${i}].name`, `"${app.name}" is the service label of the ${job} metrics; an app named so would mask their alerts; pick another name`);
  });
  // A probed URL's name is the `service` label of its probe series, like an app's.
  config.uptime.urls.forEach((u, i) => {
    const job = labels.get(u.name) ?? (services.has(u.name) ? u.name : undefined);
    if (job !== undefined) fail(`uptime.urls[${i}].name`, `"${u.name}" is the service label of the ${job} metrics; pick another name`);
  });
}

function checkRequestsWithinLimits(r: Resources, at: string, fail: Fail): void {
  const cpu = (q: string) => cpuMillicores(q, `${at}.cpu`);
  const mem = (q: string) => memoryBytes(q, `${at}.memory`);
  if (cpu(r.limits.cpu) <= 0) fail(`${at}.limits.cpu`, `(${r.limits.cpu}) must be more than zero`);
  if (mem(r.limits.memory) <= 0) fail(`${at}.limits.memory`, `(${r.limits.memory}) must be more than zero`);
  if (cpu(r.requests.cpu) > cpu(r.limits.cpu)) fail(`${at}.requests.cpu`, `(${r.requests.cpu}) must be <= limits.cpu (${r.limits.cpu})`);
  if (mem(r.requests.memory) > mem(r.limits.memory)) fail(`${at}.requests.memory`, `(${r.requests.memory}) must be <= limits.memory (${r.limits.memory})`);
}

function checkRetention(config: StackConfig, fail: Fail): void {
  const { time, size } = config.retention;
  if (durationSeconds(time) === 0) fail('retention.time', `(${time}) must be longer than zero; Prometheus would keep no data`);
  if (prometheusBytes(size) === 0) fail('retention.size', `(${size}) must be more than zero`);
  if (config.target === 'kubernetes') {
    const volume = memoryBytes(config.storage.prometheus, 'storage.prometheus');
    if (prometheusBytes(size) > volume * RETENTION_SIZE_MAX_SHARE) {
      fail('retention.size', `(${size}) must be at most ${RETENTION_SIZE_MAX_SHARE * 100}% of storage.prometheus (${config.storage.prometheus}); a compaction writes its new block before deleting the old ones and needs the rest (Prometheus sizes are base 2: 1GB = 1Gi; leave retention.size unset for 80%)`);
    }
  }
}

function checkWatchNamespaces(config: StackConfig, fail: Fail): void {
  if (config.watchNamespaces.length > 0 && config.target !== 'kubernetes') fail('watchNamespaces', 'is for kubernetes stacks; on docker Prometheus scrapes the apps of the stack config only');
  const seen = new Set<string>([config.namespace]);
  config.watchNamespaces.forEach((ns, i) => {
    if (ns === config.namespace) fail(`watchNamespaces[${i}]`, `"${ns}" is the stack's own namespace, which is always watched; remove it`);
    if (seen.has(ns)) fail(`watchNamespaces[${i}]`, `"${ns}" is listed twice`);
    seen.add(ns);
  });
}

/**
 * node_exporter's namespace: created by the stack with Pod Security `privileged`, so never the
 * stack's own (which enforces `restricted`) nor a watched one (which the stack does not own). The
 * default, `<namespace>-node-exporter`, is a DNS label of at most 54 characters (Kubernetes: 63).
 */
function checkNodeExporterNamespace(config: StackConfig, fail: Fail): void {
  const explicit = config.exporters.node.namespace;
  if (explicit !== undefined && config.target !== 'kubernetes') fail('exporters.node.namespace', 'is for kubernetes stacks; on docker node_exporter is a container of the stack');
  if (config.target !== 'kubernetes' || !config.exporters.node.enabled) return;
  const ns = nodeExporterNamespace(config);
  if (ns === config.namespace) fail('exporters.node.namespace', `"${ns}" is the stack's own namespace, which enforces Pod Security "restricted" and cannot run node_exporter (host network, PID and paths); name another namespace or leave it unset for "${config.namespace}-node-exporter"`);
  const i = config.watchNamespaces.indexOf(ns);
  if (i >= 0) {
    const which = explicit !== undefined ? 'exporters.node.namespace' : "the node exporter's namespace (exporters.node.namespace, default <namespace>-node-exporter)";
    fail(`watchNamespaces[${i}]`, `"${ns}" is ${which}, which the stack creates with Pod Security "privileged" for node_exporter alone; watch another namespace or set exporters.node.namespace`);
  }
}

function checkDocker(config: StackConfig, fail: Fail): void {
  // Network aliases share one DNS namespace: services, apps and app replicas.
  const owner = new Map<string, string>(Object.values(SERVICE_NAMES).map((s) => [s, `service ${s}`]));
  // Replica containers (prometheus.replicas, alertmanager.replicas) are aliases too.
  for (const [service, n] of [['prometheus', config.prometheus.replicas], ['alertmanager', config.alertmanager.replicas]] as const) {
    if (n > 1) for (let i = 0; i < n; i++) owner.set(replicaName(service, i), `service ${service} (replica ${i})`);
  }
  config.apps.forEach((app, i) => {
    for (const host of [app.name, ...appReplicaHosts(app)]) {
      const other = owner.get(host);
      if (other !== undefined && other !== `apps[${i}]`) fail(`apps[${i}].name`, `docker network alias "${host}" is also used by ${other}`);
      owner.set(host, `apps[${i}]`);
    }
  });
  const seen = new Map<number, string>();
  for (const [key, port] of Object.entries(config.docker.ports)) {
    const other = seen.get(port);
    if (other !== undefined) fail(`docker.ports.${key}`, `(${port}) is also used by docker.ports.${other}`);
    seen.set(port, key);
  }
  // Docker refuses memory limits below its minimum; memoryMiB names the key.
  config.apps.forEach((app, i) => {
    const at = `stack ${config.stack}: observatory:apps[${i}].resources`;
    memoryMiB(app.resources.limits.memory, `${at}.limits.memory`);
    memoryMiB(app.resources.requests.memory, `${at}.requests.memory`);
  });
  for (const [service, r] of Object.entries(INFRA_RESOURCES[config.environment])) {
    memoryMiB(r.limits.memory, `stacks/resources.ts INFRA_RESOURCES.${config.environment}.${service}.limits.memory`);
  }
}
