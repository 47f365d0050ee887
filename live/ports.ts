/**
 * Free loopback ports for the live stack. The kernel picks them (port 0), so they never collide
 * with the default ports of a Prometheus or Redis already running on the machine.
 */
import * as net from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Distinct free ports, one per name. */
export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const taken = new Set<number>();
  const out = {} as Record<K, number>;
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    out[name] = port;
  }
  return out;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
