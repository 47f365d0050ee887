/**
 * The pinned Jaeger v2 with the stack's own recipe (stacks/recipes.ts jaegerRecipe: the built-in
 * all-in-one configuration, memory storage, the per-environment trace bound), moved to free ports
 * on 127.0.0.1: the demo apps export their spans here over OTLP/HTTP, and the live test finds
 * them through Jaeger's query API, as Grafana's Jaeger datasource does.
 */
import type { StackConfig } from '../../stacks/config/schema';
import { JAEGER_HEALTH_PATH, jaegerRecipe } from '../../stacks/recipes';
import { toolPath } from '../../toolchain/paths';
import { freePorts, LOOPBACK } from '../ports';
import type { ManagedProcess, Supervisor } from '../processes';
import { httpStatus, waitReady } from './ready';

export interface JaegerService {
  readonly process: ManagedProcess;
  /** OTLP over HTTP, what OTEL_EXPORTER_OTLP_ENDPOINT points at. */
  readonly otlpHttpUrl: string;
  /** The query API and UI (`/api/services`, `/api/traces`). */
  readonly queryUrl: string;
}

/** Every listener of the all-in-one configuration, by its config path (collector `--set` syntax). */
const LISTENERS = {
  otlpGrpc: 'receivers::otlp::protocols::grpc::endpoint',
  otlpHttp: 'receivers::otlp::protocols::http::endpoint',
  jaegerGrpc: 'receivers::jaeger::protocols::grpc::endpoint',
  jaegerThriftHttp: 'receivers::jaeger::protocols::thrift_http::endpoint',
  jaegerThriftBinary: 'receivers::jaeger::protocols::thrift_binary::endpoint',
  jaegerThriftCompact: 'receivers::jaeger::protocols::thrift_compact::endpoint',
  zipkin: 'receivers::zipkin::endpoint',
  samplingHttp: 'extensions::remote_sampling::http::endpoint',
  samplingGrpc: 'extensions::remote_sampling::grpc::endpoint',
  health: 'extensions::healthcheckv2::http::endpoint',
  expvar: 'extensions::expvar::endpoint',
  zpages: 'extensions::zpages::endpoint',
  queryHttp: 'extensions::jaeger_query::http::endpoint',
  queryGrpc: 'extensions::jaeger_query::grpc::endpoint',
} as const;

export async function startJaeger(supervisor: Supervisor, config: StackConfig): Promise<JaegerService> {
  const recipe = jaegerRecipe(config);
  const ports = await freePorts(Object.keys(LISTENERS) as (keyof typeof LISTENERS)[]);
  const moved = Object.entries(LISTENERS).map(([key, at]) => `--set=${at}=${LOOPBACK}:${ports[key as keyof typeof LISTENERS]}`);
  const proc = supervisor.start({
    name: 'jaeger',
    command: toolPath('jaeger'),
    // The collector's own metrics listener sits in a list the `--set` syntax cannot address; the
    // live stack does not scrape it, so it is turned off rather than left on a fixed port.
    args: [...recipe.args, ...moved, '--set=service::telemetry::metrics::level=none'],
    env: { ...recipe.env, JAEGER_LISTEN_HOST: LOOPBACK },
  });
  const health = `http://${LOOPBACK}:${ports.health}${JAEGER_HEALTH_PATH}`;
  await waitReady(proc, async () => (await httpStatus(health).catch(() => 0)) === 200);
  return { process: proc, otlpHttpUrl: `http://${LOOPBACK}:${ports.otlpHttp}`, queryUrl: `http://${LOOPBACK}:${ports.queryHttp}` };
}

interface JaegerTrace {
  readonly traceID: string;
  readonly processes?: Readonly<Record<string, { readonly serviceName: string }>>;
  readonly spans: readonly { readonly operationName: string; readonly tags?: readonly { readonly key: string; readonly value: unknown }[] }[];
}

async function queryApi<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return ((await res.json()) as { data: T }).data;
}

/** Service names Jaeger holds spans of (`GET /api/services`, what Grafana's service picker lists). */
export function jaegerServices(jaeger: JaegerService): Promise<string[]> {
  return queryApi<string[] | null>(`${jaeger.queryUrl}/api/services`).then((d) => d ?? []);
}

/** The newest traces of one service (`GET /api/traces`). */
export function jaegerTraces(jaeger: JaegerService, service: string, limit = 20): Promise<JaegerTrace[]> {
  return queryApi<JaegerTrace[] | null>(`${jaeger.queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=1h`).then((d) => d ?? []);
}

/** One trace by its ID (`GET /api/traces/<id>`, where Grafana's exemplar link leads); undefined when Jaeger has none. */
export async function jaegerTrace(jaeger: JaegerService, traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${jaeger.queryUrl}/api/traces/${encodeURIComponent(traceId)}`, { signal: AbortSignal.timeout(5_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Jaeger trace ${traceId} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return ((await res.json()) as { data: JaegerTrace[] }).data[0];
}
