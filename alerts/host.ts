/** Host saturation alerts from node_exporter: CPU and memory utilisation per host. */
import { ObservatoryError } from '../catalog/errors';
import * as node from '../catalog/node';
import { gt, series } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import type { ThresholdKey } from '../catalog/thresholds';
import { SERVICE_LABELS } from '../generators/topology';
import { humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type InputSeries } from './types';

const N = TEST_TARGETS.node;
/** The host recordings aggregate by instance only; every host alert is about the node_exporter service. */
const HOST_LABELS = { service: SERVICE_LABELS.nodeExporter } as const;

function ratioThreshold(inputs: AlertInputs, key: ThresholdKey): number {
  const t = inputs.thresholds[key];
  if (t >= 1) throw new ObservatoryError(`stack ${inputs.config.stack}: observatory:alerts.thresholds.${key}`, `(${t}) must be below 1: utilisation never exceeds 100%`);
  return t;
}

function cpuAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = ratioThreshold(inputs, 'hostCpuUsage');
  const cpu = series(node.node_cpu_seconds_total);
  // Two CPUs, each busy `busy` of the time: idle seconds grow by 60 * (1 - busy) a minute.
  const load = (busy: number): InputSeries[] =>
    ['0', '1'].flatMap((c) => [
      input(cpu, { ...N, cpu: c, mode: 'idle' }, counter(60 * (1 - busy))),
      input(cpu, { ...N, cpu: c, mode: 'user' }, counter(60 * busy)),
    ]);
  const busy = Math.min(threshold + (1 - threshold) / 2, threshold + 0.05);
  return defineAlert({
    name: 'HostCpuHigh',
    family: 'HostCpu',
    severity: 'warning',
    for: '5m',
    expr: gt(recorded.nodeCpuUtilisation.select(), threshold),
    labels: HOST_LABELS,
    valueFormat: 'percentage',
    summary: (v) => `Host ${v.label('instance')}: CPU ${v.value} busy`,
    description: (v) =>
      `The CPUs of host ${v.label('instance')} were ${v.value} busy on average over the last 5 minutes, above ${humanizePercentage(threshold)} (alerts.thresholds.hostCpuUsage). Everything on the host slows down and latency rises.`,
    dashboard: 'serviceOverview',
    runbook: {
      meaning: 'The host (a Kubernetes node, or the Docker host) has little CPU headroom left. Pods on it compete for CPU; latency of every service there rises, and the HPA may not help if new pods land on the same node.',
      causes: [
        'Load growth: more requests than the nodes were sized for.',
        'A runaway process or pod (busy loop, retry storm, heavy batch job).',
        'Pods without CPU limits, or too many pods scheduled onto one node.',
      ],
      checks: [
        'Find the busiest processes or pods: `kubectl top pods --all-namespaces --sort-by=cpu` (kubernetes) or `docker stats` (docker).',
        'Split CPU time by mode: `sum by (mode) (rate(node_cpu_seconds_total{instance="<instance>"}[5m]))`; high iowait points at disk, high steal at a noisy VM neighbour.',
        'Check whether request rates rose at the same time.',
      ],
      fixes: [
        'Scale out the node pool, or move heavy workloads to their own nodes.',
        'Set CPU requests and limits so the scheduler spreads pods.',
        'Stop or fix the runaway workload.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `2 CPUs ${humanizePercentage(busy)} busy`, series: load(busy), activeAtMinutes: 1, labels: { instance: N.instance }, value: busy, valueExactFromMinutes: 5 },
      { kind: 'quiet', name: `2 CPUs ${humanizePercentage(threshold / 2)} busy`, series: load(threshold / 2) },
    ],
  });
}

function memoryAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = ratioThreshold(inputs, 'hostMemoryUsage');
  const total = 16 * 1024 ** 3;
  const used = (share: number): InputSeries[] => [
    input(series(node.node_memory_MemTotal_bytes), N, steady(total)),
    input(series(node.node_memory_MemAvailable_bytes), N, steady(Math.round(total * (1 - share)))),
  ];
  const share = Math.min(threshold + (1 - threshold) / 2, threshold + 0.05);
  return defineAlert({
    name: 'HostMemoryHigh',
    family: 'HostMemory',
    severity: 'warning',
    for: '5m',
    expr: gt(recorded.nodeMemoryUtilisation.select(), threshold),
    labels: HOST_LABELS,
    valueFormat: 'percentage',
    summary: (v) => `Host ${v.label('instance')}: memory ${v.value} used`,
    description: (v) =>
      `Host ${v.label('instance')} has used ${v.value} of its memory (MemAvailable against MemTotal), above ${humanizePercentage(threshold)} (alerts.thresholds.hostMemoryUsage). The kernel OOM killer or kubelet evictions are next.`,
    dashboard: 'serviceOverview',
    runbook: {
      meaning: 'Little memory is available on the host. Next come page-cache thrashing, kubelet evictions (kubernetes) and the kernel OOM killer terminating processes, possibly databases.',
      causes: [
        'A memory leak: a process whose memory grows steadily over hours or days.',
        'Pods without memory limits, or limits that add up to more than the node has.',
        'Redis or PostgreSQL caches sized larger than the host can afford.',
      ],
      checks: [
        'Find the largest consumers: `kubectl top pods --all-namespaces --sort-by=memory` or `docker stats`.',
        'Look at the trend: `node_memory_MemAvailable_bytes{instance="<instance>"}` over a day; a steady fall suggests a leak.',
        'Check recent OOM kills: `kubectl get events --field-selector reason=OOMKilling` or `dmesg | grep -i oom` on the host.',
      ],
      fixes: [
        'Restart the leaking workload as a stopgap, then fix the leak.',
        'Set memory requests and limits; add nodes or bigger nodes.',
        'Lower cache sizes (Redis maxmemory, PostgreSQL shared_buffers) if they crowd out other work.',
      ],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(share)} of 16 GiB used`, series: used(share), activeAtMinutes: 0, labels: { instance: N.instance }, value: share },
      { kind: 'quiet', name: `${humanizePercentage(threshold / 2)} of 16 GiB used`, series: used(threshold / 2) },
    ],
  });
}

export const hostAlerts: AlertConcern = {
  group: 'observatory-host.alerts',
  alerts: (inputs) => [cpuAlert(inputs), memoryAlert(inputs)],
};
