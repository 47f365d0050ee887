import { describe, expect, it } from 'vitest';
import { getCatalog } from '../catalog';
import { selectorsOf } from '../catalog/checkQuery';
import { recorded, recordingRuleGroups } from '../catalog/recorded';
import { buildDashboards, dashboardArtifacts } from '../dashboards';
import { DASHBOARD_TITLES, RELATED } from '../dashboards/base';
import { panelId } from '../dashboards/common';
import { assertDashboardLint, lintDashboard, type LintDashboard, type LintPanel } from '../dashboards/lint';
import { expandForAll, panelQueries } from '../dashboards/queries';
import { DASHBOARD_UIDS, DASHBOARD_VARIABLES, type DashboardKey } from '../dashboards/uids';
import type { RenderContext } from '../generators/artifact';
import { DATASOURCE_UIDS } from '../generators/grafanaProvisioning';
import { renderStack } from '../render/renderStack';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import * as app from '../catalog/application';
import { labelValues, series, sum, topk } from '../catalog/query';
import { config, errorOf, REPO } from './helpers';

const catalog = getCatalog();
const ctxOf = (overrides: Record<string, unknown> = {}): RenderContext => ({ config: config(overrides), catalog, options: {} });

/** The rendered JSON (what Grafana loads), per dashboard key. */
function rendered(ctx: RenderContext): Record<DashboardKey, LintDashboard> {
  const byPath = new Map(dashboardArtifacts(ctx).map((a) => [a.path, JSON.parse(a.content) as LintDashboard]));
  const out = {} as Record<DashboardKey, LintDashboard>;
  for (const key of Object.keys(DASHBOARD_UIDS) as DashboardKey[]) out[key] = byPath.get(`dashboards/${DASHBOARD_UIDS[key]}.json`)!;
  return out;
}

interface PanelJson extends LintPanel {
  readonly targets?: readonly { readonly refId: string; readonly expr: string; readonly legendFormat?: string; readonly instant?: boolean; readonly range?: boolean }[];
  readonly fieldConfig?: {
    readonly defaults?: {
      readonly unit?: string;
      readonly thresholds?: { readonly steps: readonly { readonly value: number | null; readonly color: string }[] };
      readonly mappings?: readonly { readonly options: Record<string, { readonly text: string }> }[];
    };
  };
}

function panel(d: LintDashboard, title: string): PanelJson {
  const found = (d.panels ?? []).find((p) => p.title === title);
  if (!found) throw new Error(`${d.title} has no panel "${title}" (has: ${(d.panels ?? []).map((p) => p.title).join(', ')})`);
  return found as PanelJson;
}
const exprs = (d: LintDashboard, title: string) => (panel(d, title).targets ?? []).map((t) => t.expr);
/** Per target: an instant query (and not a range query)? */
const instant = (d: LintDashboard, title: string) => (panel(d, title).targets ?? []).map((t) => t.instant === true && t.range !== true);
const unit = (d: LintDashboard, title: string) => panel(d, title).fieldConfig?.defaults?.unit;
const steps = (d: LintDashboard, title: string) => panel(d, title).fieldConfig?.defaults?.thresholds?.steps.map((s) => [s.value, s.color]);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('dashboards: the panels and their queries', () => {
  const d = rendered(ctxOf());

  it('API Performance: latency p50/p95/p99 by route from the route quantile recordings, thresholds from the alerts', () => {
    const api = d.apiPerformance;
    for (const [p, q] of [['p50', '0.5'], ['p95', '0.95'], ['p99', '0.99']]) {
      expect(exprs(api, `Latency ${p} by route`)).toEqual([
        `service_route:http_request_duration_seconds:histogram_quantile_rate5m{service=~"$service",route=~"$route",quantile="${q}"}`,
      ]);
      expect(unit(api, `Latency ${p} by route`)).toBe('s');
    }
    expect(steps(api, 'Latency p95 by route')).toEqual([[null, 'green'], [0.2, 'orange'], [0.5, 'red']]);
    // HttpLatencyP99Elevated is a warning (docs/alerting.md, "P99 severity"): amber, not red.
    expect(steps(api, 'Latency p99 by route')).toEqual([[null, 'green'], [1, 'orange']]);
  });

  it('the variables alert links set (DASHBOARD_VARIABLES) are the dashboards\' own', () => {
    for (const key of Object.keys(DASHBOARD_UIDS) as DashboardKey[]) {
      const names = (d[key].templating.list ?? []).map((v) => v.name).filter((n) => n !== 'datasource');
      expect([...names].sort(), key).toEqual([...DASHBOARD_VARIABLES[key]].sort());
    }
  });

  it('API Performance: request rate, throughput, error ratio and status codes', () => {
    const api = d.apiPerformance;
    expect(exprs(api, 'Request rate by route')).toEqual(['sum by (service, route) (service_route_status:http_requests:rate5m{service=~"$service",route=~"$route"})']);
    expect(exprs(api, 'Throughput by instance')).toEqual([
      'sum by (service, instance) (service_route_instance:http_requests:rate5m{service=~"$service",route=~"$route",instance=~"$instance"})',
    ]);
    const total = 'sum by (service, route) (service_route_status:http_requests:rate5m{service=~"$service",route=~"$route"})';
    expect(exprs(api, 'Error ratio by route')).toEqual([
      `(sum by (service, route) (service_route_status:http_requests:rate5m{service=~"$service",route=~"$route",status=~"5.."}) or ${total} * 0) / (${total} > 0)`,
    ]);
    expect(unit(api, 'Error ratio by route')).toBe('percentunit');
    expect(steps(api, 'Error ratio by route')).toEqual([[null, 'green'], [0.01, 'orange'], [0.05, 'red']]);
    expect(exprs(api, 'Responses by status code')).toEqual(['sum by (status) (service_route_status:http_requests:rate5m{service=~"$service",route=~"$route"})']);
    expect(unit(api, 'Request rate by route')).toBe('reqps');
  });

  it('API Performance: database queries, Redis operations, cache hit ratio and active connections', () => {
    const api = d.apiPerformance;
    expect(exprs(api, 'Database query rate by operation and table')).toEqual(['sum by (operation, table) (service_operation_table:db_queries:rate5m{service=~"$service"})']);
    expect(exprs(api, 'Database query mean latency by operation and table')).toEqual(['service_operation_table:db_query_duration_seconds:mean_rate5m{service=~"$service"}']);
    expect(steps(api, 'Database query mean latency by operation and table')).toEqual([[null, 'green'], [0.5, 'orange'], [2, 'red']]);
    expect(exprs(api, 'Database query p95 latency by operation and table')).toEqual([
      'service_operation_table:db_query_duration_seconds:histogram_quantile_rate5m{service=~"$service",quantile="0.95"}',
    ]);
    expect(exprs(api, 'Redis operation rate by operation')).toEqual(['sum by (operation) (service_operation:redis_operations:rate5m{service=~"$service"})']);
    expect(exprs(api, 'Redis operation latency by operation')).toEqual(
      ['0.95', '0.99'].map((q) => `service_operation:redis_operation_duration_seconds:histogram_quantile_rate5m{service=~"$service",quantile="${q}"}`),
    );
    // The ratio, and every cache's own target (alerts.cacheTargets) or the global minimum as a line.
    const [ratioExpr, targetExpr] = exprs(api, 'Cache hit ratio by cache');
    expect(ratioExpr).toBe('service_cache:cache_hits:ratio_rate5m{service=~"$service"}');
    expect(targetExpr).toContain('label_replace(label_replace(vector(0.9), "cache", "scripture-verses", "", ""), "hit_ratio_target", "90%", "", "")');
    expect(targetExpr).toContain('label_replace(label_replace(vector(0.75), "cache", "feed-items", "", ""), "hit_ratio_target", "75%", "", "")');
    expect(targetExpr).toMatch(/ and on \(cache\) max by \(cache\) \(service_cache:cache_hits:ratio_rate5m\{service=~"\$service"\}\) or on \(cache\) max by \(cache\) \(service_cache:cache_hits:ratio_rate5m\{service=~"\$service"\}\) \* 0 \+ 0\.7$/);
    const own = rendered(ctxOf({ alerts: { cacheTargets: { feed: 0.8 }, thresholds: { cacheHitRatioMin: 0.6 } } })).apiPerformance;
    expect(exprs(own, 'Cache hit ratio by cache')[1]).toBe(
      'label_replace(label_replace(vector(0.8), "cache", "feed", "", ""), "hit_ratio_target", "80%", "", "") and on (cache) max by (cache) (service_cache:cache_hits:ratio_rate5m{service=~"$service"}) or on (cache) max by (cache) (service_cache:cache_hits:ratio_rate5m{service=~"$service"}) * 0 + 0.6',
    );
    const none = rendered(ctxOf({ alerts: { cacheTargets: {} } })).apiPerformance;
    expect(exprs(none, 'Cache hit ratio by cache')[1]).toBe('max by (cache) (service_cache:cache_hits:ratio_rate5m{service=~"$service"}) * 0 + 0.7');
    expect(exprs(api, 'Active connections by type')).toEqual(['sum by (service, type) (active_connections{service=~"$service",instance=~"$instance"})']);
  });

  it('Database & Redis: PostgreSQL connections against max_connections, transactions, cache, rows, deadlocks, size', () => {
    const db = d.databaseRedis;
    expect(exprs(db, 'Connections vs max_connections')).toEqual([
      'sum by (instance) (pg_stat_database_numbackends{instance=~"$pg_instance"})',
      'max by (instance) (pg_settings_max_connections{instance=~"$pg_instance"})',
    ]);
    expect(exprs(db, 'Connection pool usage')).toEqual(['service_instance:pg_connections:usage_ratio{instance=~"$pg_instance"}']);
    expect(steps(db, 'Connection pool usage')).toEqual([[null, 'green'], [0.8, 'red']]);
    expect(exprs(db, 'Transactions')).toEqual(
      ['xact_commit', 'xact_rollback'].map((c) => `sum by (datname) (rate(pg_stat_database_${c}{instance=~"$pg_instance",datname=~"$database"}[$__rate_interval]))`),
    );
    expect(exprs(db, 'Buffer cache hit ratio')).toEqual(['service_instance:pg_buffer_cache_hits:ratio_rate5m{instance=~"$pg_instance"}']);
    expect(exprs(db, 'Row activity')).toEqual(
      ['returned', 'fetched', 'inserted', 'updated', 'deleted'].map((c) => `sum(rate(pg_stat_database_tup_${c}{instance=~"$pg_instance",datname=~"$database"}[$__rate_interval]))`),
    );
    // Per minute, not an increase() per $__rate_interval whose height changes with the zoom; the line is the alert's threshold.
    expect(exprs(db, 'Deadlocks')).toEqual(['sum by (datname) (rate(pg_stat_database_deadlocks{instance=~"$pg_instance",datname=~"$database"}[$__rate_interval])) * 60']);
    expect(unit(db, 'Deadlocks')).toBe('opm');
    expect(steps(db, 'Deadlocks')).toEqual([[null, 'green'], [5, 'orange']]);
    expect(steps(db, 'Buffer cache hit ratio')).toEqual([[null, 'red'], [0.9, 'green']]);
    expect(exprs(db, 'Database size')).toEqual(['max by (datname) (pg_database_size_bytes{instance=~"$pg_instance",datname=~"$database"})']);
    expect(unit(db, 'Database size')).toBe('bytes');
  });

  it('Database & Redis: the Queries row shows the top statements with their text, sequentially read tables and unused indexes, bounded by the config', () => {
    const db = d.databaseRedis;
    const sel = '{instance=~"$pg_instance",datname=~"$database"}';
    const text = ' * on (queryid) group_left (query) max by (queryid, query) (pg_stat_statements_query_id{instance=~"$pg_instance"})';
    const per = (m: string) => `sum by (datname, queryid) (rate(pg_stat_statements_${m}${sel}[$__rate_interval]))`;
    expect(exprs(db, 'Top statements by total time')).toEqual([`topk(10, ${per('seconds_total')}${text})`]);
    expect(exprs(db, 'Top statements by mean time')).toEqual([`topk(10, ${per('seconds_total')} / (${per('calls_total')} > 0)${text})`]);
    expect(exprs(db, 'Top statements by calls')).toEqual([`topk(10, ${per('calls_total')}${text})`]);
    expect(exprs(db, 'Top statements by rows')).toEqual([`topk(10, ${per('rows_total')}${text})`]);
    expect(exprs(db, 'Share of statement time in the top 10')).toEqual([`sum(topk(10, ${per('seconds_total')})) / (sum(${per('seconds_total')}) > 0)`]);
    expect(exprs(db, 'Tables by rows read in sequential scans')).toEqual([`topk(10, sum by (datname, schemaname, relname) (rate(pg_table_seq_rows_read_total${sel}[$__rate_interval])))`]);
    expect(exprs(db, 'Unused indexes (zero scans since the stats reset)')).toEqual([`topk(10, max by (datname, schemaname, relname, indexrelname) (pg_unused_index_size_bytes${sel}))`]);
    expect(unit(db, 'Top statements by mean time')).toBe('s');
    // A smaller exporter limit bounds the panels too.
    const small = rendered(ctxOf({ exporters: { postgres: { limits: { statements: 3, tables: 4, indexes: 2 } } } })).databaseRedis;
    expect(exprs(small, 'Share of statement time in the top 3')[0]).toMatch(/^sum\(topk\(3, /);
    expect(exprs(small, 'Tables by rows read in sequential scans')[0]).toMatch(/^topk\(4, /);
    expect(exprs(small, 'Unused indexes (zero scans since the stats reset)')[0]).toMatch(/^topk\(2, /);
  });

  it('Service Overview: the Uptime row shows probe success, duration by phase and certificate expiry against uptime.certExpiryDays', () => {
    const so = d.serviceOverview;
    expect(exprs(so, 'Uptime probes')).toEqual(['min by (service, instance) (probe_success{service=~"$service"})']);
    expect(exprs(so, 'Probe duration by phase')).toEqual(['max by (instance, phase) (probe_http_duration_seconds{service=~"$service"})']);
    expect(exprs(so, 'TLS certificate expiry')).toEqual(['min by (service, instance) (probe_ssl_earliest_cert_expiry{service=~"$service"}) - time()']);
    expect(steps(so, 'TLS certificate expiry')).toEqual([[null, 'red'], [14 * 86400, 'green']]);
    expect(steps(rendered(ctxOf({ uptime: { certExpiryDays: 30 } })).serviceOverview, 'TLS certificate expiry')).toEqual([[null, 'red'], [30 * 86400, 'green']]);
    const off = rendered(ctxOf({ uptime: { enabled: false } })).serviceOverview;
    expect((off.panels ?? []).some((p) => p.title === 'Uptime probes')).toBe(false);
  });

  it('Database & Redis: the $database variable never selects the shared row (datname="")', () => {
    const v = (d.databaseRedis.templating.list ?? []).find((x) => x.name === 'database')!;
    expect(v.allValue).toBe('.+');
    expect(new RegExp(`^(?:${v.allValue})$`).test('')).toBe(false);
  });

  it('Database & Redis: Redis memory against maxmemory says "no limit" when maxmemory is 0', () => {
    const db = d.databaseRedis;
    expect(exprs(db, 'Memory used of maxmemory')).toEqual([
      'service_instance:redis_memory:usage_ratio{instance=~"$redis_instance"} * 1 or max by (service, instance) (redis_memory_max_bytes{instance=~"$redis_instance"}) * 0 - 1',
    ]);
    expect(panel(db, 'Memory used of maxmemory').fieldConfig?.defaults?.mappings?.[0].options['-1'].text).toBe('no limit');
    expect(steps(db, 'Memory used of maxmemory')).toEqual([[null, 'green'], [0.9, 'red']]);
    expect(panel(db, 'maxmemory').fieldConfig?.defaults?.mappings?.[0].options['0'].text).toBe('no limit');
    expect(exprs(db, 'Memory used vs maxmemory')).toEqual(['redis_memory_used_bytes{instance=~"$redis_instance"}', 'redis_memory_max_bytes{instance=~"$redis_instance"}']);
  });

  it('Database & Redis: Redis commands, keyspace hit ratio, clients, evicted and expired keys', () => {
    const db = d.databaseRedis;
    expect(exprs(db, 'Command throughput')).toEqual(['sum by (instance) (rate(redis_commands_processed_total{instance=~"$redis_instance"}[$__rate_interval]))']);
    expect(exprs(db, 'Keyspace hit ratio')).toEqual(['service_instance:redis_keyspace_hits:ratio_rate5m{instance=~"$redis_instance"}']);
    expect(exprs(db, 'Connected clients')).toEqual(['redis_connected_clients{instance=~"$redis_instance"}', 'redis_config_maxclients{instance=~"$redis_instance"}']);
    expect(steps(db, 'Keyspace hit ratio')).toEqual([[null, 'red'], [0.7, 'green']]);
    expect(exprs(db, 'Evicted and expired keys')).toEqual(
      ['evicted', 'expired'].map((k) => `sum by (instance) (rate(redis_${k}_keys_total{instance=~"$redis_instance"}[$__rate_interval]))`),
    );
  });

  it('Service overview: the golden signals and the SLOs with their objectives and error budget', () => {
    const so = d.serviceOverview;
    // Each quantile against its own alert threshold.
    for (const [p, q] of [['p95', '0.95'], ['p99', '0.99']]) {
      expect(exprs(so, `Latency ${p} by service`)).toEqual([`service:http_request_duration_seconds:histogram_quantile_rate5m{service=~"$service",quantile="${q}"}`]);
    }
    expect(steps(so, 'Latency p95 by service')).toEqual([[null, 'green'], [0.2, 'orange'], [0.5, 'red']]);
    expect(steps(so, 'Latency p99 by service')).toEqual([[null, 'green'], [1, 'orange']]);
    expect(exprs(so, 'Traffic by service')).toEqual(['service:http_requests:rate5m{service=~"$service"}']);
    expect(exprs(so, 'Error ratio by service')).toEqual(['service:http_request_errors:ratio_rate5m{service=~"$service"}']);
    for (const title of ['Active connections by service', 'Host CPU utilisation', 'Host memory utilisation', 'Database connection pool usage']) expect(exprs(so, title)).toHaveLength(1);
    // The window ratio the SLO recordings use, over the SLO period, as an instant query.
    const total = 'sum_over_time(service:http_requests:rate5m{service=~"$service"}[30d])';
    const errorRatio = `(sum_over_time(service:http_request_errors:rate5m{service=~"$service"}[30d]) or ${total} * 0) / (${total} > 0)`;
    expect(exprs(so, 'Availability (30d)')).toEqual([`1 - ${errorRatio}`]);
    expect(instant(so, 'Availability (30d)')).toEqual([true]);
    expect(steps(so, 'Availability (30d)')).toEqual([[null, 'red'], [0.995, 'green']]);
    expect(exprs(so, 'Availability error budget left (30d)')).toEqual([`1 - ${errorRatio} / 0.005`]);
    expect(instant(so, 'Availability error budget left (30d)')).toEqual([true]);
    const count = 'sum_over_time(service:http_request_duration_seconds_count:rate5m{service=~"$service"}[30d])';
    const fast = 'sum by (service) (sum_over_time(service_le:http_request_duration_seconds_bucket:rate5m{service=~"$service",le="0.5"}[30d]))';
    expect(exprs(so, 'Latency SLI (30d)')).toEqual([`1 - (${count} - ${fast}) / (${count} > 0)`]);
    expect(instant(so, 'Availability error budget burn rate')).toEqual([false, false]);
    expect(steps(so, 'Latency SLI (30d)')).toEqual([[null, 'red'], [0.99, 'green']]);
    expect(steps(so, 'Availability error budget burn rate')).toEqual([[null, 'green'], [6, 'orange'], [14.4, 'red']]);
  });

  it('Service overview: firing alerts of the selected services as annotations', () => {
    const raw = d.serviceOverview as unknown as { annotations: { list: { name: string; expr?: string; datasource?: { uid: string } }[] } };
    const firing = raw.annotations.list.find((a) => a.name === 'Firing alerts')!;
    expect(firing.expr).toBe('ALERTS{alertstate="firing",service=~"$service"}');
    expect(firing.datasource?.uid).toBe('${datasource}');
    expect(selectorsOf(firing.expr!).map((s) => s.metric)).toEqual(['ALERTS']);
  });

  it('Monitoring health: targets up, scrape durations, rule failures, notifications sent and failed', () => {
    const mh = d.monitoringHealth;
    expect(exprs(mh, 'Targets up')).toEqual(['sum(up{job=~"$job",instance=~"$instance"})']);
    expect(exprs(mh, 'Targets down')).toEqual(['sum(1 - up{job=~"$job",instance=~"$instance"})']);
    expect(exprs(mh, 'Scrape duration by job')).toEqual(['max by (job) (scrape_duration_seconds{job=~"$job",instance=~"$instance"})']);
    expect(steps(mh, 'Scrape duration by job')).toEqual([[null, 'green'], [10, 'red']]);
    expect(exprs(mh, 'Rule evaluation failures')).toEqual(['sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[$__rate_interval])) * 60']);
    expect(exprs(mh, 'Missed rule group iterations')).toEqual(['sum by (rule_group) (rate(prometheus_rule_group_iterations_missed_total[$__rate_interval])) * 60']);
    expect(exprs(mh, 'Alertmanager notifications sent')).toEqual(['sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))']);
    expect(exprs(mh, 'Alertmanager notifications failed')).toEqual(['sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))']);
  });
});

describe('dashboards: values come from the stack config', () => {
  it('thresholds follow config.alerts.thresholds, the values the alerts use', () => {
    const d = rendered(ctxOf({ alerts: { thresholds: { latencyP95Critical: 0.75, errorRatioCritical: 0.1, redisMemoryUsage: 0.85 } } }));
    expect(steps(d.apiPerformance, 'Latency p95 by route')).toEqual([[null, 'green'], [0.2, 'orange'], [0.75, 'red']]);
    expect(steps(d.serviceOverview, 'Latency p95 by service')).toEqual([[null, 'green'], [0.2, 'orange'], [0.75, 'red']]);
    expect(steps(d.serviceOverview, 'Error ratio by service')).toEqual([[null, 'green'], [0.01, 'orange'], [0.1, 'red']]);
    expect(steps(d.databaseRedis, 'Memory used of maxmemory')).toEqual([[null, 'green'], [0.85, 'red']]);
  });

  it('the SLO period is the retention time up to 30d, or config.slo.period, and names the SLO panels', () => {
    for (const [overrides, period] of [
      [{ environment: 'staging' }, '7d'],
      [{ environment: 'dev' }, '2d'],
      [{ retention: { time: '90d' } }, '30d'],
      [{ retention: { time: '90d' }, slo: { period: '28d' } }, '28d'],
    ] as const) {
      const so = rendered(ctxOf(overrides)).serviceOverview;
      expect(exprs(so, `Availability (${period})`)[0], JSON.stringify(overrides)).toContain(`[${period}])`);
      expect(exprs(so, `Latency SLI error budget left (${period})`)).toHaveLength(1);
    }
  });

  it('SLO objectives and the error budget follow config.slo', () => {
    const d = rendered(ctxOf({ slo: { availabilityObjective: 0.999, latencyObjective: 0.95 } }));
    expect(steps(d.serviceOverview, 'Availability (30d)')).toEqual([[null, 'red'], [0.999, 'green']]);
    expect(exprs(d.serviceOverview, 'Availability error budget left (30d)')[0]).toMatch(/ \/ 0\.001$/);
    expect(exprs(d.serviceOverview, 'Latency SLI error budget left (30d)')[0]).toMatch(/ \/ 0\.05$/);
  });

  it('scrape and evaluation intervals set the monitoring thresholds', () => {
    const d = rendered(ctxOf({ scrapeInterval: '5s', evaluationInterval: '30s' }));
    expect(steps(d.monitoringHealth, 'Scrape duration by job')).toEqual([[null, 'green'], [5, 'red']]);
    expect(steps(d.monitoringHealth, 'Rule group evaluation duration')).toEqual([[null, 'green'], [30, 'red']]);
  });

  it('tags carry the environment; the datasource variable defaults to the provisioned Prometheus', () => {
    const d = rendered(ctxOf({ environment: 'staging' }));
    for (const dash of Object.values(d) as (LintDashboard & { tags?: string[] })[]) {
      expect(dash.tags).toEqual(['observatory', 'staging']);
      const ds = (dash.templating.list ?? [])[0] as { name: string; current?: { value: string } };
      expect(ds.name).toBe('datasource');
      expect(ds.current?.value).toBe(DATASOURCE_UIDS.prometheus);
    }
  });
});

describe('dashboards: conventions', () => {
  const ctx = ctxOf();
  const built = buildDashboards(ctx);

  it('each dashboard has its stable uid and links to its related dashboards', () => {
    for (const key of Object.keys(DASHBOARD_UIDS) as DashboardKey[]) {
      expect(built[key].uid).toBe(DASHBOARD_UIDS[key]);
      expect(built[key].title).toBe(DASHBOARD_TITLES[key]);
      expect((built[key].links ?? []).map((l) => l.url)).toEqual(RELATED[key].map((r) => `/d/${DASHBOARD_UIDS[r]}`));
      expect((built[key].links ?? []).every((l) => l.keepTime && l.includeVars)).toBe(true);
    }
  });

  it('panel ids come from titles, so adding a panel does not renumber the others', () => {
    expect(panelId('Latency p95 by route')).toBe(panelId('Latency p95 by route'));
    expect(panelId('Latency p95 by route')).not.toBe(panelId('Latency p99 by route'));
    const p95 = (built.apiPerformance.panels ?? []).find((p) => p.title === 'Latency p95 by route');
    expect(p95?.id).toBe(panelId('Latency p95 by route'));
  });

  it('every raw rate uses $__rate_interval; recorded series keep their fixed 5m window', () => {
    for (const d of Object.values(rendered(ctx))) {
      for (const q of panelQueries(d)) {
        for (const m of q.expr.matchAll(/\b(rate|irate|increase)\([^[]*\[([^\]]+)\]/g)) expect(m[2], `${q.panel}: ${q.expr}`).toBe('$__rate_interval');
      }
    }
  });

  it('every recorded series a panel selects is written by a recording rule, with the label values the rules set', () => {
    const rules = recordingRuleGroups(ctx.config.slo).flatMap((g) => g.rules);
    const recordedNames = new Set(rules.map((r) => r.record));
    let checked = 0;
    for (const d of Object.values(rendered(ctx))) {
      for (const q of panelQueries(d)) {
        for (const s of selectorsOf(q.expr)) {
          if (!s.metric.includes(':')) continue;
          checked++;
          expect(recordedNames.has(s.metric), `${q.panel}: ${s.metric}`).toBe(true);
          for (const m of s.matchers.filter((x) => x.op === '=' && !x.value.startsWith('$'))) {
            const values = rules.filter((r) => r.record === s.metric).map((r) => r.labels?.[m.label]);
            // A label the rules set (quantile) must have one of their values; any other must be one the recording keeps (le).
            if (values.some((v) => v !== undefined)) expect(values, `${q.panel}: ${s.text}`).toContain(m.value);
            else expect(Object.values(recorded).find((h) => h.name === s.metric)?.labels, `${q.panel}: ${s.text}`).toContain(m.label);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('with every variable at "All", each query is plain PromQL over catalog series', () => {
    for (const d of Object.values(rendered(ctx))) {
      const queries = panelQueries(d);
      expect(queries.length).toBeGreaterThan(10);
      for (const q of queries) {
        const expanded = expandForAll(q.expr, d, { rateInterval: '1m' });
        expect(expanded).not.toMatch(/\$/);
        expect(() => selectorsOf(expanded)).not.toThrow();
      }
    }
  });
});

describe('dashboard lint', () => {
  const ctx = ctxOf();

  it('passes on every rendered dashboard of every committed stack', () => {
    for (const stack of ['dev', 'staging', 'prod']) {
      const artifacts = renderStack(loadStackConfigFile(REPO, stack)).filter((a) => a.path.startsWith('dashboards/'));
      expect(artifacts.map((a) => a.path).sort()).toEqual(Object.values(DASHBOARD_UIDS).map((u) => `dashboards/${u}.json`).sort());
      for (const a of artifacts) expect(lintDashboard(JSON.parse(a.content) as LintDashboard, catalog), `${stack} ${a.path}`).toEqual([]);
    }
  });

  const base = rendered(ctx).apiPerformance;
  const firstPanel = (d: LintDashboard) => (d.panels ?? []).find((p) => p.type !== 'row') as PanelJson & Record<string, unknown>;
  type Mutable = { -readonly [K in keyof PanelJson]: PanelJson[K] } & Record<string, unknown>;

  const cases: [string, (d: LintDashboard) => void, string, RegExp][] = [
    ['a panel without a title', (d) => ((firstPanel(d) as Mutable).title = ''), 'panel-title', /has no title/],
    ['a panel without a unit', (d) => delete (firstPanel(d).fieldConfig!.defaults as Record<string, unknown>).unit, 'panel-unit', /has no unit/],
    ['a panel on a fixed datasource', (d) => ((firstPanel(d) as Mutable).datasource = { type: 'prometheus', uid: 'obs-prometheus' }), 'panel-datasource', /must use the datasource variable/],
    ['a duplicate panel id', (d) => (((d.panels ?? [])[2] as Mutable).id = firstPanel(d).id), 'panel-id-unique', /is also used by/],
    ['overlapping panels', (d) => ((firstPanel(d) as Mutable).gridPos = { x: 12, y: 1, w: 12, h: 8 }), 'grid-overlap', /overlaps panel "Request rate by route"/],
    ['a panel past the 24 columns', (d) => ((firstPanel(d) as Mutable).gridPos = { x: 20, y: 200, w: 8, h: 8 }), 'grid-position', /outside the 24-column grid/],
    ['a query that does not parse', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(rate(http_requests_total[5m])'), 'query-parses', /does not parse/],
    ['a metric the catalog lacks', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(http_requests_count)'), 'query-catalog', /"http_requests_count" is not in the catalog/],
    ['a label the metric lacks', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(http_requests_total{pod="x"})'), 'query-catalog', /has no label "pod"/],
    ['a fixed rate window', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(rate(http_requests_total[5m]))'), 'rate-interval', /rate\(\) over \[5m\]: use \[\$__rate_interval\]/],
    ['a selector or-ed with arithmetic', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'active_connections or (sum by (service) (active_connections) * 0)'), 'or-metric-name', /active_connections keeps its metric name/],
    ['a topk or-ed with arithmetic', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = '(sum(active_connections) * 0) or topk(3, (active_connections))'), 'or-metric-name', /topk\(3, \(active_connections\)\) keeps its metric name/],
    ['exemplars asked of a series without them', (d) => ((firstPanel(d).targets![0] as { exemplar?: boolean }).exemplar = true), 'exemplar-source', /asks for exemplars, but none of its series carries trace exemplars/],
    ['an undefined variable', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(http_requests_total{service=~"$app"})'), 'variable-defined', /uses \$app/],
    ['a multi-value variable matched with =', (d) => ((firstPanel(d).targets![0] as { expr: string }).expr = 'sum(http_requests_total{service="$service"})'), 'variable-regex', /needs =~ or !~/],
    ['label_values of a label the metric lacks', (d) => (((d.templating.list ?? [])[1] as { query: string }).query = 'label_values(http_requests_total, pod)'), 'template-query', /has no label "pod"/],
    ['label_values of an unknown metric', (d) => (((d.templating.list ?? [])[1] as { query: string }).query = 'label_values(http_request_total, service)'), 'query-catalog', /not in the catalog/],
    ['label_values over a selector that does not parse', (d) => (((d.templating.list ?? [])[1] as { query: string }).query = 'label_values(http_requests_total{, service)'), 'query-parses', /does not parse/],
    ['a variable query that is not label_values', (d) => (((d.templating.list ?? [])[1] as { query: string }).query = 'query_result(up)'), 'template-query', /is not label_values/],
    ['no datasource variable', (d) => ((d.templating as { list?: unknown[] }).list = (d.templating.list ?? []).slice(1)), 'template-datasource', /needs a Prometheus datasource variable/],
  ];

  it('finds nothing wrong with the unmodified dashboard', () => {
    expect(lintDashboard(clone(base), catalog)).toEqual([]);
  });

  it('accepts `or` when both sides keep the name, or both drop it', () => {
    for (const expr of [
      'active_connections or active_connections offset 1h',
      'sum(active_connections) or vector(0)',
      '(active_connections * 1) or (sum by (service) (active_connections) * 0)',
      'label_replace(active_connections, "a", "b", "c", "d") or (active_connections and on(service) up)',
    ]) {
      const d = clone(base);
      (firstPanel(d).targets![0] as { expr: string }).expr = expr;
      expect(lintDashboard(d, catalog).filter((p) => p.rule === 'or-metric-name'), expr).toEqual([]);
    }
  });

  it('accepts exemplars on the raw request-duration buckets, which carry trace IDs', () => {
    const d = clone(base);
    Object.assign(firstPanel(d).targets![0], { exemplar: true, expr: 'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))' });
    expect(lintDashboard(d, catalog)).toEqual([]);
  });

  it('render stops with one error listing every problem', () => {
    const d = clone(base);
    (firstPanel(d) as Mutable).title = '';
    ((d.panels ?? [])[2].targets![0] as { expr: string }).expr = 'nope{';
    const e = errorOf(() => assertDashboardLint(d, catalog));
    expect(e.key).toBe('dashboard obs-api-performance');
    expect(e.problem.split('\n').filter((l) => l.startsWith('  ['))).toHaveLength(2);
  });

  it.each(cases)('rejects %s', (_name, mutate, rule, message) => {
    const d = clone(base);
    mutate(d);
    const problems = lintDashboard(d, catalog);
    expect(problems.map((p) => p.rule)).toContain(rule);
    expect(problems.find((p) => p.rule === rule)!.message).toMatch(message);
  });
});

describe('query helpers for dashboards', () => {
  const requests = series(app.http_requests_total);

  it('label_values goes through the handle: metric, matchers and label are checked', () => {
    expect(labelValues(requests, 'route', { service: { re: '$service' } })).toBe('label_values(http_requests_total{service=~"$service"}, route)');
    expect(errorOf(() => labelValues(requests, 'pod' as 'route')).problem).toMatch(/has no label "pod" for label_values/);
    expect(errorOf(() => labelValues(requests, 'route', { pod: 'x' } as unknown as { route: string })).problem).toMatch(/has no label "pod"/);
  });

  it('topk keeps the labels of its argument and wants a positive integer k', () => {
    const q = topk(5, sum(requests.select(), ['route']));
    expect(q.toString()).toBe('topk(5, sum by (route) (http_requests_total))');
    expect(q.labels).toEqual(['route']);
    expect(errorOf(() => topk(0, requests.select())).key).toBe('query.topk');
  });
});
