/**
 * Rewrites test/fixtures/exporters/*.summary.txt from the pinned builds (toolchain/build.ts):
 * starts PostgreSQL and Redis (Debian's), the three exporters, Alertmanager and a Prometheus that
 * scrapes itself and Alertmanager, on 127.0.0.1, gives the databases a little work, and writes one
 * line per metric family: name | type | labels={...} | series=N | help. test/catalog.test.ts
 * checks every catalog exporter entry (type and label set) against these files, and
 * test/exporterFixtures.test.ts that they still describe the pinned versions.
 *
 *   npx tsx scripts/captureExporterFixtures.ts      after bumping an exporter in stacks/versions.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { freePorts, LOOPBACK } from '../live/ports';
import { Supervisor } from '../live/processes';
import { startAlertmanager } from '../live/services/alertmanager';
import { startBlackboxExporter, startNodeExporter, startPostgresExporter, startRedisExporter } from '../live/services/exporters';
import { startDbWorkload } from '../live/dbWorkload';
import { startTlsServer } from '../live/tlsServer';
import { LIVE_TLS_URL } from '../live/stackFile';
import { renderPostgresQueries } from '../generators/postgresQueries';
import { buildBlackboxConfig } from '../generators/uptime';
import { toYaml } from '../generators/yaml';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { postgresExporterCollectorArgs } from '../stacks/recipes';
import { startPostgres } from '../live/services/postgres';
import { PrometheusService } from '../live/services/prometheus';
import { startRedis } from '../live/services/redis';
import { summarizeExposition } from '../live/exposition';

export const FIXTURE_DIR = path.resolve(__dirname, '..', 'test', 'fixtures', 'exporters');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-fixtures-'));
  fs.chmodSync(dir, 0o755);
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  try {
    const ports = await freePorts(['postgres', 'redis', 'pgExporter', 'redisExporter', 'nodeExporter', 'blackboxExporter', 'tls', 'alertmanager', 'prometheus']);
    // The exporters run with the flags and files the dev stack deploys them with.
    const config = loadStackConfigFile(path.resolve(__dirname, '..'), 'dev');
    const uptimeConfig = { ...config, uptime: { ...config.uptime, urls: [LIVE_TLS_URL] } };
    const [pg, redis, node] = await Promise.all([startPostgres(supervisor, dir, ports.postgres), startRedis(supervisor, dir, ports.redis), startNodeExporter(supervisor, ports.nodeExporter)]);
    // Work that makes the per-table, per-database and keyspace families appear.
    const client = new Client({ connectionString: pg.dsn() });
    await client.connect();
    await client.query('CREATE TABLE IF NOT EXISTS fixture_items (id serial PRIMARY KEY, name text)');
    await client.query("INSERT INTO fixture_items (name) SELECT 'x' || g FROM generate_series(1, 100) g");
    await client.query('SELECT count(*) FROM fixture_items');
    await client.end();
    // A seq-scanned table, an unused index and a slow statement (the Queries families).
    const workload = await startDbWorkload(pg.dsn());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await workload.stop();
    const r = new Redis(redis.url);
    await r.set('fixture:key', 'v');
    await r.get('fixture:key');
    await r.get('fixture:missing');
    r.disconnect();
    const queriesFile = path.join(dir, 'queries.yaml');
    fs.writeFileSync(queriesFile, renderPostgresQueries(config));
    const blackboxFile = path.join(dir, 'blackbox.yml');
    fs.writeFileSync(blackboxFile, toYaml(buildBlackboxConfig(uptimeConfig)));
    const tls = await startTlsServer(path.join(dir, 'tls'), ports.tls);
    const [pgExporter, redisExporter, blackbox] = await Promise.all([
      startPostgresExporter(supervisor, ports.pgExporter, pg.dsn(), postgresExporterCollectorArgs(config, queriesFile)),
      startRedisExporter(supervisor, ports.redisExporter, redis.url),
      startBlackboxExporter(supervisor, ports.blackboxExporter, blackboxFile),
    ]);

    const amDir = path.join(dir, 'alertmanager');
    fs.mkdirSync(path.join(amDir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(amDir, 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n- name: none\n');
    const am = await startAlertmanager(supervisor, path.join(amDir, 'alertmanager.yml'), path.join(amDir, 'data'), ports.alertmanager);
    const promDir = path.join(dir, 'prometheus');
    fs.mkdirSync(promDir, { recursive: true });
    // One rule group, so the per-group rule metrics exist.
    fs.writeFileSync(path.join(promDir, 'rules.yml'), 'groups: [{name: fixture, rules: [{record: "job:up:sum", expr: "sum by (job) (up)"}]}]\n');
    fs.writeFileSync(
      path.join(promDir, 'prometheus.yml'),
      [
        'global: {scrape_interval: 1s, evaluation_interval: 1s}',
        `rule_files: ['${path.join(promDir, 'rules.yml')}']`,
        `alerting: {alertmanagers: [{static_configs: [{targets: ['${LOOPBACK}:${ports.alertmanager}']}]}]}`,
        `scrape_configs: [{job_name: prometheus, static_configs: [{targets: ['${LOOPBACK}:${ports.prometheus}']}]}]`,
        '',
      ].join('\n'),
    );
    const prometheus = new PrometheusService(supervisor, path.join(promDir, 'prometheus.yml'), path.join(promDir, 'data'), ports.prometheus);
    await prometheus.start();
    // A few scrapes and evaluations, so the per-target and per-Alertmanager families exist.
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const sources: Record<string, string> = {
      postgres_exporter: `http://${pgExporter.address}/metrics`,
      redis_exporter: `http://${redisExporter.address}/metrics`,
      node_exporter: `http://${node.address}/metrics`,
      alertmanager: `${am.url}/metrics`,
      prometheus: `${prometheus.url}/metrics`,
      // The https probe has every family the http one has, and the certificate's expiry.
      blackbox_exporter: `http://${blackbox.address}/probe?module=http_200_insecure&target=${encodeURIComponent(`https://${LOOPBACK}:${ports.tls}/`)}`,
    };
    for (const [name, url] of Object.entries(sources)) {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      const file = path.join(FIXTURE_DIR, `${name}.summary.txt`);
      fs.writeFileSync(file, summarizeExposition(await res.text()));
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
    await tls.stop();
  } finally {
    await supervisor.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`capture: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
