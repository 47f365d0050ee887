/**
 * Target-absence alerts: one per configured app and per exporter job, firing when Prometheus has
 * no `up` series for it at all. TargetDown and ServiceDown need `up` series (value 0); pods that
 * are all Pending or evicted, a Deployment scaled to 0, or a pod that lost its scrape annotation
 * leave none, and every alert on the service's metrics (latency, 5xx, SLO burn) falls silent with
 * the metrics. The stack config knows which apps and exporters exist (generators/
 * prometheusConfig.ts, the same list the scrape configs are written from), so each of them gets a
 * promise that its targets are there.
 */
import { ObservatoryError } from '../catalog/errors';
import { absent, series } from '../catalog/query';
import * as self from '../catalog/selfMonitoring';
import { K8S_APP_LABELS, SCRAPE_ANNOTATIONS, nodeExporterNamespace, nodeExporterPort } from '../generators/topology';
import { appServices, infrastructureServices, type ScrapedService } from '../generators/prometheusConfig';
import type { StackConfig } from '../stacks/config/schema';
import { input, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type RunbookText } from './types';

const up = series(self.up);

/** How long no target may exist before the alert fires: longer than a Prometheus restart's first scrape, shorter than an outage worth paging. */
export const ABSENT_FOR = '5m';

/** `shop-api` -> `ShopApi`. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

export function targetsMissingAlertName(s: ScrapedService, kind: 'app' | 'job'): string {
  return `${pascal(kind === 'app' ? s.service : s.job)}TargetsMissing`;
}

function appRunbook(config: StackConfig, s: ScrapedService): RunbookText {
  if (config.target === 'docker') {
    return {
      meaning: `Prometheus has no scrape target for app ${s.service} (job ${s.job}) at all. On docker the targets are static, so the scrape job itself is gone from the running prometheus.yml: every alert on ${s.service}'s metrics is blind.`,
      causes: ['A prometheus.yml that was edited by hand or is older than the stack config (the app was added after Prometheus last reloaded).', 'Prometheus failed to reload its configuration (see PrometheusConfigReloadFailed).'],
      checks: [`Open Prometheus Status > Targets and look for job ${s.job}.`, 'Compare the deployed prometheus.yml with generated/<stack>/prometheus/prometheus.yml (`npm run render -- --check`).'],
      fixes: ['Deploy the rendered configuration again with `pulumi up`; never edit it in place.'],
    };
  }
  return {
    meaning: `Prometheus has no scrape target for app ${s.service} at all: no pod of it is discovered as Running with the scrape annotation. Either the app is not running (users cannot reach it) or it runs unobserved; in both cases its latency, error and SLO alerts cannot fire.`,
    causes: [
      'Every pod is Pending (insufficient CPU or memory on the nodes, an unschedulable node selector, a PersistentVolume that does not bind) or failing to pull its image.',
      'The Deployment was scaled to 0, or deleted.',
      `The pod template lost the \`${SCRAPE_ANNOTATIONS.scrape}: "true"\` annotation or the \`${K8S_APP_LABELS.name}=${s.service}\` / \`${K8S_APP_LABELS.partOf}=${K8S_APP_LABELS.partOfValue}\` labels the scrape job selects on.`,
      'Prometheus lost permission to list pods in the namespace (RBAC), so service discovery returns nothing.',
    ],
    checks: [
      `\`kubectl -n ${config.namespace} get pods -l ${K8S_APP_LABELS.name}=${s.service}\`: are there pods, and are they Running?`,
      `\`kubectl -n ${config.namespace} describe pod <pod>\` for Pending pods: the events say why they are not scheduled.`,
      `Open Prometheus Status > Service discovery, job ${s.job}: dropped targets show which relabel rule dropped them (phase, annotation).`,
      'Check the Prometheus log for "forbidden" errors from the Kubernetes API.',
    ],
    fixes: [
      'Free or add node capacity, or lower the app\'s resource requests; fix the image reference.',
      'Scale the Deployment back to its configured minimum (`pulumi up` restores it).',
      'Restore the labels and annotations with `pulumi up`; they are set by the stack, not by hand.',
    ],
  };
}

function jobRunbook(config: StackConfig, s: ScrapedService): RunbookText {
  if (config.target === 'kubernetes' && s.job === 'node-exporter') return nodeExporterRunbook(config, s);
  return {
    meaning: `Prometheus has no scrape target of job ${s.job} at all, so the ${s.service} metrics and every alert built on them are gone. Unlike TargetDown (the target exists and fails), nothing is even tried.`,
    causes: [`The ${s.job} job is missing from the running prometheus.yml (edited by hand, or a failed reload).`, 'Only part of the stack was deployed: prometheus.yml from another render than these rules.'],
    checks: [`Open Prometheus Status > Targets and Service discovery for job ${s.job}.`, 'Compare the deployed prometheus.yml with generated/<stack>/prometheus/prometheus.yml.'],
    fixes: ['Deploy the rendered configuration again with `pulumi up`.'],
  };
}

/**
 * node_exporter binds its port on the host network of every node, where one port serves one
 * process: a second node_exporter (kube-prometheus-stack's, another Observatory stack's) leaves
 * these pods Pending without an IP, and a pod without an IP is no target at all.
 */
function nodeExporterRunbook(config: StackConfig, s: ScrapedService): RunbookText {
  const port = nodeExporterPort(config);
  const ns = nodeExporterNamespace(config);
  return {
    meaning: `Prometheus has no scrape target of job ${s.job} at all, so the host metrics (CPU, memory, disk, network) and every host alert are gone. Unlike TargetDown (the target exists and fails), nothing is even tried: no node-exporter pod is Running with an IP.`,
    causes: [
      `Port ${port} is taken on the nodes' host network by another node_exporter (kube-prometheus-stack, or another Observatory stack in the same cluster): the scheduler leaves every node-exporter pod Pending ("didn't have free ports for the requested pod ports"), and \`pulumi up\` waits for the DaemonSet until it times out.`,
      `Pod Security refuses the pods: namespace ${ns} must enforce \`privileged\` (the stack labels it so; a cluster policy such as a Kyverno or Gatekeeper rule, or an admission configuration exempting no namespace, may forbid that). The DaemonSet exists with 0 pods and its FailedCreate events say "violates PodSecurity".`,
      `The node-exporter DaemonSet has no pods (deleted, or its pods lost the \`${K8S_APP_LABELS.name}=node-exporter\` label), or Prometheus cannot list pods (RBAC).`,
      'Only part of the stack was deployed: prometheus.yml from another render than these rules.',
    ],
    checks: [
      `\`kubectl -n ${ns} get pods -l ${K8S_APP_LABELS.name}=node-exporter -o wide\`: Pending pods? \`kubectl -n ${ns} describe pod <pod>\` names the reason in its events; no pods at all: \`kubectl -n ${ns} describe daemonset node-exporter\`.`,
      `Who else holds the port: \`kubectl get pods -A -o jsonpath='{range .items[?(@.spec.hostNetwork==true)]}{.metadata.namespace}/{.metadata.name}{" "}{.spec.containers[*].ports[*].containerPort}{"\\n"}{end}' | grep -w ${port}\`.`,
      `Open Prometheus Status > Targets and Service discovery for job ${s.job}; the rendered job keeps only container port ${port} (generated/<stack>/prometheus/prometheus.yml).`,
    ],
    fixes: [
      'Move this stack\'s node_exporter to a free port: set `observatory:exporters.node.port` (e.g. 9110) and `pulumi up`.',
      'Or turn it off with `observatory:exporters.node.enabled: false` when the other node_exporter already covers the nodes; this Prometheus does not scrape that one, so the host alerts and dashboards of this stack then see no data.',
    ],
  };
}

function targetsMissing(inputs: AlertInputs, s: ScrapedService, kind: 'app' | 'job'): AlertDefinition {
  const other = { job: s.job, service: `not-${s.service}`, instance: 'other-0:8080' };
  const mine = { job: s.job, service: s.service, instance: `${s.service}-0:8080` };
  const what = kind === 'app' ? `app ${s.service}` : `job ${s.job}`;
  const name = targetsMissingAlertName(s, kind);
  return defineAlert({
    name,
    // Its own signal: no warning variant to inhibit, and no other target's alert is "the same".
    family: name,
    severity: 'critical',
    for: ABSENT_FOR,
    expr: absent(up, { job: s.job, service: s.service }),
    valueFormat: 'number',
    summary: (v) => `${v.label('service')}: no scrape target exists (job ${v.label('job')})`,
    description: (v) =>
      `Prometheus has had no target for ${what} (job ${v.label('job')}, service ${v.label('service')}) for ${ABSENT_FOR}: no \`up\` series at all (absent(up) = ${v.value}), so TargetDown and ServiceDown cannot fire and every alert on its metrics is blind.`,
    dashboard: 'monitoringHealth',
    runbook: kind === 'app' ? appRunbook(inputs.config, s) : jobRunbook(inputs.config, s),
    scenarios: [
      { kind: 'fires', name: 'no target at all, while other services are scraped', series: [input(up, other, steady(1))], activeAtMinutes: 0, labels: { job: s.job, service: s.service }, value: 1 },
      { kind: 'quiet', name: 'one target answers', series: [input(up, mine, steady(1))] },
      { kind: 'quiet', name: 'its only target is down but discovered (ServiceDown fires instead)', series: [input(up, mine, steady(0))] },
    ],
  });
}

function targetAlerts(inputs: AlertInputs): AlertDefinition[] {
  const config = inputs.config;
  // Prometheus scraping itself cannot vanish while it evaluates this rule; TargetDown covers a failing self-scrape.
  const jobs = infrastructureServices(config).filter((s) => s.job !== 'prometheus');
  const defs = [...appServices(config).map((s) => ({ s, def: targetsMissing(inputs, s, 'app') })), ...jobs.map((s) => ({ s, def: targetsMissing(inputs, s, 'job') }))];
  // Apps come first, so of two targets with one alert name the later is an app only if both are.
  const seen = new Map<string, ScrapedService>();
  for (const { s, def } of defs) {
    const first = seen.get(def.name);
    if (first) {
      const app = first.configKey?.startsWith('apps[') && !s.configKey?.startsWith('apps[') ? first : s;
      const other = app === s ? first : s;
      throw new ObservatoryError(
        `stack ${config.stack}: observatory:${app.configKey}.name`,
        `"${app.service}" needs the alert name ${def.name}, which ${other.configKey?.startsWith('apps[') ? `app "${other.service}"` : `the ${other.job} job`} already uses; rename the app`,
      );
    }
    seen.set(def.name, s);
  }
  return defs.map((d) => d.def);
}

export const targetAlertsConcern: AlertConcern = {
  group: 'observatory-targets.alerts',
  alerts: targetAlerts,
};
