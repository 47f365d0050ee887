/** node_exporter metrics used for host saturation (names as in node_exporter 1.x). */
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

export const nodeMetrics = [
  node_cpu_seconds_total,
  node_memory_MemTotal_bytes,
  node_memory_MemAvailable_bytes,
  node_load1,
  node_filesystem_avail_bytes,
  node_filesystem_size_bytes,
] as const;
