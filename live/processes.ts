/**
 * Starts and stops the live stack's processes. Each runs in its own process group (so a server's
 * children go with it) with its output in <logDir>/<name>.log. Stopping signals the group leader
 * gracefully, waits, then SIGKILLs the whole group. Every process started here is also stopped
 * when this Node process is interrupted (SIGINT/SIGTERM) or exits, so a failed or cancelled run
 * leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interrupted } from '../cli/run';

export interface StartOptions {
  /** Short name: the log file name and how errors refer to the process. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment variables, added to this process's environment. Default: none */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. Default: this process's. */
  readonly cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). Default: the current user. */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Signal that asks the program to shut down cleanly. Default: SIGTERM */
  readonly stopSignal?: NodeJS.Signals;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ManagedProcess>();
const interruptHooks = new Set<() => Promise<unknown>>();
let handlersInstalled = false;
/** Set by the first SIGINT/SIGTERM: from then on nothing new is started. */
let interruptedBy: 'SIGINT' | 'SIGTERM' | undefined;

/**
 * Runs `cleanup` when this process is interrupted (SIGINT/SIGTERM), before the remaining managed
 * processes are stopped; for in-process servers and temp files. Returns a function that
 * unregisters it.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  installHandlers();
  interruptHooks.add(cleanup);
  return () => interruptHooks.delete(cleanup);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** On SIGINT/SIGTERM: stop everything, then exit as the signal would have. On exit: SIGKILL leftovers. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    interruptedBy = signal;
    const code = signal === 'SIGINT' ? 130 : 143;
    // Processes first, so none is still writing into (or started into) the run directory the hooks remove.
    void Promise.allSettled([...running].map((p) => p.stop(5_000)))
      .then(() => Promise.allSettled([...interruptHooks].map((hook) => hook())))
      .then(() => Promise.allSettled([...running].map((p) => p.stop(5_000))))
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const p of running) killGroup(p.pid, 'SIGKILL');
  });
}

export class ManagedProcess {
  readonly pid: number;
  /** Resolves when the group leader exits. */
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;

  constructor(
    readonly options: StartOptions,
    readonly logFile: string,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command} (not found or not executable)`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(this);
        resolve(this.exitStatus);
      });
    });
  }

  get name(): string {
    return this.options.name;
  }

  get isRunning(): boolean {
    return this.exitStatus === undefined;
  }

  /** How the process ended, for error messages; undefined while it runs. */
  get exitDescription(): string | undefined {
    if (!this.exitStatus) return undefined;
    return this.exitStatus.signal ? `killed by ${this.exitStatus.signal}` : `exited with code ${this.exitStatus.code}`;
  }

  /** The last `lines` lines of the log (default 20), to put into error messages. */
  logTail(lines = 20): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * Stops the process: the stop signal to the leader, SIGKILL to the group after timeoutMs, and
   * SIGKILL to any straggler in the group once the leader is gone. Default timeout: 10 s.
   */
  async stop(timeoutMs = 10_000): Promise<ExitStatus> {
    if (this.isRunning) {
      try {
        process.kill(this.pid, this.options.stopSignal ?? 'SIGTERM');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') killGroup(this.pid, 'SIGKILL');
    }
    const status = await this.exited;
    killGroup(this.pid, 'SIGKILL');
    return status;
  }
}

export class Supervisor {
  private readonly started: ManagedProcess[] = [];

  constructor(readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  /** Spawns a process in a new process group, output appended to <logDir>/<name>.log. */
  start(options: StartOptions): ManagedProcess {
    installHandlers();
    // Start-up may still be under way when Ctrl-C arrives: whatever it would start next would outlive the cleanup.
    if (interruptedBy) throw new Interrupted(interruptedBy, `${options.name} was not started; everything started before is being stopped`);
    const logFile = path.join(this.logDir, `${options.name}.log`);
    const fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `--- ${options.command} ${options.args.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', fd, fd],
        detached: true,
        uid: options.user?.uid,
        gid: options.user?.gid,
      });
    } finally {
      fs.closeSync(fd);
    }
    // A missing binary surfaces as an 'error' event; keep it from crashing the process, the
    // readiness check reports the exit.
    child.on('error', (e) => fs.appendFileSync(logFile, `spawn error: ${e.message}\n`));
    const managed = new ManagedProcess(options, logFile, child);
    running.add(managed);
    this.started.push(managed);
    return managed;
  }

  /** Every process this supervisor started, oldest first. */
  get all(): readonly ManagedProcess[] {
    return this.started;
  }

  /** Every process this supervisor started and that still runs, newest first. */
  get live(): ManagedProcess[] {
    return this.started.filter((p) => p.isRunning).reverse();
  }

  /** Stops everything still running, newest first (apps before the databases they use). */
  async stopAll(): Promise<void> {
    for (const p of this.live) await p.stop();
  }
}
