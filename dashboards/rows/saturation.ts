/**
 * Saturation (Service overview): how full the things a service depends on are. Each panel's
 * threshold is the alert threshold for that resource.
 */
import * as app from '../../catalog/application';
import { series, sum } from '../../catalog/query';
import { recorded } from '../../catalog/recorded';
import type { Thresholds } from '../../catalog/thresholds';
import { timeseriesPanel, upperThresholds, type Row } from '../common';
import { RATIO_UNIT, valueUnit } from '../units';
import { SERVICE } from '../variables';

export function connectionsByService() {
  return timeseriesPanel({
    title: 'Active connections by service',
    description: 'Connections each service holds open, by kind: a service near its pool or socket limits queues requests.',
    unit: valueUnit(app.active_connections),
    targets: [{ expr: sum(series(app.active_connections).select({ service: SERVICE }), ['service', 'type']), legend: '{{service}} {{type}}' }],
    min: 0,
    width: 6,
  });
}

export function hostCpu(t: Thresholds) {
  return timeseriesPanel({
    title: 'Host CPU utilisation',
    description: 'Busy share of CPU time per host (recording instance:node_cpu_utilisation:ratio_rate5m). Threshold: alerts.thresholds.hostCpuUsage.',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.nodeCpuUtilisation.select(), legend: '{{instance}}' }],
    thresholds: upperThresholds(t.hostCpuUsage),
    min: 0,
    max: 1,
    width: 6,
  });
}

export function hostMemory(t: Thresholds) {
  return timeseriesPanel({
    title: 'Host memory utilisation',
    description: 'Share of memory not available for new work (recording instance:node_memory_utilisation:ratio). Threshold: alerts.thresholds.hostMemoryUsage.',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.nodeMemoryUtilisation.select(), legend: '{{instance}}' }],
    thresholds: upperThresholds(t.hostMemoryUsage),
    min: 0,
    max: 1,
    width: 6,
  });
}

export function databasePoolUsage(t: Thresholds) {
  return timeseriesPanel({
    title: 'Database connection pool usage',
    description: 'PostgreSQL backends as a share of max_connections (recording service_instance:pg_connections:usage_ratio). Threshold: alerts.thresholds.dbPoolUsage.',
    unit: RATIO_UNIT,
    targets: [{ expr: recorded.pgConnectionUsage.select(), legend: '{{instance}}' }],
    thresholds: upperThresholds(t.dbPoolUsage),
    min: 0,
    max: 1,
    width: 6,
  });
}

export function saturationRow(t: Thresholds): Row {
  return { title: 'Saturation', panels: [connectionsByService(), hostCpu(t), hostMemory(t), databasePoolUsage(t)] };
}
