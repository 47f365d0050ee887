/**
 * What the stack probes for uptime, and the blackbox_exporter configuration that probes it: every
 * app's healthPath through the app's in-stack address (the docker alias or kubernetes Service, so
 * a probe sees what a client sees, not one replica) and every URL of `uptime.urls`, each with the
 * status a healthy answer has. Pure; prometheusConfig.ts turns the targets into the `uptime` job.
 */
import { durationSeconds } from '../catalog/duration';
import type { AppConfig, StackConfig } from '../stacks/config/schema';
import { generatedHeader, toYaml } from './yaml';

/** Where blackbox.yml is mounted in the blackbox_exporter container. */
export const BLACKBOX_CONFIG_DIR = '/etc/blackbox_exporter/config';
export const BLACKBOX_CONFIG_FILE = `${BLACKBOX_CONFIG_DIR}/blackbox.yml`;
/** The artifact the blackbox_exporter component ships. */
export const BLACKBOX_ARTIFACT = 'blackbox/blackbox.yml';
/** Scrape job of the probes (one target per probed URL; `instance` is the URL). */
export const UPTIME_JOB = 'uptime';
/** Module of the apps' health paths: any 2xx answer is healthy. */
export const APP_HEALTH_MODULE = 'http_2xx';
/** Longest a probe may take; Prometheus's default scrape timeout. */
const MAX_PROBE_TIMEOUT_SECONDS = 10;

export interface ProbeTarget {
  /** The `service` label of the probe's series: the app name or the URL's configured name. */
  readonly service: string;
  readonly url: string;
  /** blackbox module the probe uses. */
  readonly module: string;
  /** The stack-config key that makes this probe exist. */
  readonly configKey: string;
}

interface HttpModule {
  prober: 'http';
  timeout: string;
  http: {
    preferred_ip_protocol: 'ip4';
    valid_status_codes?: number[];
    follow_redirects?: boolean;
    tls_config?: { insecure_skip_verify: boolean };
  };
}

/** The in-stack address of an app: its docker network alias (every replica answers to it) or its kubernetes Service. */
export function appHost(config: StackConfig, app: AppConfig): string {
  return config.target === 'docker' ? app.name : `${app.name}.${config.namespace}.svc`;
}

function urlModule(expectedStatus: number, insecureSkipVerify: boolean): string {
  return `http_${expectedStatus}${insecureSkipVerify ? '_insecure' : ''}`;
}

export function probeTargets(config: StackConfig): ProbeTarget[] {
  if (!config.uptime.enabled) return [];
  return [
    ...config.apps.map((app, i) => ({
      service: app.name,
      url: `http://${appHost(config, app)}:${app.port}${app.healthPath}`,
      module: APP_HEALTH_MODULE,
      configKey: `apps[${i}].healthPath`,
    })),
    ...config.uptime.urls.map((u, i) => ({ service: u.name, url: u.url, module: urlModule(u.expectedStatus, u.insecureSkipVerify), configKey: `uptime.urls[${i}]` })),
  ];
}

/** The probe timeout (also the uptime job's scrape_timeout): the interval, at most 10 s. */
export function probeTimeout(config: StackConfig): string {
  return `${Math.min(durationSeconds(config.uptime.interval), MAX_PROBE_TIMEOUT_SECONDS)}s`;
}

export function buildBlackboxConfig(config: StackConfig): { modules: Record<string, HttpModule> } {
  const timeout = probeTimeout(config);
  const modules: Record<string, HttpModule> = {
    // preferred_ip_protocol ip4: blackbox prefers IPv6 by default, which clusters often lack.
    [APP_HEALTH_MODULE]: { prober: 'http', timeout, http: { preferred_ip_protocol: 'ip4' } },
  };
  for (const u of config.uptime.urls) {
    const http: HttpModule['http'] = { preferred_ip_protocol: 'ip4', valid_status_codes: [u.expectedStatus] };
    // Expecting a redirect means checking the redirect itself, not where it leads.
    if (u.expectedStatus >= 300 && u.expectedStatus < 400) http.follow_redirects = false;
    if (u.insecureSkipVerify) http.tls_config = { insecure_skip_verify: true };
    modules[urlModule(u.expectedStatus, u.insecureSkipVerify)] = { prober: 'http', timeout, http };
  }
  return { modules };
}

export function renderBlackboxConfig(config: StackConfig): string {
  return toYaml(buildBlackboxConfig(config), generatedHeader(config.stack, `Pulumi.${config.stack}.yaml (apps, uptime)`));
}
