/**
 * Rewrites test/fixtures/exporters/prometheus.remote-write.summary.txt from the pinned Prometheus:
 * the remote-write families only exist while a remote_write queue runs, so the main capture
 * (scripts/captureExporterFixtures.ts) never sees them. Starts a Prometheus that scrapes itself
 * and remote-writes to a closed 127.0.0.1 port (failing sends, retries) with a write relabelling
 * that drops one series (so samples_dropped_total exists), and summarizes its remote families.
 *
 *   npx tsx scripts/captureRemoteWriteFixture.ts      after bumping Prometheus in stacks/versions.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeExposition } from '../live/exposition';
import { freePorts, LOOPBACK } from '../live/ports';
import { Supervisor } from '../live/processes';
import { PrometheusService } from '../live/services/prometheus';

const FIXTURE = path.resolve(__dirname, '../test/fixtures/exporters/prometheus.remote-write.summary.txt');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-rw-fixture-'));
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  try {
    const ports = await freePorts(['prometheus', 'closed'] as const);
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: {scrape_interval: 1s}',
        `scrape_configs: [{job_name: prometheus, static_configs: [{targets: ['${LOOPBACK}:${ports.prometheus}']}]}]`,
        `remote_write: [{name: engine, url: 'http://${LOOPBACK}:${ports.closed}/api/v1/receive', write_relabel_configs: [{source_labels: [__name__], regex: 'go_goroutines', action: drop}]}]`,
        '',
      ].join('\n'),
    );
    const prometheus = new PrometheusService(supervisor, path.join(dir, 'prometheus.yml'), path.join(dir, 'data'), ports.prometheus);
    await prometheus.start();
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const text = await (await fetch(`${prometheus.url}/metrics`)).text();
    const remote = summarizeExposition(text)
      .split('\n')
      .filter((l) => l.startsWith('prometheus_remote_storage_'));
    fs.writeFileSync(FIXTURE, `${remote.join('\n')}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), FIXTURE)} (${remote.length} families)\n`);
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
