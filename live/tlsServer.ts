/**
 * An https endpoint for the uptime probes' certificate checks: a self-signed certificate made with
 * openssl (valid CERT_DAYS), served on 127.0.0.1. The live stack file probes it with
 * insecureSkipVerify, so probe_ssl_earliest_cert_expiry has a value to show and alert on.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { LOOPBACK } from './ports';

export const CERT_DAYS = 30;

export interface TlsServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startTlsServer(dir: string, port: number): Promise<TlsServer> {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(CERT_DAYS), '-subj', '/CN=tls-demo'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl could not make the test certificate (exit ${r.status}): ${r.stderr || r.error?.message}`);
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
