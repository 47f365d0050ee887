/**
 * OpenTelemetry tracing for an application: OTLP over HTTP to the endpoint the stack sets in
 * OTEL_EXPORTER_OTLP_ENDPOINT (Jaeger's OTLP receiver). Without that variable tracing stays off,
 * so an app runs the same outside the stack.
 */
import { TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export interface TracingOptions {
  /** service.name of the spans. Required. */
  readonly serviceName: string;
  /** Collector base URL. Default: process.env.OTEL_EXPORTER_OTLP_ENDPOINT */
  readonly endpoint?: string;
}

export interface Tracing {
  readonly enabled: boolean;
  readonly endpoint?: string;
  shutdown(): Promise<void>;
}

/** Resolves the traces URL: the OTLP HTTP convention is <base>/v1/traces. */
export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT "${endpoint}" is not a URL (expected e.g. http://jaeger:4318)`);
  }
  return `${url.origin}${url.pathname.replace(/\/$/, '')}/v1/traces`;
}

export function startTracing(options: TracingOptions): Tracing {
  const endpoint = options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return { enabled: false, shutdown: async () => {} };
  process.env.OTEL_SERVICE_NAME ??= options.serviceName;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter({ url: tracesUrl(endpoint) }),
  });
  sdk.start();
  return { enabled: true, endpoint, shutdown: () => sdk.shutdown() };
}

/**
 * Trace ID of the span active in the current context, when it is sampled (an unsampled trace is
 * never exported, so a link to it would open nothing).
 */
export function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (ctx === undefined || !isSpanContextValid(ctx) || (ctx.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return ctx.traceId;
}
