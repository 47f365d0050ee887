/**
 * Steady, realistic traffic against every app replica with autocannon: reads (mostly of a hot
 * set, so the cache has hits and misses), writes, updates and deletes, at a fixed request rate so
 * the load stays light on a 2-core CI machine. Runs until stopped.
 */
import autocannon from 'autocannon';
import { SEEDED_ITEMS } from './demoApp';

export interface TrafficOptions {
  /** Base URLs of the replicas. */
  readonly urls: readonly string[];
  /** Requests per second over all replicas. Default: 40 */
  readonly ratePerSecond?: number;
  /** Concurrent connections per replica; bounds how many slow requests can be in flight. Default: 6 */
  readonly connectionsPerReplica?: number;
  /** Each connection's request cycle. Default: requestCycle() */
  readonly requests?: autocannon.Request[];
  /** Requests per replica after which the traffic ends by itself (see Traffic.finished). Default: none, it runs until stopped */
  readonly requestsPerReplica?: number;
}

export interface TrafficStats {
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
}

export interface Traffic {
  stop(): Promise<TrafficStats>;
  /** Settles when the traffic has ended, after requestsPerReplica or by stop(). */
  readonly finished: Promise<TrafficStats>;
}

/** Lasts longer than any run; stop() ends it. */
const RUN_FOR_SECONDS = 3600;
const HOT_ITEMS = 20;

const randomId = (max: number) => 1 + Math.floor(Math.random() * max);

interface Ctx {
  created?: number;
}

/** One connection's request cycle. */
export function requestCycle(): autocannon.Request[] {
  return [
    // A tenth of these ids do not exist: 404s, as real clients produce.
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/items/${randomId(SEEDED_ITEMS + 10)}` }) },
    { method: 'GET', path: '/api/items' },
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/items/${randomId(HOT_ITEMS)}` }) },
    {
      method: 'POST',
      path: '/api/items',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'load test item' }),
      onResponse: (status, body, context) => {
        if (status === 201) (context as Ctx).created = (JSON.parse(body) as { id: number }).id;
      },
    },
    { method: 'PUT', setupRequest: (r) => ({ ...r, path: `/api/items/${randomId(SEEDED_ITEMS)}` }) },
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/items/${randomId(HOT_ITEMS)}` }) },
    { method: 'DELETE', setupRequest: (r, context) => ({ ...r, path: `/api/items/${(context as Ctx).created ?? SEEDED_ITEMS + 1}` }) },
  ];
}

export function startTraffic(options: TrafficOptions): Traffic {
  const rate = (options.ratePerSecond ?? 40) / options.urls.length;
  const instances = options.urls.map((url) => {
    let finish: (r: autocannon.Result) => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const result = new Promise<autocannon.Result>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    result.catch(() => undefined); // reported by stop(), not as an unhandled rejection
    const instance = autocannon(
      {
        url,
        connections: options.connectionsPerReplica ?? 6,
        overallRate: rate,
        duration: RUN_FOR_SECONDS,
        ...(options.requestsPerReplica === undefined ? {} : { amount: options.requestsPerReplica }),
        timeout: 30,
        requests: options.requests ?? requestCycle(),
      },
      (err, r) => (err ? fail(err instanceof Error ? err : new Error(String(err))) : finish(r)),
    );
    return { instance, result };
  });
  const finished = Promise.all(instances.map((i) => i.result)).then((results) => ({
    requests: results.reduce((n, r) => n + r.requests.total, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
  }));
  finished.catch(() => undefined); // reported by stop() or to whoever awaits finished
  return {
    finished,
    stop: async () => {
      for (const i of instances) i.instance.stop();
      return finished;
    },
  };
}
