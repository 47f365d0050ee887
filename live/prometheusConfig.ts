/**
 * Derives the live stack's prometheus.yml from the rendered one. Only what must differ on one
 * machine changes: every target address is rewritten to the local port of the process playing
 * it, rules are read from the run directory, and the intervals are short so the run is fast.
 * Jobs, their order, `service` labels, metrics paths and external labels stay as rendered, so the
 * rules and dashboards see the label sets a deployed stack produces.
 */
import * as yaml from 'js-yaml';
import { ObservatoryError } from '../catalog/errors';
import { durationSeconds, isDuration } from '../catalog/duration';
import { toYaml } from '../generators/yaml';

export interface DeriveOptions {
  /** Rendered address (e.g. `redis-exporter:9121`) -> local address (`127.0.0.1:40123`). */
  readonly addresses: Readonly<Record<string, string>>;
  /** Scrape and evaluation interval, e.g. 2s. */
  readonly interval: string;
  /** Rule file glob, e.g. /tmp/run/rules/*.yml. */
  readonly ruleFiles: string;
}

type Mapping = Record<string, unknown>;

function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mapAddress(where: string, address: unknown, addresses: Readonly<Record<string, string>>): string {
  if (typeof address !== 'string') throw new ObservatoryError(where, `target ${JSON.stringify(address)} is not a host:port string`);
  const local = addresses[address];
  if (local === undefined) {
    throw new ObservatoryError(where, `no local process plays target "${address}" (the live stack runs: ${Object.keys(addresses).sort().join(', ')})`);
  }
  return local;
}

/** A target that is a URL (the uptime job's probes): its host:port is rewritten, scheme and path stay. */
function mapTarget(where: string, target: unknown, addresses: Readonly<Record<string, string>>): string {
  const url = typeof target === 'string' ? /^(https?:\/\/)([^/]+)(.*)$/.exec(target) : null;
  if (!url) return mapAddress(where, target, addresses);
  return `${url[1]}${mapAddress(where, url[2], addresses)}${url[3]}`;
}

function rewriteStaticConfigs(where: string, value: unknown, addresses: Readonly<Record<string, string>>): Mapping[] {
  if (!Array.isArray(value)) throw new ObservatoryError(where, 'static_configs must be a list');
  return value.map((sc, i) => {
    if (!isMapping(sc) || !Array.isArray(sc.targets)) throw new ObservatoryError(`${where}.static_configs[${i}]`, 'must have a targets list');
    return { ...sc, targets: sc.targets.map((t) => mapTarget(`${where}.static_configs[${i}]`, t, addresses)) };
  });
}

/** Relabelling that sets `__address__` to a fixed host:port (the probes' blackbox_exporter) points at the local one. */
function rewriteRelabels(where: string, value: unknown, addresses: Readonly<Record<string, string>>): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((r) => (isMapping(r) && r.target_label === '__address__' && typeof r.replacement === 'string' && !r.source_labels ? { ...r, replacement: mapAddress(`${where} relabel_configs`, r.replacement, addresses) } : r));
}

/** The rendered prometheus.yml text -> the live stack's prometheus.yml text. */
export function deriveLivePrometheusConfig(rendered: string, options: DeriveOptions): string {
  if (!isDuration(options.interval)) throw new ObservatoryError('interval', `"${options.interval}" is not a Prometheus duration`);
  const doc = yaml.load(rendered);
  if (!isMapping(doc) || !Array.isArray(doc.scrape_configs)) throw new ObservatoryError('prometheus.yml', 'has no scrape_configs list');
  const global = isMapping(doc.global) ? doc.global : {};
  const jobs = doc.scrape_configs.map((job, i) => {
    if (!isMapping(job) || typeof job.job_name !== 'string') throw new ObservatoryError(`prometheus.yml scrape_configs[${i}]`, 'has no job_name');
    return job as Mapping & { job_name: string };
  });
  // Service discovery first: it is the real reason such a config cannot run here.
  for (const job of jobs) {
    const sd = Object.keys(job).find((k) => k.endsWith('_sd_configs'));
    if (sd) throw new ObservatoryError(`prometheus.yml job ${job.job_name}`, `uses ${sd}; the live stack has only static targets, so render a stack with target: docker`);
  }
  const scrapeConfigs = jobs.map((job) => {
    const where = `prometheus.yml job ${job.job_name}`;
    if (job.static_configs === undefined) throw new ObservatoryError(where, 'has no static_configs');
    const out: Mapping = { ...job, static_configs: rewriteStaticConfigs(where, job.static_configs, options.addresses) };
    if (job.relabel_configs !== undefined) out.relabel_configs = rewriteRelabels(where, job.relabel_configs, options.addresses);
    if (out.scrape_interval !== undefined) out.scrape_interval = options.interval;
    // A scrape timeout never exceeds the interval it is shortened to.
    if (typeof out.scrape_timeout === 'string' && isDuration(out.scrape_timeout) && durationSeconds(out.scrape_timeout) > durationSeconds(options.interval)) out.scrape_timeout = options.interval;
    return out;
  });
  const alerting = isMapping(doc.alerting) && Array.isArray(doc.alerting.alertmanagers) ? doc.alerting : undefined;
  const out: Mapping = {
    ...doc,
    global: { ...global, scrape_interval: options.interval, evaluation_interval: options.interval },
    rule_files: [options.ruleFiles],
    scrape_configs: scrapeConfigs,
  };
  if (alerting) {
    out.alerting = {
      ...alerting,
      alertmanagers: (alerting.alertmanagers as unknown[]).map((am, i) => {
        const where = `prometheus.yml alerting.alertmanagers[${i}]`;
        if (!isMapping(am)) throw new ObservatoryError(where, 'must be a mapping');
        return { ...am, static_configs: rewriteStaticConfigs(where, am.static_configs, options.addresses) };
      }),
    };
  }
  return toYaml(out, 'Derived by live/prometheusConfig.ts from the rendered prometheus.yml for the live stack.');
}
