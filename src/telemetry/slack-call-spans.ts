import diagnosticsChannel from "node:diagnostics_channel";
import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import type { RunTracer } from "./run-tracer.js";
import { BATON, ERROR_TYPE } from "./span-attributes.js";

/** The parts of undici's request object its diagnostics channels carry that these spans read. */
interface UndiciRequest {
  origin: string | URL;
  path: string;
  method: string;
}

/**
 * A span per Slack Web API call (`slack chat.postMessage`), from the diagnostics channels of
 * undici, the HTTP client behind Node's `fetch`, which the Slack client calls through
 * (`undici:request:create`, `undici:request:headers`, `undici:request:error`;
 * https://undici.nodejs.org/#/docs/api/DiagnosticsChannel). Nothing of Slack's library is
 * patched; calls made while a step runs (its card, its thread replies) land under that step.
 */
export function traceSlackCalls(apiUrl: string, tracer: Tracer, runs: RunTracer): () => void {
  const api = new URL(apiUrl);
  const spans = new WeakMap<object, Span>();
  const onCreate = (message: unknown): void => {
    const request = (message as { request?: UndiciRequest }).request;
    if (!request || new URL(String(request.origin)).host !== api.host || !request.path.startsWith(api.pathname)) return;
    const method = request.path.slice(api.pathname.length).split("?")[0] ?? "";
    const { context, scope } = runs.currentParent();
    const attributes: Record<string, string> = { [BATON.slackMethod]: method, "http.request.method": request.method, "server.address": api.hostname };
    if (scope) {
      attributes[BATON.runId] = scope.runId;
      attributes[BATON.chainId] = scope.chainId;
      if (scope.stepId !== undefined) attributes[BATON.stepId] = scope.stepId;
    }
    spans.set(request, tracer.startSpan(`slack ${method}`, { kind: SpanKind.CLIENT, attributes }, context));
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request?: object; response?: { statusCode?: number } };
    const span = request === undefined ? undefined : spans.get(request);
    if (!span || !request) return;
    spans.delete(request);
    const status = response?.statusCode ?? 0;
    span.setAttribute("http.response.status_code", status);
    if (status >= 400) {
      span.setAttribute(ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request?: object; error?: unknown };
    const span = request === undefined ? undefined : spans.get(request);
    if (!span || !request) return;
    spans.delete(request);
    span.setAttribute(ERROR_TYPE, error instanceof Error ? error.name : "unknown");
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  };
  const subscriptions: Array<[string, (message: unknown) => void]> = [
    ["undici:request:create", onCreate],
    ["undici:request:headers", onHeaders],
    ["undici:request:error", onError],
  ];
  for (const [name, listener] of subscriptions) diagnosticsChannel.subscribe(name, listener);
  return () => {
    for (const [name, listener] of subscriptions) diagnosticsChannel.unsubscribe(name, listener);
  };
}
