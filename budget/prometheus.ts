/**
 * The one Prometheus API call the budget gate makes: an instant query at a given time. Every way
 * it can fail (unreachable, not Prometheus, an error answer) becomes one ObservatoryError naming
 * --prometheus, so the CLI prints one line and exits 2.
 */
import { ObservatoryError } from '../catalog/errors';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  /** NaN where Prometheus answers NaN (e.g. a quantile of no requests). */
  readonly value: number;
}

const TIMEOUT_MS = 30_000;

function causeOf(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

export async function instantQuery(baseUrl: string, expr: string, timeSeconds: number): Promise<Sample[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: new URLSearchParams({ query: expr, time: String(timeSeconds) }), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new ObservatoryError('--prometheus', `cannot reach ${baseUrl}: ${causeOf(e)}`);
  }
  const text = await res.text();
  let body: { status?: string; errorType?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new ObservatoryError('--prometheus', `${baseUrl} answered HTTP ${res.status} without a Prometheus API response; is it the Prometheus base URL?`);
  }
  if (body.status !== 'success') {
    throw new ObservatoryError('--prometheus', `${baseUrl} answered HTTP ${res.status}: ${body.errorType ?? 'error'}: ${body.error ?? 'no error message'}`);
  }
  if (body.data?.resultType !== 'vector' || !Array.isArray(body.data.result)) {
    throw new ObservatoryError('--prometheus', `${baseUrl} answered a ${body.data?.resultType ?? 'malformed'} result where an instant vector was expected`);
  }
  return (body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}
