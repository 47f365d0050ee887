/**
 * The HA stack the fault tests run: a docker stack config with the scale-out keys set, validated
 * like any stack file, and the prometheus.yml of each replica derived from the rendered one
 * (generators/prometheusConfig.ts). Kept as rendered: the external labels with the replica label
 * expanded from PROMETHEUS_REPLICA, the alert relabelling that drops it, the remote_write queue
 * settings. Changed for one machine: targets and URLs point at local processes, intervals are short.
 */
import { validateStackConfig } from '../../stacks/config/load';
import type { StackConfig } from '../../stacks/config/schema';
import { buildPrometheusConfig, type PrometheusConfig } from '../../generators/prometheusConfig';
import { toYaml } from '../../generators/yaml';

/** A valid docker stack with HA keys; `stack` becomes the stack external label. */
export function haStackConfig(stack: string, extra: Record<string, unknown>): StackConfig {
  return validateStackConfig(
    stack,
    { target: 'docker', environment: 'dev', exporters: { postgres: { enabled: false }, redis: { enabled: false }, node: { enabled: false } }, ...extra },
    {},
    'render',
  );
}

export interface ReplicaConfigOptions {
  readonly interval: string;
  readonly targets: readonly string[];
  /** Local remote-write URL of the engine (replaces every rendered one). */
  readonly remoteWriteUrl?: string;
  /** Local Alertmanager addresses (replace the rendered ones, in order). */
  readonly alertmanagers?: readonly string[];
  readonly ruleFiles?: readonly string[];
  /** The broken variant: the replica label removed from the external labels. */
  readonly dropReplicaLabel?: boolean;
}

/** The job the tests' demo targets are scraped under. */
export const HA_DEMO_JOB = 'ha-demo';

export function replicaPrometheusYaml(config: StackConfig, o: ReplicaConfigOptions): string {
  const rendered: PrometheusConfig = buildPrometheusConfig(config);
  const externalLabels = { ...rendered.global.external_labels };
  if (o.dropReplicaLabel) delete externalLabels[config.prometheus.replicaLabel];
  const out: Record<string, unknown> = {
    ...rendered,
    global: { ...rendered.global, scrape_interval: o.interval, evaluation_interval: o.interval, external_labels: externalLabels },
    rule_files: [...(o.ruleFiles ?? [])],
    scrape_configs: [{ job_name: HA_DEMO_JOB, static_configs: [{ targets: [...o.targets], labels: { service: HA_DEMO_JOB } }] }],
  };
  if (o.alertmanagers) {
    const rendered_ = rendered.alerting.alertmanagers[0].static_configs[0].targets;
    if (rendered_.length !== o.alertmanagers.length) throw new Error(`the rendered config sends to ${rendered_.length} Alertmanagers, the test runs ${o.alertmanagers.length}`);
    out.alerting = { ...rendered.alerting, alertmanagers: [{ static_configs: [{ targets: [...o.alertmanagers] }] }] };
  } else {
    delete out.alerting;
  }
  if (rendered.remote_write) {
    if (o.remoteWriteUrl === undefined) throw new Error('the rendered config remote-writes; give the local engine URL');
    out.remote_write = rendered.remote_write.map((w) => ({ ...w, url: o.remoteWriteUrl }));
  }
  return toYaml(out, 'Derived by live/ha/haConfig.ts from the rendered prometheus.yml for the HA fault tests.');
}
