import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { EventBus } from "../core/event-bus.js";
import type { LlmClient, PullRequestHost } from "../core/ports.js";
import type { RunnerEvents } from "../core/runner-types.js";
import type { TracingSettings } from "../otlp-settings.js";
import { RunAwareIdGenerator } from "./run-ids.js";
import { RunTracer } from "./run-tracer.js";
import { traceSlackCalls } from "./slack-call-spans.js";
import { TracedLlmClient } from "./traced-llm-client.js";
import { tracedPullRequests } from "./traced-pull-requests.js";

/** baton's traces: built only when OTLP export is configured (see otlp-settings.ts). */
export interface Tracing {
  /** The model port with a span per call. */
  wrapLlm(llm: LlmClient, provider: string): LlmClient;
  /** The GitHub port with a span per call. */
  wrapPullRequests(host: PullRequestHost): PullRequestHost;
  /** Spans for the runner's runs, steps and approvals; returns the function that stops them. */
  attach(events: EventBus<RunnerEvents>): () => void;
  /** Spans for Slack Web API calls to `apiUrl`; returns the function that stops them. */
  traceSlackCalls(apiUrl: string): () => void;
  /** Where a run's Slack thread is, set once the Slack adapter exists. */
  linkThreads(threadOf: (runId: string) => Promise<{ channel: string; ts: string } | undefined>): void;
  /** Export what is buffered and stop. */
  shutdown(): Promise<void>;
}

/** The tracer provider and exporter for the settings: protobuf or JSON over OTLP/HTTP, batched. */
export function startTracing(settings: TracingSettings): Tracing {
  const ids = new RunAwareIdGenerator();
  const exporterOptions = { url: settings.url, headers: settings.headers, timeoutMillis: settings.timeoutMs };
  const exporter = settings.protocol === "http/json" ? new JsonTraceExporter(exporterOptions) : new ProtobufTraceExporter(exporterOptions);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Not registered globally: baton's spans go to this provider only, and two runtimes in one
  // process (tests) never share one.
  const tracer: Tracer = provider.getTracer("baton");
  let threadOf: ((runId: string) => Promise<{ channel: string; ts: string } | undefined>) | undefined;
  const runs = new RunTracer(tracer, ids, (runId) => threadOf?.(runId) ?? Promise.resolve(undefined));
  return {
    wrapLlm: (llm, provider) => new TracedLlmClient(llm, tracer, runs, provider),
    wrapPullRequests: (host) => tracedPullRequests(host, tracer, runs),
    attach: (events) => runs.attach(events),
    traceSlackCalls: (apiUrl) => traceSlackCalls(apiUrl, tracer, runs),
    linkThreads(lookup) {
      threadOf = lookup;
    },
    shutdown: () => provider.shutdown(),
  };
}
