/**
 * The two Thanos Query API calls the fault checks make, with Thanos's `dedup` parameter (on by
 * default when Query has replica labels; `dedup=false` shows every replica's own series).
 */

export interface RawSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** Sample timestamps (Unix seconds) and values, oldest first. */
  readonly samples: readonly (readonly [number, number])[];
}

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

interface QueryResponse {
  status: string;
  error?: string;
  data: { resultType: string; result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
}

async function call(url: string, expr: string, time: number, dedup: boolean): Promise<QueryResponse['data']> {
  const form = new URLSearchParams({ query: expr, time: String(time), dedup: String(dedup) });
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: form, signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as QueryResponse;
  if (json.status !== 'success') throw new Error(`Thanos Query ${expr}: ${json.error ?? res.status}`);
  return json.data;
}

/** An instant vector query. */
export async function instant(url: string, expr: string, time: number, dedup = true): Promise<InstantSample[]> {
  const data = await call(url, expr, time, dedup);
  if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value![1]) }));
}

/** A range selector (`up{...}[2m]`) evaluated at `time`: the raw samples the engine holds. */
export async function rawSamples(url: string, selector: string, rangeSeconds: number, time: number, dedup = true): Promise<RawSeries[]> {
  const data = await call(url, `${selector}[${Math.round(rangeSeconds)}s]`, time, dedup);
  if (data.resultType !== 'matrix') throw new Error(`${selector}: expected a matrix, got ${data.resultType}`);
  return data.result.map((r) => ({ metric: r.metric, samples: (r.values ?? []).map(([t, v]) => [Number(t), Number(v)] as const) }));
}
