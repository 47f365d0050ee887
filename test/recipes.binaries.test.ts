/**
 * The command lines and health endpoints in stacks/recipes.ts, run against the real binaries of
 * the pinned versions (toolchain/build.ts, `npm run tools`): each starts with exactly the
 * recipe's flags and environment (GOMEMLIMIT included; container paths mapped into a temp dir,
 * listening on 127.0.0.1) and answers its
 * readiness and liveness paths with 200. Jaeger runs its recipe in the live stack
 * (live/services/jaeger.ts, on free ports); Grafana is not built here (docs/toolchain.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderStack } from '../render/renderStack';
import type { ContainerRecipe } from '../stacks/recipes';
import { alertmanagerRecipe, blackboxExporterRecipe, nodeExporterRecipe, postgresExporterRecipe, prometheusRecipe, redisExporterRecipe } from '../stacks/recipes';
import { config, tempDir } from './helpers';
import { requireTool } from './tools';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) if (p.exitCode === null) p.kill('SIGTERM');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Recipe args with container paths mapped by `paths` and `:<port>` listeners moved to 127.0.0.1:<free>. */
function localArgs(recipe: ContainerRecipe, paths: Record<string, string>, port: number): string[] {
  const prefixes = Object.keys(paths).sort((a, b) => b.length - a.length);
  return recipe.args.map((a) => {
    const m = /^(--[a-z.-]+=)(.*)$/.exec(a);
    if (!m) return a;
    const [, flag, value] = m;
    if (flag === '--web.listen-address=') return `${flag}127.0.0.1:${port}`;
    const from = prefixes.find((p) => value === p || value.startsWith(`${p}/`));
    return from === undefined ? a : `${flag}${paths[from]}${value.slice(from.length)}`;
  });
}

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return 200;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within 20 s:\n${log()}`);
}

async function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; log: () => string }> {
  let output = '';
  const child = spawn(requireTool(bin), args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return { child, log: () => output };
}

async function checkHealth(recipe: ContainerRecipe, port: number, child: ChildProcess, log: () => string): Promise<void> {
  expect(await waitFor(`http://127.0.0.1:${port}${recipe.readiness.path}`, child, log)).toBe(200);
  const liveness = recipe.liveness;
  if (!('path' in liveness)) throw new Error(`${recipe.name}: the monitoring services answer an HTTP liveness path`);
  expect(await waitFor(`http://127.0.0.1:${port}${liveness.path}`, child, log)).toBe(200);
  child.kill('SIGTERM');
}

describe('recipes run on the real binaries', () => {
  const c = config({ target: 'docker', retention: { time: '3d', size: '1GB' } }, 'dev');

  it('prometheus: config file, TSDB path and retention flags; /-/ready and /-/healthy', async () => {
    const root = tempDir('prom');
    const recipe = prometheusRecipe(c);
    const mapped = { '/etc/prometheus': path.join(root, 'etc'), '/prometheus': path.join(root, 'data') };
    for (const a of renderStack(c).filter((x) => x.path.startsWith('prometheus/'))) {
      const rel = a.path === 'prometheus/prometheus.yml' ? 'config/prometheus.yml' : a.path.slice('prometheus/'.length);
      const file = path.join(root, 'etc', rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // rule_files names the container's rules directory; point it at the temp copy.
      fs.writeFileSync(file, a.content.split('/etc/prometheus').join(path.join(root, 'etc')));
    }
    const port = await freePort();
    const args = localArgs(recipe, mapped, port);
    expect(args).toContain('--storage.tsdb.retention.time=3d');
    expect(args).toContain('--storage.tsdb.retention.size=1GB');
    // 90% of dev's 1Gi limit; the Go runtime refuses to start on a GOMEMLIMIT it cannot parse.
    expect(recipe.env.GOMEMLIMIT).toBe('921MiB');
    const { child, log } = await run('prometheus', args, recipe.env);
    await checkHealth(recipe, port, child, log);
    expect(log()).toMatch(/Completed loading of configuration file/);
  });

  it('alertmanager: config and storage flags with gossip off; /-/ready and /-/healthy', async () => {
    const root = tempDir('am');
    const recipe = alertmanagerRecipe(c);
    // A minimal valid file: this checks the flags, not the rendered routing.
    fs.mkdirSync(path.join(root, 'config'));
    fs.writeFileSync(path.join(root, 'config', 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n- name: none\n');
    const port = await freePort();
    const args = localArgs(recipe, { '/etc/alertmanager': root, '/alertmanager': path.join(root, 'data') }, port);
    expect(args).toContain('--cluster.listen-address=');
    const { child, log } = await run('alertmanager', args, recipe.env);
    await checkHealth(recipe, port, child, log);
    // With clustering on, Alertmanager waits for gossip to settle and says so.
    expect(log()).not.toMatch(/gossip/i);
  });

  it('node_exporter: host path flags; / answers', async () => {
    const recipe = nodeExporterRecipe(c);
    const port = await freePort();
    const args = localArgs(recipe, { '/host/proc': '/proc', '/host/sys': '/sys', '/host/root': '/' }, port);
    const { child, log } = await run('node_exporter', args, recipe.env);
    await checkHealth(recipe, port, child, log);
  });

  it('postgres_exporter: the statement collector and the rendered queries file; the landing page answers even when the database is down', async () => {
    const root = tempDir('pgexp');
    const recipe = postgresExporterRecipe(c);
    fs.writeFileSync(path.join(root, 'queries.yaml'), renderStack(c).find((a) => a.path === 'postgres-exporter/queries.yaml')!.content);
    const port = await freePort();
    const dead = await freePort();
    const args = localArgs(recipe, { '/etc/postgres_exporter': root }, port);
    expect(args).toEqual(expect.arrayContaining(['--collector.stat_statements', '--collector.stat_statements.include_query', '--collector.stat_statements.limit=20', '--no-collector.stat_user_tables']));
    // An unknown flag or collector would exit at once; the live stack shows the queries file's series.
    const { child, log } = await run('postgres_exporter', args, { ...recipe.env, DATA_SOURCE_NAME: `postgresql://x@127.0.0.1:${dead}/x?sslmode=disable` });
    await checkHealth(recipe, port, child, log);
  });

  it('blackbox_exporter: the rendered blackbox.yml passes --config.check; /-/healthy answers', async () => {
    const root = tempDir('blackbox');
    const withUrls = config({ target: 'docker', uptime: { urls: [{ name: 'public', url: 'https://shop.example.com/', expectedStatus: 301 }, { name: 'internal', url: 'https://10.0.0.5/', insecureSkipVerify: true }] } }, 'dev');
    const recipe = blackboxExporterRecipe(withUrls);
    const file = path.join(root, 'blackbox.yml');
    fs.writeFileSync(file, renderStack(withUrls).find((a) => a.path === 'blackbox/blackbox.yml')!.content);
    const args = localArgs(recipe, { '/etc/blackbox_exporter/config': root }, await freePort());
    const check = spawnSync(requireTool('blackbox_exporter'), [...args, '--config.check'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stderr).toMatch(/Config file is ok/);
    // A module the exporter does not know is refused by the same check: it is a real check.
    fs.writeFileSync(path.join(root, 'bad.yml'), 'modules:\n  x:\n    prober: http\n    htttp: {}\n');
    expect(spawnSync(requireTool('blackbox_exporter'), ['--config.check', `--config.file=${path.join(root, 'bad.yml')}`], { encoding: 'utf8' }).status).not.toBe(0);
    const port = await freePort();
    const { child, log } = await run('blackbox_exporter', localArgs(recipe, { '/etc/blackbox_exporter/config': root }, port));
    await checkHealth(recipe, port, child, log);
  });

  it('redis_exporter: listens where its env says; /health answers even when Redis is down', async () => {
    const port = await freePort();
    const dead = await freePort();
    const recipe = redisExporterRecipe(config({ target: 'docker', exporters: { redis: { address: `127.0.0.1:${dead}` } } }, 'dev'), false);
    const env = { ...recipe.env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}` };
    expect(recipe.env.REDIS_ADDR).toBe(`redis://127.0.0.1:${dead}`);
    const { child, log } = await run('redis_exporter', [...recipe.args], env);
    await checkHealth(recipe, port, child, log);
  });
});
