/**
 * Stands in for Slack, PagerDuty, the dead man's switch and any other webhook: one local HTTP
 * server that records every notification Alertmanager sends, keyed by the receiver and integration
 * encoded in the URL path (see receiverPath), and answers the way each service does. (Traces go to
 * the real Jaeger, live/services/jaeger.ts.)
 */
import * as http from 'node:http';
import { LOOPBACK } from './ports';

export interface Notification {
  /** Alertmanager receiver name. */
  readonly receiver: string;
  /** slack, pagerduty, webhook, ... */
  readonly integration: string;
  /** Position of the integration config inside the receiver. */
  readonly index: number;
  readonly receivedAt: number;
  /** Parsed JSON body (every integration here posts JSON). */
  readonly body: unknown;
  readonly text: string;
}

const PREFIX = '/receivers/';

/** Path a receiver's integration posts to: /receivers/<receiver>/<integration>/<index>. */
export function receiverPath(receiver: string, integration: string, index: number): string {
  return `${PREFIX}${encodeURIComponent(receiver)}/${encodeURIComponent(integration)}/${index}`;
}

export function parseReceiverPath(path: string): { receiver: string; integration: string; index: number } | undefined {
  if (!path.startsWith(PREFIX)) return undefined;
  const parts = path.slice(PREFIX.length).split('/');
  if (parts.length !== 3 || !/^[0-9]+$/.test(parts[2])) return undefined;
  return { receiver: decodeURIComponent(parts[0]), integration: decodeURIComponent(parts[1]), index: Number(parts[2]) };
}

/** Every alert name a notification is about: labels in a webhook payload, else names in the text. */
export function alertNamesIn(n: Notification, known: readonly string[]): string[] {
  const alerts = (n.body as { alerts?: { labels?: Record<string, string> }[] } | undefined)?.alerts;
  if (n.integration === 'webhook' && Array.isArray(alerts)) {
    return [...new Set(alerts.map((a) => a.labels?.alertname).filter((x): x is string => typeof x === 'string'))].sort();
  }
  return known.filter((name) => new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`).test(n.text)).sort();
}

export class WebhookReceiver {
  private readonly received: Notification[] = [];
  private readonly unexpected: string[] = [];
  private server: http.Server | undefined;
  url = '';

  async start(port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, LOOPBACK, resolve);
    });
    this.url = `http://${LOOPBACK}:${port}`;
  }

  private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const now = Date.now();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const target = req.method === 'POST' ? parseReceiverPath(path) : undefined;
    if (!target) {
      this.unexpected.push(`${req.method} ${path}`);
      res.writeHead(404).end();
      return;
    }
    this.received.push({ ...target, receivedAt: now, body, text });
    if (target.integration === 'pagerduty') {
      // PagerDuty's Events API v2 answers 202 with a status document.
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed' }));
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  }

  /** Records a notification that arrived another way (e-mail through the SMTP sink). */
  record(n: Notification): void {
    this.received.push(n);
  }

  get notifications(): readonly Notification[] {
    return this.received;
  }

  /** Requests that matched no receiver path: a misrouted integration. */
  get unexpectedRequests(): readonly string[] {
    return this.unexpected;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
