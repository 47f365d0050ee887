/**
 * The whole live stack on this machine: renders a docker stack (dev by default) with every
 * receiver on, then starts in a temporary directory, on free 127.0.0.1 ports, PostgreSQL, Redis,
 * the three exporters, the demo app's replicas, the webhook receiver and SMTP sink standing in for
 * Slack/PagerDuty/e-mail/dead man's switch, Alertmanager with the derived config, Prometheus with
 * the rendered rules and the derived scrape config, and autocannon traffic. stop() (and any
 * failure while starting) stops every process it started.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { durationSeconds, isDuration } from '../catalog/duration';
import { ObservatoryError } from '../catalog/errors';
import { render } from '../cli/render';
import { listFiles } from '../render/renderFiles';
import { PORTS, appReplicaHosts, hostOf } from '../generators/topology';
import { BLACKBOX_ARTIFACT, appHost } from '../generators/uptime';
import { POSTGRES_QUERIES_ARTIFACT } from '../generators/postgresQueries';
import { postgresExporterCollectorArgs } from '../stacks/recipes';
import { startDbWorkload, type DbWorkload } from './dbWorkload';
import { startTlsServer, type TlsServer } from './tlsServer';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import type { StackConfig } from '../stacks/config/schema';
import { deriveLiveAlertmanagerConfig } from './alertmanagerConfig';
import { parseRuleFile, type RuleGroupSpec } from './checks';
import type { Faults } from './demoApp';
import { freePorts } from './ports';
import { Supervisor, onInterrupt } from './processes';
import { AlertmanagerClient, PromClient } from './promClient';
import { deriveLivePrometheusConfig } from './prometheusConfig';
import { startAlertmanager, type AlertmanagerService } from './services/alertmanager';
import { startJaeger, type JaegerService } from './services/jaeger';
import { setFaults, startDemoApps, type AppReplica } from './services/demoApps';
import { startBlackboxExporter, startNodeExporter, startPostgresExporter, startRedisExporter, type ExporterService } from './services/exporters';
import { startPostgres, type PostgresService } from './services/postgres';
import { PrometheusService } from './services/prometheus';
import { startRedis, type RedisService } from './services/redis';
import { SmtpSink } from './smtpSink';
import { LIVE_TLS_URL, liveStackFile, readStackFile, writeLiveStackFile } from './stackFile';
import { startTraffic, type Traffic, type TrafficStats } from './traffic';
import { WebhookReceiver, receiverPath } from './webhookReceiver';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface LiveStackOptions {
  /** Committed stack to render and run; must have target: docker. Default: dev */
  readonly stack?: string;
  /** Every alert's `for`, passed to render as --alert-for. Default: 30s */
  readonly alertFor?: string;
  /** Scrape and rule evaluation interval of the derived prometheus.yml. Default: 2s */
  readonly interval?: string;
  /** Alertmanager group_wait / group_interval in the derived alertmanager.yml. Defaults: 1s / 5s */
  readonly groupWait?: string;
  readonly groupInterval?: string;
  /** Traffic over all replicas, requests per second. Default: 40 */
  readonly ratePerSecond?: number;
  /** Start that background traffic. Default: true (the budget test drives its own load instead) */
  readonly traffic?: boolean;
  /** Progress lines. Default: discarded */
  readonly log?: (line: string) => void;
}

export interface RenderedStack {
  readonly dir: string;
  readonly config: StackConfig;
  readonly dashboards: readonly { readonly file: string; readonly json: unknown }[];
  readonly ruleGroups: readonly RuleGroupSpec[];
  readonly hasAlertmanagerConfig: boolean;
}

export interface LiveStack {
  readonly dir: string;
  readonly rendered: RenderedStack;
  readonly intervalSeconds: number;
  readonly prometheus: PrometheusService;
  readonly prom: PromClient;
  readonly alertmanager: AlertmanagerService;
  readonly am: AlertmanagerClient;
  readonly receiver: WebhookReceiver;
  readonly postgres: PostgresService;
  readonly redis: RedisService;
  readonly exporters: { readonly postgres: ExporterService; readonly redis: ExporterService; readonly node: ExporterService; readonly blackbox: ExporterService };
  /** The https endpoint the uptime probes read a certificate from (LIVE_TLS_URL). */
  readonly tls: TlsServer;
  readonly apps: readonly AppReplica[];
  /** The pinned Jaeger v2 the apps export their spans to. */
  readonly jaeger: JaegerService;
  readonly supervisor: Supervisor;
  /** URLs a person opens: Prometheus, Alertmanager, each app replica, the webhook receiver. */
  readonly urls: Readonly<Record<string, string>>;
  setFaults(faults: Faults): Promise<void>;
  /** Stops traffic and every process; removes the run directory unless keepFiles (default false). */
  stop(options?: { keepFiles?: boolean }): Promise<TrafficStats | undefined>;
}

/** Renders the live stack file with `--alert-for` into dir/rendered and reads the result back. */
export async function renderLiveStack(stack: string, alertFor: string, dir: string, log: (l: string) => void): Promise<RenderedStack> {
  const root = path.join(dir, 'stack');
  writeLiveStackFile(REPO_ROOT, stack, root);
  const out = path.join(dir, 'rendered');
  const code = await render(['--stack', stack, '--out', out, '--alert-for', alertFor], root, log);
  if (code !== 0) throw new Error(`render of the live stack failed with exit code ${code}`);
  const renderedDir = path.join(out, stack);
  const files = listFiles(renderedDir);
  const read = (f: string) => fs.readFileSync(path.join(renderedDir, f), 'utf8');
  return {
    dir: renderedDir,
    config: loadStackConfigFile(root, stack),
    dashboards: files.filter((f) => /^dashboards\/[^/]+\.json$/.test(f)).map((f) => ({ file: f, json: JSON.parse(read(f)) as unknown })),
    ruleGroups: files.filter((f) => /^prometheus\/rules\/[^/]+\.ya?ml$/.test(f)).flatMap((f) => parseRuleFile(f, read(f))),
    hasAlertmanagerConfig: files.includes('alertmanager/alertmanager.yml'),
  };
}

const replicaRole = (app: string, index: number) => `app ${app} replica ${index}`;

/**
 * Every address the rendered prometheus.yml of a docker stack names, and which process of the
 * live stack plays it: `redis-exporter:9121` -> `redisExporter`, `shop-api-1:8080` -> an app replica.
 */
export function renderedAddresses(config: StackConfig): Record<string, string> {
  const out: Record<string, string> = {
    [`localhost:${PORTS.prometheus}`]: 'prometheus',
    [`${hostOf(config, 'alertmanager')}:${PORTS.alertmanager}`]: 'alertmanager',
    [`${hostOf(config, 'postgresExporter')}:${PORTS.postgresExporter}`]: 'postgresExporter',
    [`${hostOf(config, 'redisExporter')}:${PORTS.redisExporter}`]: 'redisExporter',
    [`${hostOf(config, 'nodeExporter')}:${PORTS.nodeExporter}`]: 'nodeExporter',
    [`${hostOf(config, 'blackboxExporter')}:${PORTS.blackboxExporter}`]: 'blackboxExporter',
    [new URL(LIVE_TLS_URL.url).host]: 'tlsServer',
  };
  for (const app of config.apps) {
    appReplicaHosts(app).forEach((host, i) => (out[`${host}:${app.port}`] = replicaRole(app.name, i)));
    // The probes' address every replica answers to; here the first replica plays it.
    out[`${appHost(config, app)}:${app.port}`] = replicaRole(app.name, 0);
  }
  return out;
}

export async function startLiveStack(options: LiveStackOptions = {}): Promise<LiveStack> {
  const log = options.log ?? (() => undefined);
  const stack = options.stack ?? 'dev';
  const interval = options.interval ?? '2s';
  if (!isDuration(interval)) throw new ObservatoryError('interval', `"${interval}" is not a Prometheus duration`);
  // Bad input fails here, before anything is created or started.
  liveStackFile(stack, readStackFile(REPO_ROOT, stack));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-live-'));
  // PostgreSQL runs as the postgres user when we are root and must reach its directory.
  fs.chmodSync(dir, 0o755);
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  const receiver = new WebhookReceiver();
  const smtp = new SmtpSink((n) => receiver.record(n));
  let traffic: Traffic | undefined;
  let workload: DbWorkload | undefined;
  let tls: TlsServer | undefined;

  const stopAll = async (keepFiles: boolean) => {
    unregister();
    const stats = await traffic?.stop();
    await workload?.stop();
    await tls?.stop();
    await supervisor.stopAll();
    await receiver.stop();
    await smtp.stop();
    if (!keepFiles) fs.rmSync(dir, { recursive: true, force: true });
    return stats;
  };

  // Ctrl-C or a killed test run: stop traffic and servers and remove the directory too.
  const unregister = onInterrupt(() => stopAll(false));
  try {
    log(`live stack in ${dir}`);
    const rendered = await renderLiveStack(stack, options.alertFor ?? '30s', dir, log);
    if (!rendered.hasAlertmanagerConfig) throw new ObservatoryError(`stack ${stack}`, 'render produced no alertmanager/alertmanager.yml');
    const config = rendered.config;
    const replicaSpecs = config.apps.flatMap((app) => appReplicaHosts(app).map((_, index) => ({ app: app.name, index })));
    const ports = await freePorts(['postgres', 'redis', 'postgresExporter', 'redisExporter', 'nodeExporter', 'blackboxExporter', 'tls', 'alertmanager', 'prometheus', 'webhook', 'smtp', ...replicaSpecs.map((_, i) => `app${i}`)]);
    await receiver.start(ports.webhook);
    await smtp.start(ports.smtp);

    log('starting postgres, redis, node_exporter, jaeger');
    const [postgres, redis, nodeExporter, jaeger] = await Promise.all([
      startPostgres(supervisor, dir, ports.postgres),
      startRedis(supervisor, dir, ports.redis),
      startNodeExporter(supervisor, ports.nodeExporter),
      startJaeger(supervisor, config),
    ]);
    tls = await startTlsServer(path.join(dir, 'tls'), ports.tls);
    workload = await startDbWorkload(postgres.dsn());
    log('starting exporters and app replicas');
    const [postgresExporter, redisExporter, blackboxExporter, apps] = await Promise.all([
      startPostgresExporter(supervisor, ports.postgresExporter, postgres.dsn(), postgresExporterCollectorArgs(config, path.join(rendered.dir, POSTGRES_QUERIES_ARTIFACT))),
      startRedisExporter(supervisor, ports.redisExporter, redis.url),
      startBlackboxExporter(supervisor, ports.blackboxExporter, path.join(rendered.dir, BLACKBOX_ARTIFACT)),
      startDemoApps(
        supervisor,
        replicaSpecs.map((r, i) => ({ app: r.app, index: r.index, port: ports[`app${i}`] })),
        { databaseUrl: postgres.dsn(), redisUrl: redis.url, otlpEndpoint: jaeger.otlpHttpUrl },
      ),
    ]);

    const amDir = path.join(dir, 'alertmanager');
    fs.mkdirSync(path.join(amDir, 'data'), { recursive: true });
    const renderedAmDir = path.join(rendered.dir, 'alertmanager');
    for (const f of fs.readdirSync(renderedAmDir)) {
      if (f !== 'alertmanager.yml') fs.copyFileSync(path.join(renderedAmDir, f), path.join(amDir, f));
    }
    const amConfig = deriveLiveAlertmanagerConfig(fs.readFileSync(path.join(renderedAmDir, 'alertmanager.yml'), 'utf8'), {
      urlFor: (r, kind, i) => `${receiver.url}${receiverPath(r, kind, i)}`,
      smarthost: smtp.address,
      groupWait: options.groupWait ?? '1s',
      groupInterval: options.groupInterval ?? '5s',
      templatesDir: amDir,
    });
    fs.writeFileSync(path.join(amDir, 'alertmanager.yml'), amConfig);
    log('starting alertmanager');
    const alertmanager = await startAlertmanager(supervisor, path.join(amDir, 'alertmanager.yml'), path.join(amDir, 'data'), ports.alertmanager);

    const promDir = path.join(dir, 'prometheus');
    const rulesDir = path.join(promDir, 'rules');
    fs.mkdirSync(rulesDir, { recursive: true });
    const renderedRulesDir = path.join(rendered.dir, 'prometheus', 'rules');
    if (fs.existsSync(renderedRulesDir)) {
      for (const f of fs.readdirSync(renderedRulesDir)) fs.copyFileSync(path.join(renderedRulesDir, f), path.join(rulesDir, f));
    }
    const local: Record<string, string> = {
      prometheus: `127.0.0.1:${ports.prometheus}`,
      alertmanager: `127.0.0.1:${ports.alertmanager}`,
      postgresExporter: postgresExporter.address,
      redisExporter: redisExporter.address,
      nodeExporter: nodeExporter.address,
      blackboxExporter: blackboxExporter.address,
      tlsServer: `127.0.0.1:${tls.port}`,
    };
    replicaSpecs.forEach((r, i) => (local[replicaRole(r.app, r.index)] = `127.0.0.1:${apps[i].port}`));
    const addresses = Object.fromEntries(Object.entries(renderedAddresses(config)).map(([address, role]) => [address, local[role]]));
    const promConfigFile = path.join(promDir, 'prometheus.yml');
    fs.writeFileSync(
      promConfigFile,
      deriveLivePrometheusConfig(fs.readFileSync(path.join(rendered.dir, 'prometheus', 'prometheus.yml'), 'utf8'), {
        addresses,
        interval,
        ruleFiles: path.join(rulesDir, '*.yml'),
      }),
    );
    log('starting prometheus');
    const prometheus = new PrometheusService(supervisor, promConfigFile, path.join(promDir, 'data'), ports.prometheus);
    await prometheus.start();

    if (options.traffic ?? true) {
      log('starting traffic');
      traffic = startTraffic({ urls: apps.map((a) => a.url), ratePerSecond: options.ratePerSecond });
    }

    const urls: Record<string, string> = {
      prometheus: prometheus.url,
      alertmanager: alertmanager.url,
      'webhook receiver': receiver.url,
      'jaeger query API': jaeger.queryUrl,
    };
    for (const a of apps) urls[`${a.app}-${a.index}`] = a.url;
    return {
      dir,
      rendered,
      intervalSeconds: durationSeconds(interval),
      prometheus,
      prom: new PromClient(prometheus.url),
      alertmanager,
      am: new AlertmanagerClient(alertmanager.url),
      receiver,
      postgres,
      redis,
      exporters: { postgres: postgresExporter, redis: redisExporter, node: nodeExporter, blackbox: blackboxExporter },
      tls,
      apps,
      jaeger,
      supervisor,
      urls,
      setFaults: (faults) => setFaults(apps, faults),
      stop: (o) => stopAll(o?.keepFiles ?? false),
    };
  } catch (e) {
    // Keep the logs when a process was started: they say why it failed.
    const started = supervisor.all.length > 0;
    await stopAll(started).catch(() => undefined);
    if (started && e instanceof Error) e.message = `${e.message}\n(logs kept in ${path.join(dir, 'logs')})`;
    throw e;
  }
}
