/**
 * Host alerts from node_exporter: CPU and memory utilisation, network interface errors and the
 * clock (skew and lost synchronisation), as node-mixin has them. Disks are alerts/disk.ts.
 */
import { ObservatoryError } from '../catalog/errors';
import * as node from '../catalog/node';
import { and, deriv, eq, ge, gt, le, lt, minOverTime, or, rate, ratio, series } from '../catalog/query';
import { recorded } from '../catalog/recorded';
import type { ThresholdKey } from '../catalog/thresholds';
import { SERVICE_LABELS } from '../generators/topology';
import { humanizeDuration, humanizePercentage } from './humanize';
import { TEST_TARGETS, counter, input, segments, steady } from './scenarioKit';
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

function networkErrorsAlert(inputs: AlertInputs, direction: 'receive' | 'transmit'): AlertDefinition {
  const threshold = ratioThreshold(inputs, 'hostNetworkErrorRatio');
  const errs = series(direction === 'receive' ? node.node_network_receive_errs_total : node.node_network_transmit_errs_total);
  const packets = series(direction === 'receive' ? node.node_network_receive_packets_total : node.node_network_transmit_packets_total);
  const nic = { ...N, device: 'eth0' } as const;
  const traffic = (packetsPerMinute: number, errorsPerMinute: number): InputSeries[] => [
    input(packets, nic, counter(packetsPerMinute)),
    input(errs, nic, counter(errorsPerMinute)),
  ];
  const Direction = direction === 'receive' ? 'Receive' : 'Transmit';
  const share = Math.min(threshold * 2, (threshold + 1) / 2);
  const perMinute = 60_000;
  return defineAlert({
    name: `HostNetwork${Direction}Errors`,
    family: `HostNetwork${Direction}Errors`,
    severity: 'warning',
    // node-mixin waits an hour: a flapping cable or a brief burst is not worth a ticket.
    for: '1h',
    expr: gt(ratio(rate(errs.range('5m')), rate(packets.range('5m'))), threshold),
    valueFormat: 'percentage',
    summary: (v) => `Host ${v.label('instance')}: ${v.value} of ${direction === 'receive' ? 'received' : 'sent'} packets on ${v.label('device')} fail`,
    description: (v) =>
      `Interface ${v.label('device')} of host ${v.label('instance')} counted ${direction} errors for ${v.value} of its packets over the last 5 minutes, above ${humanizePercentage(threshold)} (alerts.thresholds.hostNetworkErrorRatio), for an hour. Connections through it retransmit and slow down.`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: {
      meaning: `The network interface reports ${direction} errors for a noticeable share of its packets. TCP retransmits hide them from applications as added latency; UDP (DNS, metrics) loses data.`,
      causes: [
        'A faulty cable, transceiver or switch port (CRC and frame errors).',
        'A duplex or MTU mismatch between the host and the switch.',
        'On virtual machines, an overloaded hypervisor or virtual NIC driver problems.',
        'Ring buffers too small for bursts (drops counted as errors by some drivers).',
      ],
      checks: [
        `Per interface: \`rate(node_network_${direction}_errs_total{instance="<instance>"}[5m])\` against \`rate(node_network_${direction}_packets_total[5m])\`.`,
        'On the host: `ip -s link show <device>` and `ethtool -S <device>` for the error kinds; `ethtool <device>` for speed and duplex.',
        'Is it one host or all hosts behind the same switch?',
      ],
      fixes: ['Replace the cable or move to another port; fix duplex/MTU settings.', 'For a VM, migrate it or open a case with the provider.', 'Raise the ring buffer size (`ethtool -G`) if the errors are overruns.'],
    },
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(share)} of ${perMinute} packets a minute fail`, series: traffic(perMinute, perMinute * share), activeAtMinutes: 1, labels: nic, value: share },
      { kind: 'quiet', name: `${humanizePercentage(threshold / 4)} of packets fail`, series: traffic(perMinute, (perMinute * threshold) / 4) },
      { kind: 'quiet', name: 'an idle interface (no ratio rather than NaN)', series: traffic(0, 0) },
    ],
  });
}

function clockSkewAlert(inputs: AlertInputs): AlertDefinition {
  const threshold = inputs.thresholds.hostClockOffsetSeconds;
  const offset = series(node.node_timex_offset_seconds);
  const trend = deriv(offset.range('5m'));
  // Beyond the threshold and not being corrected: NTP slews a clock back slowly, so a falling
  // offset is already on its way home.
  const expr = or(and(gt(offset.select(), threshold), ge(trend, 0)), and(lt(offset.select(), -threshold), le(trend, 0)));
  const off = threshold * 2;
  return defineAlert({
    name: 'HostClockSkew',
    family: 'HostClock',
    severity: 'warning',
    for: '10m',
    expr,
    valueFormat: 'duration',
    summary: (v) => `Host ${v.label('instance')}: clock is off by ${v.value}`,
    description: (v) =>
      `The clock of host ${v.label('instance')} is ${v.value} away from its NTP reference, beyond ${humanizeDuration(threshold)} (alerts.thresholds.hostClockOffsetSeconds), and not coming back for 10 minutes. Trace spans, log timestamps and TLS validity checks from this host are off by as much.`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: {
      meaning: 'The host clock disagrees with the NTP reference and is not being corrected. Spans in Jaeger from this host appear shifted, rate() windows of its targets skew, and certificates or tokens may be judged not yet valid or expired.',
      causes: ['The NTP daemon (chronyd, systemd-timesyncd) is stopped or cannot reach its servers (firewall on UDP 123).', 'A VM paused or migrated, then resumed with a stale clock.', 'A bad hardware clock drifting faster than NTP corrects it.'],
      checks: ['`chronyc tracking` or `timedatectl timesync-status` on the host.', 'Compare `node_timex_offset_seconds` across hosts: one host or all of them?', 'Check that UDP 123 to the NTP servers is allowed.'],
      fixes: ['Restart the NTP daemon and let it step the clock (`chronyc makestep`).', 'Fix the network path to the NTP servers, or configure reachable ones.'],
    },
    scenarios: [
      { kind: 'fires', name: `offset steady at ${humanizeDuration(off)}`, series: [input(offset, N, steady(off))], activeAtMinutes: 1, labels: { ...N }, value: off },
      { kind: 'fires', name: `offset steady at -${humanizeDuration(off)}`, series: [input(offset, N, steady(-off))], activeAtMinutes: 1, labels: { ...N }, value: -off },
      { kind: 'quiet', name: `offset at ${humanizeDuration(threshold / 5)}`, series: [input(offset, N, steady(threshold / 5))] },
      {
        kind: 'quiet',
        name: `offset at ${humanizeDuration(threshold * 6)} but shrinking (NTP slews it back)`,
        series: [input(offset, N, segments({ minutes: 0, from: threshold * 6, perMinute: -threshold / 10 }))],
        evalAtMinutes: 15,
      },
    ],
  });
}

/** The kernel lets maxerror grow by 500 ppm while unsynchronised and caps it at 16 s: then it has been lost for hours. */
const MAX_ERROR_UNSYNCED = 16;

function clockNotSyncingAlert(): AlertDefinition {
  const sync = series(node.node_timex_sync_status);
  const maxError = series(node.node_timex_maxerror_seconds);
  const clock = (synced: number, error: number): InputSeries[] => [input(sync, N, steady(synced)), input(maxError, N, steady(error))];
  return defineAlert({
    name: 'HostClockNotSynchronising',
    family: 'HostClockSync',
    severity: 'warning',
    for: '10m',
    expr: and(eq(minOverTime(sync.range('5m')), 0), ge(maxError.select(), MAX_ERROR_UNSYNCED)),
    valueFormat: 'number',
    summary: (v) => `Host ${v.label('instance')}: clock is not synchronising`,
    description: (v) =>
      `The kernel of host ${v.label('instance')} has not considered its clock synchronised for the last 5 minutes (sync status ${v.value}) and its maximum error has reached ${MAX_ERROR_UNSYNCED} s, for 10 minutes. Nothing keeps the clock from drifting.`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: {
      meaning: 'No NTP daemon is disciplining the host clock (or it cannot reach any server), so the clock drifts freely. HostClockSkew follows once the drift passes its threshold.',
      causes: ['The NTP daemon is not installed, stopped, or crash-looping.', 'No NTP server is reachable (firewall, DNS).', 'A container runtime or VM setting that prevents time adjustments.'],
      checks: ['`timedatectl` ("System clock synchronized: no") and `chronyc sources` on the host.', 'The NTP daemon\'s log.'],
      fixes: ['Install or restart the NTP daemon; point it at reachable servers.'],
    },
    scenarios: [
      { kind: 'fires', name: `not synchronised, maxerror ${MAX_ERROR_UNSYNCED} s`, series: clock(0, MAX_ERROR_UNSYNCED), activeAtMinutes: 0, labels: { ...N }, value: 0 },
      { kind: 'quiet', name: 'synchronised', series: clock(1, 0.2) },
      { kind: 'quiet', name: 'just lost synchronisation (maxerror 2 s)', series: clock(0, 2) },
    ],
  });
}

export const hostAlerts: AlertConcern = {
  group: 'observatory-host.alerts',
  alerts: (inputs) => [
    cpuAlert(inputs),
    memoryAlert(inputs),
    networkErrorsAlert(inputs, 'receive'),
    networkErrorsAlert(inputs, 'transmit'),
    clockSkewAlert(inputs),
    clockNotSyncingAlert(),
  ],
};
