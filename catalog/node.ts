/**
 * node_exporter metrics used for host saturation, disks, network errors and clocks (names as in
 * node_exporter 1.x; the filesystem, netdev and timex collectors kept them from 1.5 to 1.12).
 */
import { defineMetric } from './types';

export const node_cpu_seconds_total = defineMetric({
  name: 'node_cpu_seconds_total', type: 'counter', unit: 'seconds', source: 'node_exporter',
  labels: {
    cpu: { help: 'CPU index.' },
    mode: { help: 'CPU mode.', values: ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] },
  },
  help: 'Seconds each CPU spent in each mode.',
});
export const node_memory_MemTotal_bytes = defineMetric({
  name: 'node_memory_MemTotal_bytes', type: 'gauge', unit: 'bytes', source: 'node_exporter', labels: {},
  help: 'Total usable memory.',
});
export const node_memory_MemAvailable_bytes = defineMetric({
  name: 'node_memory_MemAvailable_bytes', type: 'gauge', unit: 'bytes', source: 'node_exporter', labels: {},
  help: 'Memory available for new work without swapping.',
});
export const node_load1 = defineMetric({
  name: 'node_load1', type: 'gauge', unit: 'count', source: 'node_exporter', labels: {},
  help: '1-minute load average.',
});
const fsLabels = {
  device: { help: 'Block device.' },
  fstype: { help: 'Filesystem type.' },
  mountpoint: { help: 'Mount point.' },
  // node_exporter 1.9+: set when the mount could not be read (stat failed or timed out).
  device_error: { help: 'Why the file system could not be read; empty when it could.' },
} as const;
export const node_filesystem_avail_bytes = defineMetric({
  name: 'node_filesystem_avail_bytes', type: 'gauge', unit: 'bytes', source: 'node_exporter', labels: fsLabels,
  help: 'Filesystem space available to non-root users.',
});
export const node_filesystem_size_bytes = defineMetric({
  name: 'node_filesystem_size_bytes', type: 'gauge', unit: 'bytes', source: 'node_exporter', labels: fsLabels,
  help: 'Filesystem size.',
});

export const node_filesystem_files = defineMetric({
  name: 'node_filesystem_files', type: 'gauge', unit: 'count', source: 'node_exporter', labels: fsLabels,
  help: 'Inodes the filesystem has in total.',
});
export const node_filesystem_files_free = defineMetric({
  name: 'node_filesystem_files_free', type: 'gauge', unit: 'count', source: 'node_exporter', labels: fsLabels,
  help: 'Inodes still free; at 0 no file can be created even with space left.',
});
export const node_filesystem_readonly = defineMetric({
  name: 'node_filesystem_readonly', type: 'gauge', unit: 'boolean', source: 'node_exporter', labels: fsLabels,
  help: '1 when the filesystem is mounted read-only (e.g. remounted after I/O errors).',
});
const netLabels = { device: { help: 'Network interface.' } } as const;
export const node_network_receive_errs_total = defineMetric({
  name: 'node_network_receive_errs_total', type: 'counter', unit: 'count', source: 'node_exporter', labels: netLabels,
  help: 'Receive errors on the interface.',
});
export const node_network_receive_packets_total = defineMetric({
  name: 'node_network_receive_packets_total', type: 'counter', unit: 'count', source: 'node_exporter', labels: netLabels,
  help: 'Packets received on the interface.',
});
export const node_network_transmit_errs_total = defineMetric({
  name: 'node_network_transmit_errs_total', type: 'counter', unit: 'count', source: 'node_exporter', labels: netLabels,
  help: 'Transmit errors on the interface.',
});
export const node_network_transmit_packets_total = defineMetric({
  name: 'node_network_transmit_packets_total', type: 'counter', unit: 'count', source: 'node_exporter', labels: netLabels,
  help: 'Packets sent on the interface.',
});
export const node_timex_offset_seconds = defineMetric({
  name: 'node_timex_offset_seconds', type: 'gauge', unit: 'seconds', source: 'node_exporter', labels: {},
  help: 'Offset of the system clock from the reference clock (adjtimex).',
});
export const node_timex_sync_status = defineMetric({
  name: 'node_timex_sync_status', type: 'gauge', unit: 'boolean', source: 'node_exporter', labels: {},
  help: '1 when the kernel considers the clock synchronised to a reliable server.',
});
export const node_timex_maxerror_seconds = defineMetric({
  name: 'node_timex_maxerror_seconds', type: 'gauge', unit: 'seconds', source: 'node_exporter', labels: {},
  help: 'Maximum error of the clock; the kernel lets it grow to 16 s while unsynchronised.',
});

export const nodeMetrics = [
  node_cpu_seconds_total,
  node_memory_MemTotal_bytes,
  node_memory_MemAvailable_bytes,
  node_load1,
  node_filesystem_avail_bytes,
  node_filesystem_size_bytes,
  node_filesystem_files,
  node_filesystem_files_free,
  node_filesystem_readonly,
  node_network_receive_errs_total,
  node_network_receive_packets_total,
  node_network_transmit_errs_total,
  node_network_transmit_packets_total,
  node_timex_offset_seconds,
  node_timex_sync_status,
  node_timex_maxerror_seconds,
] as const;
