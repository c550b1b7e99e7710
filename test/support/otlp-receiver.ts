import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { decodeTraceRequest, type DecodedSpan } from "./otlp-protobuf.js";

/**
 * An OTLP/HTTP trace receiver on loopback, as the OpenTelemetry Protocol specification
 * describes one (https://opentelemetry.io/docs/specs/otlp/#otlphttp): `POST /v1/traces` with an
 * `ExportTraceServiceRequest` in binary protobuf (`application/x-protobuf`) or in the JSON
 * mapping (`application/json`: trace and span ids as hex strings, enums as numbers,
 * lowerCamelCase names), optionally `Content-Encoding: gzip`. It answers 200 with an empty
 * `ExportTraceServiceResponse` in the request's encoding, 415 to another content type, 400 to a
 * body it cannot read, 404 to another path and 405 to another method.
 */

export type ReceivedSpan = DecodedSpan;

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  url: string;
  /** Every span received, in arrival order. */
  spans: ReceivedSpan[];
  /** Each request's content type and headers, in order. */
  requests: Array<{ contentType: string; headers: IncomingMessage["headers"] }>;
  /** Resolves when `predicate` holds for the spans received (checked on each arrival). */
  waitFor(predicate: (spans: ReadonlyArray<ReceivedSpan>) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type JsonValue = { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number; arrayValue?: { values?: JsonValue[] } };
type JsonKeyValue = { key: string; value: JsonValue };
type JsonSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: JsonKeyValue[];
  status?: { code?: number; message?: string };
};
type JsonRequest = { resourceSpans?: Array<{ resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: Array<{ spans?: JsonSpan[] }> }> };

function jsonValue(value: JsonValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

const jsonAttributes = (list: ReadonlyArray<JsonKeyValue> | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((entry) => [entry.key, jsonValue(entry.value)]));

function decodeJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString("utf8")) as JsonRequest;
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        name: span.name,
        kind: span.kind ?? 0,
        startTimeUnixNano: BigInt(span.startTimeUnixNano),
        endTimeUnixNano: BigInt(span.endTimeUnixNano),
        attributes: jsonAttributes(span.attributes),
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
        resource,
      })),
    );
  });
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver["requests"] = [];
  const waiters = new Set<() => void>();
  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    if (request.url !== "/v1/traces") return void response.writeHead(404).end();
    if (request.method !== "POST") return void response.writeHead(405, { allow: "POST" }).end();
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    requests.push({ contentType, headers: request.headers });
    if (contentType !== "application/x-protobuf" && contentType !== "application/json") return void response.writeHead(415).end();
    let received: ReceivedSpan[];
    try {
      const raw = request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
      received = contentType === "application/json" ? decodeJson(raw) : decodeTraceRequest(raw);
    } catch (error) {
      response.writeHead(400, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : "unreadable body");
      return;
    }
    spans.push(...received);
    // An empty ExportTraceServiceResponse: no partial_success, everything accepted.
    if (contentType === "application/json") response.writeHead(200, { "content-type": "application/json" }).end("{}");
    else response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    for (const waiter of waiters) waiter();
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    spans,
    requests,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(spans)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for spans; received: ${spans.map((span) => span.name).join(", ") || "none"}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
