/** Tiny scrape targets on 127.0.0.1 for the HA tests: each serves one counter on /metrics. */
import * as http from 'node:http';
import { LOOPBACK } from '../ports';

export interface DemoTarget {
  /** host:port, the `instance` label Prometheus gives it. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startDemoTarget(port: number): Promise<DemoTarget> {
  const started = Date.now();
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    const seconds = Math.floor((Date.now() - started) / 1000);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE ha_demo_seconds_total counter\nha_demo_seconds_total ${seconds}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, resolve);
  });
  return {
    address: `${LOOPBACK}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
