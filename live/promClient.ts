/** The few Prometheus and Alertmanager HTTP API calls the live stack uses. */

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

export interface ActiveTarget {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface RuleState {
  readonly type: 'recording' | 'alerting';
  readonly name: string;
  readonly query: string;
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Alerting rules: inactive, pending or firing. */
  readonly state?: string;
}

export interface RuleGroupState {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly RuleState[];
}

export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly receivers: readonly { readonly name: string }[];
  readonly status: { readonly state: string };
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

const TIMEOUT_MS = 10_000;

export interface ExemplarSeries {
  readonly seriesLabels: Readonly<Record<string, string>>;
  readonly exemplars: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: string; readonly timestamp: number }[];
}

export class PromClient {
  constructor(readonly url: string) {}

  /** POST (form) where Prometheus allows it, so long expressions fit; GET for the rest. */
  private async call<T>(path: string, params: Record<string, string | string[]> = {}, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    const res =
      method === 'POST'
        ? await fetch(`${this.url}${path}`, { method, body: form, signal: AbortSignal.timeout(TIMEOUT_MS) })
        : await fetch(`${this.url}${path}?${form.toString()}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const json = (await res.json()) as ApiResponse<T>;
    if (json.status !== 'success') throw new Error(`Prometheus ${path}: ${json.errorType ?? res.status}: ${json.error ?? 'failed'}`);
    return json.data;
  }

  /** Instant query at `time` (Unix seconds; default: now); a scalar comes back as one sample without labels. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const data = await this.call<{ resultType: string; result: unknown }>('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) });
    if (data.resultType === 'scalar') return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
    if (data.resultType !== 'vector') throw new Error(`query ${expr}: expected a vector, got ${data.resultType}`);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.call<{ resultType: string; result: unknown }>('/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(stepSeconds),
    });
    if (data.resultType !== 'matrix') throw new Error(`query_range ${expr}: expected a matrix, got ${data.resultType}`);
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({ metric: r.metric, values: r.values.map((v) => Number(v[1])) }));
  }

  /** Exemplars of the series an expression selects (`/api/v1/query_exemplars`, what Grafana asks for a panel's dots). */
  exemplars(expr: string, start: number, end: number): Promise<ExemplarSeries[]> {
    return this.call('/api/v1/query_exemplars', { query: expr, start: String(start), end: String(end) });
  }

  series(match: string, start: number, end: number): Promise<Record<string, string>[]> {
    return this.call('/api/v1/series', { 'match[]': match, start: String(start), end: String(end) });
  }

  labelValues(label: string, start: number, end: number, match?: string): Promise<string[]> {
    // Prometheus 2.42 serves label values on GET only.
    return this.call(`/api/v1/label/${encodeURIComponent(label)}/values`, { start: String(start), end: String(end), ...(match ? { 'match[]': match } : {}) }, 'GET');
  }

  labelNames(start: number, end: number, match?: string): Promise<string[]> {
    return this.call('/api/v1/labels', { start: String(start), end: String(end), ...(match ? { 'match[]': match } : {}) });
  }

  async targets(): Promise<ActiveTarget[]> {
    const res = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return ((await res.json()) as ApiResponse<{ activeTargets: ActiveTarget[] }>).data.activeTargets;
  }

  async rules(): Promise<RuleGroupState[]> {
    const res = await fetch(`${this.url}/api/v1/rules`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return ((await res.json()) as ApiResponse<{ groups: RuleGroupState[] }>).data.groups;
  }
}

export class AlertmanagerClient {
  constructor(readonly url: string) {}

  async alerts(): Promise<AlertmanagerAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`Alertmanager /api/v2/alerts: ${res.status}`);
    return (await res.json()) as AlertmanagerAlert[];
  }
}
