/** Readiness checks shared by the services: poll until ready, fail at once when the process dies. */
import type { ManagedProcess } from '../processes';
import { done, notYet, pollUntil } from '../poll';

/** Default time a service gets to become ready. Generous for a loaded 2-core CI machine. */
export const READY_TIMEOUT_MS = 30_000;

/** Status of GET url; gives up after timeoutMs (default 2 s). */
export async function httpStatus(url: string, timeoutMs = 2_000): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Waits until `probe` says ready (at most timeoutMs, default READY_TIMEOUT_MS); if the process
 * exits first, throws with the end of its log.
 */
export async function waitReady(proc: ManagedProcess, probe: () => Promise<boolean>, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const why = () => `${proc.name} ${proc.exitDescription}; last log lines (${proc.logFile}):\n${proc.logTail()}`;
  try {
    await pollUntil(`${proc.name} ready`, async () => ((await probe()) ? done(true) : notYet('not ready yet')), {
      timeoutMs,
      intervalMs: 200,
      abortIf: () => (proc.isRunning ? undefined : why()),
    });
  } catch (e) {
    if (!proc.isRunning) throw new Error(`${proc.name} did not start: ${why()}`);
    throw new Error(`${(e as Error).message}\nlast log lines (${proc.logFile}):\n${proc.logTail()}`);
  }
}

/** Ready when GET url answers 2xx (within timeoutMs, default READY_TIMEOUT_MS). */
export function waitHttpReady(proc: ManagedProcess, url: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  return waitReady(
    proc,
    async () => {
      try {
        const status = await httpStatus(url);
        return status >= 200 && status < 300;
      } catch {
        return false;
      }
    },
    timeoutMs,
  );
}
