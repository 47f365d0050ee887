/**
 * Stands in for the mail relay: a local SMTP server (nodemailer's smtp-server) that accepts every
 * message Alertmanager sends for e-mail receivers and records it as a notification. The derived
 * alertmanager.yml adds an X-Live-Receiver header to each email config, which says which receiver
 * sent it.
 */
import { SMTPServer } from 'smtp-server';
import { RECEIVER_HEADER } from './alertmanagerConfig';
import { LOOPBACK } from './ports';
import type { Notification } from './webhookReceiver';

/** Undoes quoted-printable soft line breaks and =XX escapes, enough to search the text. */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Receiver name and config index from the message headers. */
export function receiverOf(message: string): { receiver: string; index: number } | undefined {
  const headers = message.split(/\r?\n\r?\n/, 1)[0];
  const m = new RegExp(`^${RECEIVER_HEADER}:\\s*(.+?)/([0-9]+)\\s*$`, 'mi').exec(headers);
  return m ? { receiver: m[1], index: Number(m[2]) } : undefined;
}

export class SmtpSink {
  private server: SMTPServer | undefined;
  address = '';

  constructor(private readonly record: (n: Notification) => void) {}

  async start(port: number): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'alertmanager' }),
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const text = decodeQuotedPrintable(Buffer.concat(chunks).toString('utf8'));
          const who = receiverOf(text);
          this.record({ receiver: who?.receiver ?? '(unknown)', integration: 'email', index: who?.index ?? 0, receivedAt: Date.now(), body: undefined, text });
          callback();
        });
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => resolve());
    });
    this.address = `${LOOPBACK}:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
