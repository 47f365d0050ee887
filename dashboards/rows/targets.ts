/**
 * Scrape health (Monitoring health): which targets are up and how long their scrapes take. Uses
 * the series Prometheus writes for every scrape, so it covers every job, exporters included.
 */
import { durationSeconds } from '../../catalog/duration';
import { max, oneMinus, series, sum } from '../../catalog/query';
import * as self from '../../catalog/selfMonitoring';
import type { StackConfig } from '../../stacks/config/schema';
import { statPanel, timeseriesPanel, upperThresholds, type Row } from '../common';
import { valueUnit } from '../units';
import { INSTANCE, JOB } from '../variables';

const selected = { job: JOB, instance: INSTANCE };
const up = series(self.up);

/** Prometheus's default scrape_timeout (the stack does not set one); never above the interval. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

export function scrapeTimeoutSeconds(config: StackConfig): number {
  return Math.min(DEFAULT_SCRAPE_TIMEOUT_SECONDS, durationSeconds(config.scrapeInterval));
}

export function targetsUp() {
  return statPanel({
    title: 'Targets up',
    description: 'Targets whose last scrape succeeded.',
    unit: 'short',
    targets: [{ expr: sum(up.select(selected)), legend: 'up' }],
    width: 6,
  });
}

export function targetsDown() {
  return statPanel({
    title: 'Targets down',
    description: 'Targets whose last scrape failed. An exporter can be up while its database is down: see pg_up / redis_up on Database & Redis.',
    unit: 'short',
    // sum(1 - up) rather than count(up == 0): it is 0, not empty, when everything is up.
    targets: [{ expr: sum(oneMinus(up.select(selected))), legend: 'down' }],
    thresholds: upperThresholds(1),
    width: 6,
  });
}

export function upByJob() {
  return timeseriesPanel({
    title: 'Targets up by job',
    description: 'Targets up per job; a drop means a target stopped answering its scrapes.',
    unit: 'short',
    targets: [{ expr: sum(up.select(selected), ['job']), legend: '{{job}}' }],
    min: 0,
  });
}

export function scrapeDuration(config: StackConfig) {
  const timeout = scrapeTimeoutSeconds(config);
  return timeseriesPanel({
    title: 'Scrape duration by job',
    description: `Slowest scrape per job. The line is the scrape timeout (${timeout} s: Prometheus's 10 s default, capped at scrapeInterval ${config.scrapeInterval}); scrapes beyond it fail.`,
    unit: valueUnit(self.scrape_duration_seconds),
    targets: [{ expr: max(series(self.scrape_duration_seconds).select(selected), ['job']), legend: '{{job}}' }],
    thresholds: upperThresholds(timeout),
    min: 0,
  });
}

export function samplesScraped() {
  return timeseriesPanel({
    title: 'Samples scraped by job',
    description: 'Samples per scrape, per job: a jump usually means a new high-cardinality label.',
    unit: valueUnit(self.scrape_samples_scraped),
    targets: [{ expr: sum(series(self.scrape_samples_scraped).select(selected), ['job']), legend: '{{job}}' }],
    min: 0,
  });
}

export function activeSeries() {
  return timeseriesPanel({
    title: 'Active series',
    description: 'Series in the Prometheus head block: memory use follows it.',
    unit: valueUnit(self.prometheus_tsdb_head_series),
    targets: [{ expr: max(series(self.prometheus_tsdb_head_series).select(), ['instance']), legend: '{{instance}}' }],
    min: 0,
  });
}

export function targetsRow(config: StackConfig): Row {
  return { title: 'Targets', panels: [upByJob(), scrapeDuration(config), samplesScraped(), activeSeries()] };
}
