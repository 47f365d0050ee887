/**
 * The demo application the live stack monitors: a small item-catalog API that does what the
 * dashboards and alerts expect of a real service. It is instrumented only through
 * instrumentation/ (metrics.ts, tracing.ts), runs real SQL against PostgreSQL (pg) and real
 * commands against Redis (ioredis, as a read-through cache), and serves /metrics and /healthz.
 *
 * For the live test it also takes injected faults on POST /_demo/faults (JSON, see Faults):
 * a share of requests answer 500 at once, another share is delayed, and chosen routes answer
 * with latencies following a profile (the budget gate's test slows one route by 30%, another by 7%).
 * That control route is not instrumented, so it never shows up in the metrics it distorts.
 *
 * Run: PORT=8080 DATABASE_URL=postgresql://... REDIS_URL=redis://... SERVICE_NAME=shop-api \
 *      node --import tsx live/demoApp.ts
 */
import * as http from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { createAppMetrics, observeRequest, recordCacheLookup, timeDbQuery, timeRedisOperation, type AppMetrics } from '../instrumentation/metrics';
import { startTracing } from '../instrumentation/tracing';

export interface Faults {
  /** Share of requests (0..1) answered with 500 before any work. */
  readonly errorRatio: number;
  /** Share of requests (0..1) delayed by slowSeconds before they are handled. */
  readonly slowRatio: number;
  readonly slowSeconds: number;
  /**
   * Latency by route (the `route` label), as points [share, seconds] of its quantile function,
   * shares rising from 0 to 1: with [[0, 0], [0.3, 0.2], [0.8, 0.6], [1, 1]] 30% of the requests
   * take up to 200 ms, half 200-600 ms and a fifth 600 ms-1 s, evenly within each span. A request
   * answers no sooner than its latency from the profile; its own work counts towards it, so a
   * busy machine adds only its lateness in waking the timer. Multiplying every `seconds` by 1.3
   * makes the route 30% slower at every quantile. Default: none
   */
  readonly routeLatency?: Readonly<Record<string, LatencyProfile>>;
  /** Status /healthz answers with instead of 200, e.g. 503 for an app whose health check fails (the uptime probes' test). Default: none */
  readonly healthStatus?: number;
}
export type LatencyProfile = readonly (readonly [share: number, seconds: number])[];
export const NO_FAULTS: Faults = { errorRatio: 0, slowRatio: 0, slowSeconds: 0 };

/** The delay at quantile u (0..1) of a profile: linear between its points. */
export function profileDelay(profile: LatencyProfile, u: number): number {
  for (let i = 1; i < profile.length; i++) {
    const [q0, s0] = profile[i - 1];
    const [q1, s1] = profile[i];
    if (u <= q1) return s0 + ((s1 - s0) * (u - q0)) / (q1 - q0);
  }
  return profile[profile.length - 1][1];
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Quantiles for successive requests of one route: the golden-ratio sequence, which covers 0..1
 * evenly from the first few requests on. With random draws a few hundred requests would scatter
 * a route's quantiles by several percent and hide the changes the budget test injects.
 */
export class EvenQuantiles {
  private n = 0;
  next(): number {
    this.n += 1;
    return (this.n * GOLDEN) % 1;
  }
}

export const FAULTS_PATH = '/_demo/faults';
export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';
/** Rows the items table is seeded with; the traffic generator asks for ids a bit beyond it (404s). */
export const SEEDED_ITEMS = 100;

export interface DemoAppOptions {
  readonly port: number;
  /** Default: 127.0.0.1 */
  readonly host?: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** service.name of the spans. The `service` label comes from the scrape config, as in the stack. */
  readonly serviceName: string;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

interface Route {
  readonly method: string;
  /** The `route` label: a template, never the raw path. */
  readonly template: string;
  readonly pattern: RegExp;
  readonly handle: (ctx: Deps, id: number | undefined, body: string) => Promise<Reply>;
}

interface Deps {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly metrics: AppMetrics;
}

const CACHE_TTL_SECONDS = 30;

/** Read-through cache: Redis first; a Redis failure counts as a miss, so the app degrades, not fails. */
async function cached<T>(d: Deps, cache: string, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  let hit: string | null = null;
  try {
    hit = await timeRedisOperation(d.metrics, 'get', () => d.redis.get(key));
  } catch {
    hit = null;
  }
  recordCacheLookup(d.metrics, cache, hit !== null);
  if (hit !== null) return JSON.parse(hit) as T;
  const value = await load();
  if (value !== undefined) {
    await timeRedisOperation(d.metrics, 'set', () => d.redis.set(key, JSON.stringify(value), 'EX', CACHE_TTL_SECONDS)).catch(() => undefined);
  }
  return value;
}

async function invalidate(d: Deps, key: string): Promise<void> {
  await timeRedisOperation(d.metrics, 'del', () => d.redis.del(key)).catch(() => undefined);
}

const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: HEALTH_PATH,
    pattern: /^\/healthz$/,
    handle: async () => ({ status: 200, body: { ok: true } }),
  },
  {
    method: 'GET',
    template: '/api/items',
    pattern: /^\/api\/items$/,
    handle: async (d) => {
      const rows = await cached(d, 'item-list', 'items:list', async () =>
        (await timeDbQuery(d.metrics, 'select', 'items', () => d.pool.query('SELECT id, name, stock FROM items ORDER BY id DESC LIMIT 20'))).rows,
      );
      return { status: 200, body: rows };
    },
  },
  {
    method: 'POST',
    template: '/api/items',
    pattern: /^\/api\/items$/,
    handle: async (d, _id, body) => {
      let name = 'item';
      try {
        name = String((JSON.parse(body || '{}') as { name?: unknown }).name ?? 'item').slice(0, 100);
      } catch {
        return { status: 400, body: { error: 'body must be JSON' } };
      }
      const r = await timeDbQuery(d.metrics, 'insert', 'items', () => d.pool.query('INSERT INTO items (name, stock) VALUES ($1, 0) RETURNING id', [name]));
      await invalidate(d, 'items:list');
      return { status: 201, body: { id: r.rows[0].id } };
    },
  },
  {
    method: 'GET',
    template: '/api/items/:id',
    pattern: /^\/api\/items\/([0-9]+)$/,
    handle: async (d, id) => {
      const item = await cached(d, 'item', `item:${id}`, async () =>
        (await timeDbQuery(d.metrics, 'select', 'items', () => d.pool.query('SELECT id, name, stock FROM items WHERE id = $1', [id]))).rows[0],
      );
      return item ? { status: 200, body: item } : { status: 404, body: { error: 'no such item' } };
    },
  },
  {
    method: 'PUT',
    template: '/api/items/:id',
    pattern: /^\/api\/items\/([0-9]+)$/,
    handle: async (d, id) => {
      const r = await timeDbQuery(d.metrics, 'update', 'items', () =>
        d.pool.query('UPDATE items SET stock = stock + 1, updated_at = now() WHERE id = $1 RETURNING id, stock', [id]),
      );
      await invalidate(d, `item:${id}`);
      return r.rowCount ? { status: 200, body: r.rows[0] } : { status: 404, body: { error: 'no such item' } };
    },
  },
  {
    method: 'DELETE',
    template: '/api/items/:id',
    pattern: /^\/api\/items\/([0-9]+)$/,
    handle: async (d, id) => {
      const r = await timeDbQuery(d.metrics, 'delete', 'items', () => d.pool.query('DELETE FROM items WHERE id = $1 AND id > $2', [id, SEEDED_ITEMS]));
      await invalidate(d, `item:${id}`);
      await invalidate(d, 'items:list');
      return { status: r.rowCount ? 204 : 404 };
    },
  },
];

/** Finds the route of a request; undefined for unknown paths. */
export function matchRoute(method: string, path: string): { route: Route; id: number | undefined } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, id: m[1] === undefined ? undefined : Number(m[1]) };
  }
  return undefined;
}

/** Validates a faults body: ratios within 0..1 that add up to at most 1, a non-negative delay. */
export function parseFaults(text: string): Faults {
  const raw = JSON.parse(text) as Partial<Record<keyof Faults, unknown>>;
  const num = (k: keyof Faults, max: number) => {
    const v = raw[k] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v <= max)) throw new Error(`${k} must be a number in 0..${max}`);
    return v;
  };
  const f = { errorRatio: num('errorRatio', 1), slowRatio: num('slowRatio', 1), slowSeconds: num('slowSeconds', 60) };
  if (f.errorRatio + f.slowRatio > 1) throw new Error('errorRatio + slowRatio must be at most 1');
  const health = raw.healthStatus;
  if (health !== undefined && !(typeof health === 'number' && Number.isInteger(health) && health >= 200 && health <= 599)) throw new Error('healthStatus must be an HTTP status (200..599)');
  const withHealth = health === undefined ? f : { ...f, healthStatus: health as number };
  if (raw.routeLatency === undefined) return withHealth;
  return { ...withHealth, routeLatency: parseRouteLatency(raw.routeLatency) };
}

function parseRouteLatency(raw: unknown): Record<string, LatencyProfile> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('routeLatency must map routes to profiles');
  const routes = new Set(ROUTES.filter((r) => r.template !== HEALTH_PATH).map((r) => r.template));
  const out: Record<string, LatencyProfile> = {};
  for (const [route, profile] of Object.entries(raw as Record<string, unknown>)) {
    if (!routes.has(route)) throw new Error(`routeLatency: unknown route "${route}" (have: ${[...routes].join(', ')})`);
    const points = Array.isArray(profile) ? profile : [];
    const valid =
      points.length >= 2 &&
      points.every((p, i) => {
        if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') return false;
        const [share, seconds] = p as [number, number];
        const prev = points[i - 1] as [number, number] | undefined;
        return seconds >= 0 && seconds <= 60 && (prev ? share > prev[0] && seconds >= prev[1] : share === 0);
      }) &&
      (points[points.length - 1] as [number, number])[0] === 1;
    if (!valid) throw new Error(`routeLatency.${route} must be [share, seconds] points with shares rising from 0 to 1 and seconds (0..60) not falling`);
    out[route] = points as [number, number][];
  }
  return out;
}

async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Replicas start together; the lock makes one of them create and seed the table.
    await client.query('SELECT pg_advisory_xact_lock(4242)');
    await client.query('CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL, stock integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    await client.query(`INSERT INTO items (name, stock) SELECT 'item ' || n, n FROM generate_series(1, ${SEEDED_ITEMS}) n WHERE NOT EXISTS (SELECT 1 FROM items)`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

export interface DemoApp {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const tracing = startTracing({ serviceName: options.serviceName });
  const tracer = trace.getTracer('observatory-demo-app');
  const metrics = createAppMetrics();
  const pool = new Pool({ connectionString: options.databaseUrl, max: 10, connectionTimeoutMillis: 2000 });
  pool.on('error', () => undefined); // an idle client losing its server; the next query reports it
  const redis = new Redis(options.redisUrl, {
    // Fail fast while Redis is down (the cache degrades to misses) instead of queueing commands.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  redis.on('error', () => undefined); // reconnects by itself; cache calls see the failure
  await migrate(pool);
  const deps: Deps = { pool, redis, metrics };
  let faults: Faults = NO_FAULTS;
  const quantiles = new Map<string, EvenQuantiles>();
  const routeLatencyOf = (route: string): number => {
    const profile = faults.routeLatency?.[route];
    if (!profile) return 0;
    let q = quantiles.get(route);
    if (!q) quantiles.set(route, (q = new EvenQuantiles()));
    return profileDelay(profile, q.next());
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const body = await readBody(req);
    if (path === METRICS_PATH) {
      metrics.activeConnections.set({ type: 'database' }, pool.totalCount);
      metrics.activeConnections.set({ type: 'redis' }, redis.status === 'ready' ? 1 : 0);
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      return;
    }
    if (path === FAULTS_PATH) {
      if (method === 'POST') {
        try {
          faults = parseFaults(body);
        } catch (e) {
          send(res, { status: 400, body: { error: (e as Error).message } });
          return;
        }
      }
      send(res, { status: 200, body: faults });
      return;
    }
    const matched = matchRoute(method, path);
    const route = matched?.route.template ?? 'unmatched';
    const started = process.hrtime.bigint();
    metrics.activeConnections.inc({ type: 'http' });
    await tracer.startActiveSpan(`${method} ${route}`, async (span) => {
      let reply: Reply;
      try {
        const dice = Math.random();
        const injected = matched && matched.route.template !== HEALTH_PATH;
        if (matched?.route.template === HEALTH_PATH && faults.healthStatus !== undefined) {
          reply = { status: faults.healthStatus, body: { ok: false, error: 'injected health failure' } };
        } else if (injected && dice < faults.errorRatio) {
          reply = { status: 500, body: { error: 'injected fault' } };
        } else {
          if (injected && dice < faults.errorRatio + faults.slowRatio) await sleep(faults.slowSeconds);
          const atLeast = matched ? routeLatencyOf(route) : 0;
          reply = matched ? await matched.route.handle(deps, matched.id, body) : { status: 404, body: { error: 'not found' } };
          // The route's own work counts towards its profile latency: only what is left is slept.
          const left = atLeast - Number(process.hrtime.bigint() - started) / 1e9;
          if (left > 0) await sleep(left);
        }
      } catch (e) {
        span.recordException(e as Error);
        reply = { status: 500, body: { error: 'internal error' } };
      }
      span.setAttributes({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': reply.status });
      if (reply.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      send(res, reply);
      observeRequest(metrics, { method, route, status: reply.status }, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.activeConnections.dec({ type: 'http' });
    });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: e.message } });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  return {
    url: `http://${host}:${options.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
      await pool.end();
      await tracing.shutdown();
    },
  };
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`demo app: environment variable ${name} is required`);
  return v;
}

if (require.main === module) {
  startDemoApp({
    port: Number(requiredEnv('PORT')),
    host: process.env.HOST,
    databaseUrl: requiredEnv('DATABASE_URL'),
    redisUrl: requiredEnv('REDIS_URL'),
    serviceName: requiredEnv('SERVICE_NAME'),
  }).then(
    (app) => {
      process.stdout.write(`demo app ${process.env.SERVICE_NAME} listening on ${app.url}\n`);
      const stop = () => void app.close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (e: Error) => {
      process.stderr.write(`demo app failed to start: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
