/**
 * Ratio panels whose numerator series does not exist (yet) still show a number. Counters appear
 * with their first increment: a cache that only missed has no cache_hits_total series, a service
 * that never failed no 5xx series. With promtool evaluating the committed prod rules, every such
 * panel's query, as Grafana sends it, must return 0 (or 100% for availability) with the panel's
 * labels, not an empty result. (The alerts on the same ratios are in the adversarial suite.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import * as app from '../../catalog/application';
import * as pg from '../../catalog/postgres';
import * as redis from '../../catalog/redis';
import { series } from '../../catalog/query';
import { TEST_TARGETS, counterOver, input } from '../../alerts/scenarioKit';
import { RULES_DIR } from '../../alerts/ruleFiles';
import { expandForAll } from '../../dashboards/queries';
import type { LintDashboard } from '../../dashboards/lint';
import { DASHBOARD_UIDS, type DashboardKey } from '../../dashboards/uids';
import { REPO, cleanedTempDir } from '../helpers';
import { runTool } from '../tools';

/** Scratch directories of this file, removed when its tests are done. */
const tempDir = cleanedTempDir();

const STACK = 'prod';
const T = TEST_TARGETS.app;
const PG = TEST_TARGETS.postgres;
const R = TEST_TARGETS.redis;

function panelExpr(key: DashboardKey, title: string): string {
  const d = JSON.parse(fs.readFileSync(path.join(REPO, 'generated', STACK, 'dashboards', `${DASHBOARD_UIDS[key]}.json`), 'utf8')) as LintDashboard;
  const p = (d.panels ?? []).find((x) => x.title === title) as { targets?: readonly { expr: string; refId?: string }[] } | undefined;
  // Query A is what the panel measures; further queries draw targets (per-cache target lines).
  const measured = p?.targets?.find((t) => t.refId === 'A');
  if (!measured) throw new Error(`${key} has no panel "${title}" with a query A`);
  return expandForAll(measured.expr, d, { rateInterval: '1m' });
}

const CASES: readonly { key: DashboardKey; title: string; labels: string; value: number }[] = [
  // Panels that select a recording directly keep its name.
  { key: 'apiPerformance', title: 'Cache hit ratio by cache', labels: `service_cache:cache_hits:ratio_rate5m{cache="feed",service="${T.service}"}`, value: 0 },
  { key: 'apiPerformance', title: 'Error ratio by route', labels: `{route="/api/orders",service="${T.service}"}`, value: 0 },
  { key: 'serviceOverview', title: 'Error ratio by service', labels: `service:http_request_errors:ratio_rate5m{service="${T.service}"}`, value: 0 },
  { key: 'serviceOverview', title: 'Availability (30d)', labels: `{service="${T.service}"}`, value: 1 },
  { key: 'databaseRedis', title: 'Keyspace hit ratio', labels: `service_instance:redis_keyspace_hits:ratio_rate5m{instance="${R.instance}",service="${R.service}"}`, value: 0 },
  { key: 'databaseRedis', title: 'Buffer cache hit ratio', labels: `service_instance:pg_buffer_cache_hits:ratio_rate5m{instance="${PG.instance}",service="${PG.service}"}`, value: 0 },
];

describe(`stack ${STACK}: ratio panels show 0, not "No data", while the numerator series does not exist`, () => {
  it.each(CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const work = tempDir('absent-numerator');
    const rulesDir = path.join(REPO, 'generated', STACK, RULES_DIR);
    const inputs = [
      input(series(app.cache_misses_total), { ...T, cache: 'feed' }, counterOver(() => 100)),
      input(series(app.http_requests_total), { ...T, method: 'GET', route: '/api/orders', status: '200' }, counterOver(() => 600)),
      input(series(redis.redis_keyspace_misses_total), R, counterOver(() => 100)),
      input(series(pg.pg_stat_database_blks_read), { ...PG, datname: 'app' }, counterOver(() => 100)),
    ];
    const file = path.join(work, 'panels.test.yml');
    fs.writeFileSync(
      file,
      yaml.dump({
        rule_files: fs.readdirSync(rulesDir).filter((f) => f.endsWith('.recording.yml')).map((f) => path.join(rulesDir, f)),
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: inputs.map((i) => ({ series: i.series, values: i.values(31) })),
            promql_expr_test: [10, 30].map((m) => ({ expr: panelExpr(c.key, c.title), eval_time: `${m}m`, exp_samples: [{ labels: c.labels, value: c.value }] })),
          },
        ],
      }),
    );
    const r = runTool('promtool', ['test', 'rules', file]);
    expect(r.code, `${c.title}: ${panelExpr(c.key, c.title)}\n${r.output}`).toBe(0);
  });
});
