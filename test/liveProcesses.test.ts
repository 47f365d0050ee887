/** The live stack's process handling, webhook receiver and demo-app helpers. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchRoute, parseFaults } from '../live/demoApp';
import { pollUntil, done, notYet, DeadlineError } from '../live/poll';
import { freePorts } from '../live/ports';
import { Supervisor } from '../live/processes';
import { systemUser } from '../live/services/postgres';
import { decodeQuotedPrintable, receiverOf } from '../live/smtpSink';
import { requestCycle } from '../live/traffic';
import { WebhookReceiver, alertNamesIn, parseReceiverPath, receiverPath } from '../live/webhookReceiver';
import { cleanedTempDir } from './helpers';

/** Scratch directories, removed after this file's tests. */
const tempDir = cleanedTempDir();

/** Running, not a zombie waiting for init to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const gone = (pid: number) => pollUntil(`pid ${pid} gone`, async () => (alive(pid) ? notYet('alive') : done(true)), { timeoutMs: 2000, intervalMs: 20 });

async function pidFrom(file: string): Promise<number> {
  return pollUntil('pid file', async () => (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() ? done(Number(fs.readFileSync(file, 'utf8'))) : notYet('empty')), { timeoutMs: 5000, intervalMs: 20 });
}

describe('Supervisor', () => {
  it('stops a process and the children in its group, and logs its output', async () => {
    const dir = tempDir('live-proc');
    const sup = new Supervisor(dir);
    const pidFile = path.join(dir, 'child.pid');
    const p = sup.start({ name: 'parent', command: 'sh', args: ['-c', `echo hello; sleep 300 & echo $! > ${pidFile}; wait`] });
    const child = await pidFrom(pidFile);
    expect(alive(child)).toBe(true);
    await sup.stopAll();
    expect(p.isRunning).toBe(false);
    await gone(child);
    expect(fs.readFileSync(p.logFile, 'utf8')).toContain('hello');
  });

  it('kills a process group that ignores the stop signal once the timeout passes', async () => {
    const dir = tempDir('live-proc');
    const sup = new Supervisor(dir);
    const pidFile = path.join(dir, 'child.pid');
    const p = sup.start({ name: 'stubborn', command: 'sh', args: ['-c', `trap '' TERM; sleep 300 & echo $! > ${pidFile}; wait`] });
    const child = await pidFrom(pidFile);
    const status = await p.stop(300);
    expect(status.signal).toBe('SIGKILL');
    await gone(child);
  });

  it('names the process when its binary cannot be started', () => {
    const sup = new Supervisor(tempDir('live-proc'));
    expect(() => sup.start({ name: 'ghost', command: '/nonexistent/binary', args: [] })).toThrow('ghost: could not start /nonexistent/binary (not found or not executable)');
    expect(sup.live).toEqual([]);
  });
});

describe('interrupted start-up (Ctrl-C while servers are still being started)', () => {
  it('stops every server, starts none after the signal, removes the run directory and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-interrupt-'));
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir);
    const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [path.join(__dirname, 'fixtures', 'live', 'interruptDuringStartup.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 300)); // a few more servers start meanwhile
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const pids = fs.readFileSync(path.join(base, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThan(1);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    // start-up code still running after the signal: its start was refused, not left running past the cleanup
    expect(fs.readFileSync(path.join(base, 'refused'), 'utf8')).toBe('SIGINT\n');
    fs.rmSync(base, { recursive: true, force: true });
  }, 60_000);
});

describe('pollUntil', () => {
  it('returns the first done value and reports the last detail at the deadline', async () => {
    let n = 0;
    expect(await pollUntil('count', async () => (++n >= 3 ? done(n) : notYet(`n=${n}`)), { timeoutMs: 2000, intervalMs: 1 })).toBe(3);
    const e = await pollUntil('never', async () => notYet('still waiting for x'), { timeoutMs: 50, intervalMs: 10 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DeadlineError);
    expect((e as Error).message).toMatch(/^never: not reached within 0 s; last: still waiting for x$/);
    const aborted = await pollUntil('x', async () => notYet('-'), { timeoutMs: 5000, abortIf: () => 'redis exited with code 1' }).catch((x: unknown) => x);
    expect((aborted as Error).message).toBe('x: redis exited with code 1');
  });
});

describe('WebhookReceiver', () => {
  it('records notifications by receiver and integration and answers like the real services', async () => {
    const r = new WebhookReceiver();
    const { port } = await freePorts(['port']);
    await r.start(port);
    try {
      const pd = await fetch(`${r.url}${receiverPath('oncall pager', 'pagerduty', 0)}`, { method: 'POST', body: JSON.stringify({ event_action: 'trigger' }) });
      expect(pd.status).toBe(202);
      const slack = await fetch(`${r.url}${receiverPath('team', 'slack', 1)}`, { method: 'POST', body: JSON.stringify({ text: '[FIRING:1] RedisDown' }) });
      expect(await slack.text()).toBe('ok');
      expect((await fetch(`${r.url}/elsewhere`, { method: 'POST' })).status).toBe(404);
      expect(r.notifications.map((n) => `${n.receiver}/${n.integration}/${n.index}`)).toEqual(['oncall pager/pagerduty/0', 'team/slack/1']);
      expect(r.unexpectedRequests).toEqual(['POST /elsewhere']);
    } finally {
      await r.stop();
    }
  });

  it('reads alert names from webhook labels, and from the text of other integrations', () => {
    const base = { receiver: 'r', index: 0, receivedAt: 0 };
    const webhook = { ...base, integration: 'webhook', body: { alerts: [{ labels: { alertname: 'Watchdog' } }] }, text: '' };
    expect(alertNamesIn(webhook, ['Watchdog', 'RedisDown'])).toEqual(['Watchdog']);
    const slack = { ...base, integration: 'slack', body: {}, text: '{"title":"[FIRING:2] RedisDown, RedisDownHard"}' };
    expect(alertNamesIn(slack, ['RedisDown', 'Redis', 'Watchdog'])).toEqual(['RedisDown']);
    expect(parseReceiverPath('/receivers/a%20b/slack/2')).toEqual({ receiver: 'a b', integration: 'slack', index: 2 });
    expect(parseReceiverPath('/receivers/a/slack')).toBeUndefined();
  });
});

describe('SMTP sink helpers', () => {
  it('finds the receiver header and undoes quoted-printable breaks', () => {
    const msg = 'Subject: [FIRING:1] HostOut=\r\nOfMemory\r\nX-Live-Receiver: email/0\r\n\r\nbody X-Live-Receiver: fake/9';
    expect(receiverOf(decodeQuotedPrintable(msg))).toEqual({ receiver: 'email', index: 0 });
    expect(decodeQuotedPrintable('a=3Db =\r\nc')).toBe('a=b c');
  });
});

describe('demo app helpers', () => {
  it('labels requests with route templates, never raw paths', () => {
    expect(matchRoute('GET', '/api/items/42')).toMatchObject({ route: { template: '/api/items/:id' }, id: 42 });
    expect(matchRoute('POST', '/api/items')?.route.template).toBe('/api/items');
    expect(matchRoute('PATCH', '/api/items/1')).toBeUndefined();
    expect(matchRoute('GET', '/api/items/abc')).toBeUndefined();
  });

  it('validates injected faults', () => {
    expect(parseFaults('{"errorRatio":0.5,"slowRatio":0.3,"slowSeconds":1.5}')).toEqual({ errorRatio: 0.5, slowRatio: 0.3, slowSeconds: 1.5 });
    expect(parseFaults('{}')).toEqual({ errorRatio: 0, slowRatio: 0, slowSeconds: 0 });
    expect(() => parseFaults('{"errorRatio":2}')).toThrow('errorRatio must be a number in 0..1');
    expect(() => parseFaults('{"errorRatio":0.6,"slowRatio":0.6}')).toThrow('at most 1');
  });

  it('sends every kind of request the catalog labels, reads and writes', () => {
    const methods = requestCycle().map((r) => r.method);
    expect(new Set(methods)).toEqual(new Set(['GET', 'POST', 'PUT', 'DELETE']));
  });

  it('finds the postgres user in passwd', () => {
    expect(systemUser('postgres', 'root:x:0:0::/root:/bin/sh\npostgres:x:101:104::/var/lib/postgresql:/bin/bash\n')).toEqual({ uid: 101, gid: 104 });
    expect(systemUser('nobody-here', 'root:x:0:0::/root:/bin/sh\n')).toBeUndefined();
  });
});
