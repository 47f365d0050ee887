/**
 * Waiting with deadlines instead of fixed sleeps: a probe runs every `intervalMs` until it says
 * done, and the deadline error carries the probe's last explanation (which targets are down,
 * which query was empty), so a failed run says what it was waiting for.
 */

export type ProbeResult<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly detail: string };

export const done = <T>(value: T): ProbeResult<T> => ({ done: true, value });
export const notYet = (detail: string): ProbeResult<never> => ({ done: false, detail });

export interface PollOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Pause between probes. Default: 500 ms */
  readonly intervalMs?: number;
  /** Checked before each probe; a string aborts the wait at once (e.g. "redis exited with code 1"). Default: never */
  readonly abortIf?: () => string | undefined;
}

export class DeadlineError extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'DeadlineError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `probe` until it is done; a thrown error counts as "not yet" with its message as detail. */
export async function pollUntil<T>(what: string, probe: () => Promise<ProbeResult<T>>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let detail = 'never probed';
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) throw new DeadlineError(what, abort);
    try {
      const r = await probe();
      if (r.done) return r.value;
      detail = r.detail;
    } catch (e) {
      detail = (e as Error).message;
    }
    if (Date.now() >= deadline) throw new DeadlineError(what, `not reached within ${Math.round(options.timeoutMs / 1000)} s; last: ${detail}`);
    await sleep(Math.min(options.intervalMs ?? 500, Math.max(0, deadline - Date.now())));
  }
}
