/**
 * The synthetic data set the query and rule benchmarks run on, planned from the catalog and the
 * stack's scrape configuration: every catalog metric gets series with the target labels its job
 * attaches (job, instance, service) and plausible values for its own labels. Application metrics
 * are spread over `pods` pods of the stack's apps. Pure: planning only; bench/backfill.ts writes it.
 */
import type { Catalog } from '../catalog';
import { ObservatoryError } from '../catalog/errors';
import type { MetricSource, MetricSpec } from '../catalog/types';
import { buildScrapeConfigs } from '../generators/prometheusConfig';
import { SERVICE_LABELS } from '../generators/topology';
import { UPTIME_JOB } from '../generators/uptime';
import type { StackConfig } from '../stacks/config/schema';
import type { LabelPairs } from './openmetrics';

export interface DatasetScale {
  /** Route templates per service. Default 20. */
  readonly routes: number;
  /** HTTP methods per route. Default 4 (GET, POST, PUT, DELETE). */
  readonly methods: number;
  /** Status codes per route and method on http_requests_total. Default 5. */
  readonly statuses: number;
  /**
   * Status codes on the HTTP latency histogram. Default 1 (see docs/benchmarks.md: 16 series per
   * label set make the full 5 cost 5x the backfill time, which the 10-minute budget cannot take).
   */
  readonly histogramStatuses: number;
  /** Application pods in total, spread round-robin over the stack's apps. Default 6. */
  readonly pods: number;
  /** Hours of history, ending now. Default 24. */
  readonly hours: number;
}

export const DEFAULT_SCALE: DatasetScale = { routes: 20, methods: 4, statuses: 5, histogramStatuses: 1, pods: 6, hours: 24 };

export interface Target {
  readonly job: string;
  readonly instance: string;
  readonly service: string;
}

/** One label set of one metric: a single series, or a histogram's buckets + _sum + _count. */
export interface SeriesUnit {
  readonly metric: MetricSpec;
  readonly labels: LabelPairs;
  /** Series this unit expands to (buckets + +Inf + sum + count for histograms). */
  readonly seriesCount: number;
}

export interface DatasetPlan {
  readonly units: readonly SeriesUnit[];
  readonly targets: Readonly<Record<MetricSource, readonly Target[]>>;
  readonly seriesCount: number;
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const STATUS_ORDER = ['200', '201', '404', '429', '500', '503', '400', '401', '403', '502'];
const RESOURCES = ['items', 'orders', 'users', 'carts', 'payments', 'search', 'reviews', 'inventory', 'shipping', 'sessions', 'products', 'coupons', 'invoices', 'addresses', 'wishlists'];

/** Values of unbounded labels (bounded ones use their catalog values). */
const POOLS: Record<string, readonly string[]> = {
  table: ['orders', 'items', 'users'],
  operation: ['get', 'set', 'del', 'incr'],
  cache: ['feed', 'profile', 'session'],
  cmd: ['get', 'set', 'del', 'incr', 'expire', 'hget', 'hset', 'lpush', 'rpop', 'ping'],
  server: ['postgres:5432'],
  db: ['db0'],
  cpu: ['0', '1'],
  integration: ['email', 'pagerduty', 'slack', 'webhook'],
};
/** Labels whose values belong together (one row per series, not a cross product). */
const ZIPPED: readonly Readonly<Record<string, readonly string[]>>[] = [
  { datname: ['shop', 'checkout', 'postgres'], datid: ['16384', '16385', '5'] },
  { device: ['/dev/vda1', '/dev/vdb'], fstype: ['ext4', 'xfs'], mountpoint: ['/', '/var/lib/data'] },
];
/** Series Prometheus writes for every scrape target, whatever the job. */
const PER_TARGET = (m: MetricSpec) => m.source === 'prometheus' && (m.name === 'up' || m.name.startsWith('scrape_'));

export function routeTemplates(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const r = RESOURCES[Math.floor(i / 2) % RESOURCES.length];
    const suffix = Math.floor(i / (2 * RESOURCES.length));
    const base = `/api/v1/${r}${suffix ? suffix + 1 : ''}`;
    out.push(i % 2 === 0 ? base : `${base}/:id`);
  }
  return out;
}

function sourceOfService(service: string): MetricSource | undefined {
  const bySource: Record<string, MetricSource> = {
    [SERVICE_LABELS.prometheus]: 'prometheus',
    [SERVICE_LABELS.alertmanager]: 'alertmanager',
    [SERVICE_LABELS.postgresExporter]: 'postgres_exporter',
    [SERVICE_LABELS.redisExporter]: 'redis_exporter',
    [SERVICE_LABELS.nodeExporter]: 'node_exporter',
  };
  return bySource[service];
}

/**
 * Scrape targets per metric source, as the stack's prometheus.yml would produce them. Jobs found by
 * service discovery (kubernetes) get synthetic pod and node names.
 */
export function planTargets(config: StackConfig, scale: DatasetScale): Record<MetricSource, Target[]> {
  if (config.apps.length === 0) throw new ObservatoryError(`stack ${config.stack}: observatory:apps`, 'the benchmark needs at least one app to generate application metrics for');
  const out: Record<MetricSource, Target[]> = { application: [], postgres_exporter: [], redis_exporter: [], node_exporter: [], prometheus: [], alertmanager: [], blackbox_exporter: [] };
  for (const job of buildScrapeConfigs(config)) {
    if (job.static_configs) {
      for (const sc of job.static_configs) {
        // The probes' targets carry the probed app's or URL's service; their series come from blackbox_exporter.
        const source = job.job_name === UPTIME_JOB ? 'blackbox_exporter' : sourceOfService(sc.labels.service);
        if (!source) continue; // docker app jobs: pods are planned below, independent of replicas
        for (const t of sc.targets) out[source].push({ job: job.job_name, instance: t, service: sc.labels.service });
      }
    } else {
      const fixedService = job.relabel_configs?.find((r) => r.target_label === 'service' && typeof r.replacement === 'string')?.replacement as string | undefined;
      const source = fixedService ? sourceOfService(fixedService) : undefined;
      if (source === 'node_exporter') {
        for (let i = 0; i < 3; i++) out.node_exporter.push({ job: job.job_name, instance: `node-${String.fromCharCode(97 + i)}`, service: fixedService! });
      }
    }
  }
  const appJob = (name: string) => buildScrapeConfigs(config).find((j) => j.job_name === `app-${name}` || j.job_name === 'apps')?.job_name ?? 'apps';
  for (let p = 0; p < scale.pods; p++) {
    const app = config.apps[p % config.apps.length];
    const index = Math.floor(p / config.apps.length);
    const instance = config.target === 'kubernetes' ? `${app.name}-6d8f9c7b5-${(index + 10).toString(36)}x${p}` : `${app.name}-${index}:${app.port}`;
    out.application.push({ job: appJob(app.name), instance, service: app.name });
  }
  return out;
}

function first<T>(values: readonly T[], n: number, what: string): T[] {
  if (n < 1 || n > values.length) throw new ObservatoryError(`bench scale ${what}`, `must be between 1 and ${values.length} (got ${n})`);
  return values.slice(0, n);
}

/** Rows of label values for a metric's own labels (target labels excluded). */
function labelRows(metric: MetricSpec, scale: DatasetScale, ruleGroups: readonly string[]): Record<string, string>[] {
  let rows: Record<string, string>[] = [{}];
  const done = new Set<string>();
  const labels = Object.keys(metric.labels).sort();
  for (const group of ZIPPED) {
    const keys = Object.keys(group).filter((k) => labels.includes(k));
    if (keys.length === 0) continue;
    const n = Math.max(...keys.map((k) => group[k].length));
    rows = rows.flatMap((r) => Array.from({ length: n }, (_, i) => ({ ...r, ...Object.fromEntries(keys.map((k) => [k, group[k][i % group[k].length]])) })));
    keys.forEach((k) => done.add(k));
  }
  for (const label of labels) {
    if (done.has(label)) continue;
    let values: readonly string[];
    const bounded = metric.labels[label].values;
    if (label === 'route') values = routeTemplates(scale.routes);
    else if (label === 'method') values = first(METHOD_ORDER.filter((m) => !bounded || bounded.includes(m)), scale.methods, 'methods');
    else if (label === 'status') values = first(STATUS_ORDER, metric.type === 'histogram' ? scale.histogramStatuses : scale.statuses, metric.type === 'histogram' ? 'histogramStatuses' : 'statuses');
    else if (label === 'rule_group') values = ruleGroups.length > 0 ? ruleGroups : ['observatory.rules;observatory'];
    else if (bounded) values = bounded;
    else values = POOLS[label] ?? [`${label}-0`];
    rows = rows.flatMap((r) => values.map((v) => ({ ...r, [label]: v })));
  }
  return rows;
}

function targetsFor(metric: MetricSpec, targets: Record<MetricSource, Target[]>): Target[] {
  if (PER_TARGET(metric)) return Object.values(targets).flat();
  return targets[metric.source];
}

/**
 * Every series of the data set. `ruleGroups` are the `rule_group` label values
 * (`file;group`) the self-monitoring series carry.
 */
export function planDataset(config: StackConfig, catalog: Catalog, scale: DatasetScale = DEFAULT_SCALE, ruleGroups: readonly string[] = []): DatasetPlan {
  const targets = planTargets(config, scale);
  const units: SeriesUnit[] = [];
  let seriesCount = 0;
  for (const metric of catalog.metrics) {
    const perUnit = metric.type === 'histogram' ? (metric.buckets?.length ?? 0) + 3 : 1;
    const rows = labelRows(metric, scale, ruleGroups);
    for (const t of targetsFor(metric, targets)) {
      for (const row of rows) {
        const labels: [string, string][] = [['job', t.job], ['instance', t.instance], ['service', t.service], ...Object.entries(row)];
        units.push({ metric, labels, seriesCount: perUnit });
        seriesCount += perUnit;
      }
    }
  }
  return { units, targets, seriesCount };
}
