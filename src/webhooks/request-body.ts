import type { IncomingMessage } from "node:http";

/**
 * A webhook request's body, read with a size limit and checked to be JSON, or the HTTP error
 * that says what was wrong: 413 too large, 415 not JSON, 400 unparsable.
 */

export interface WebhookRejection {
  status: number;
  body: { error: string; message: string; issues?: ReadonlyArray<{ path: string; message: string }> };
}

export type BodyReading = { ok: true; raw: Buffer; json: unknown } | { ok: false; rejection: WebhookRejection };

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  const type = String(request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json") {
    // Drain what was sent so the connection can be reused, without keeping it.
    request.resume();
    return { ok: false, rejection: { status: 415, body: { error: "UNSUPPORTED_MEDIA_TYPE", message: `Send the payload as JSON with "Content-Type: application/json" (got "${type || "none"}").` } } };
  }
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return { ok: false, rejection: tooLarge(maxBytes) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      request.resume();
      return { ok: false, rejection: tooLarge(maxBytes) };
    }
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks);
  try {
    return { ok: true, raw, json: JSON.parse(raw.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, rejection: { status: 400, body: { error: "INVALID_JSON", message: `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}. Send the payload your alerting tool produces, unmodified.` } } };
  }
}

function tooLarge(maxBytes: number): WebhookRejection {
  return { status: 413, body: { error: "PAYLOAD_TOO_LARGE", message: `The body is larger than ${String(maxBytes)} bytes. Send fewer alerts per delivery (Alertmanager: max_alerts) or raise the limit.` } };
}
