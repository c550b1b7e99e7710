import type { Socket } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http/http-server.js";
import type { StreamingSignatureCheck } from "./webhook-auth.js";

/**
 * A webhook request's body, read with a size limit and checked to be JSON, or the HTTP error
 * that says what was wrong: 413 too large, 415 not JSON, 400 unparsable.
 */

export interface WebhookRejection {
  status: number;
  body: { error: string; message: string; issues?: ReadonlyArray<{ path: string; message: string }> };
  /** Close the connection after the answer instead of reading the rest of the body. */
  closeConnection?: boolean;
}

export type BodyReading = { ok: true; raw: Buffer; json: unknown } | { ok: false; rejection: WebhookRejection };

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** How long a refused sender's remaining body is discarded before its connection is cut. */
const LINGER_MS = 2_000;

/**
 * Answer with a rejection. One marked `closeConnection` (a sender baton will not read from)
 * ends the connection once the answer is written, with a lingering close as web servers do it:
 * send the answer and a FIN, discard (never keep) what the sender still writes for a moment,
 * then cut. Closing at once with unread data makes the kernel reset the connection, and a
 * sender still writing its body may then never read the answer it was sent.
 */
export function sendRejection(response: ServerResponse, rejection: WebhookRejection): void {
  if (rejection.closeConnection) response.once("finish", () => lingeringClose(response.socket));
  sendJson(response, rejection.status, rejection.body);
}

function lingeringClose(socket: Socket | null): void {
  if (socket === null || socket.destroyed) return;
  socket.end();
  socket.resume();
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  cut.unref();
  socket.once("close", () => clearTimeout(cut));
}

/** Read a JSON body of at most `maxBytes` and parse it (see `readRawJsonBody`). */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  const body = await readRawJsonBody(request, maxBytes);
  return body.ok ? parseJsonBody(body.raw) : body;
}

/**
 * Read a signed JSON body of at most `maxBytes`: it streams into `check` as it arrives, and is
 * parsed only once the signature matches (otherwise the answer is `mismatch`), so nothing a
 * forger sent is ever parsed.
 */
export async function readSignedJsonBody(
  request: IncomingMessage,
  maxBytes: number,
  check: StreamingSignatureCheck,
  mismatch: WebhookRejection,
): Promise<BodyReading> {
  const body = await readRawJsonBody(request, maxBytes, (chunk) => check.update(chunk));
  if (!body.ok) return body;
  return check.matches() ? parseJsonBody(body.raw) : { ok: false, rejection: mismatch };
}

/**
 * Read a JSON body of at most `maxBytes`, unparsed. A larger one is refused (413) as soon as it
 * is known: from `Content-Length` before anything is read, or while it streams, and the rest is
 * not kept. `observe` sees each chunk as it arrives (a signature check streams it).
 */
export async function readRawJsonBody(
  request: IncomingMessage,
  maxBytes: number,
  observe?: (chunk: Buffer) => void,
): Promise<{ ok: true; raw: Buffer } | { ok: false; rejection: WebhookRejection }> {
  const type =
    String(request.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim()
      .toLowerCase() ?? "";
  if (type !== "application/json") {
    // Drain what was sent so the connection can be reused, without keeping it.
    request.resume();
    return {
      ok: false,
      rejection: {
        status: 415,
        body: { error: "UNSUPPORTED_MEDIA_TYPE", message: `Send the payload as JSON with "Content-Type: application/json" (got "${type || "none"}").` },
      },
    };
  }
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return { ok: false, rejection: tooLarge(maxBytes) };
  }
  const read = await new Promise<{ ok: true; raw: Buffer } | { ok: false }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      // A sender that hangs up after this must not become an unhandled 'error' event.
      request.on("error", () => undefined);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop here: keep nothing more (the rest is discarded as it comes), and answer now; a
        // route that honours closeConnection closes the connection after the answer.
        stop();
        request.resume();
        chunks.length = 0;
        resolve({ ok: false });
        return;
      }
      observe?.(chunk);
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve({ ok: true, raw: Buffer.concat(chunks) });
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
  return read.ok ? read : { ok: false, rejection: { ...tooLarge(maxBytes), closeConnection: true } };
}

/** The body as JSON, or 400 saying why not. */
export function parseJsonBody(raw: Buffer): BodyReading {
  try {
    return { ok: true, raw, json: JSON.parse(raw.toString("utf8")) as unknown };
  } catch (error) {
    return {
      ok: false,
      rejection: {
        status: 400,
        body: {
          error: "INVALID_JSON",
          message: `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}. Send the payload your alerting tool produces, unmodified.`,
        },
      },
    };
  }
}

function tooLarge(maxBytes: number): WebhookRejection {
  return {
    status: 413,
    body: {
      error: "PAYLOAD_TOO_LARGE",
      // One message for every sender: alert senders can send less per delivery, while PagerDuty's
      // (256 KiB) and GitHub's (25 MB) limits are the senders' own, so a larger body is not theirs.
      message:
        `The body is larger than ${String(maxBytes)} bytes, the most this endpoint accepts. Send fewer alerts per delivery ` +
        "(Alertmanager: max_alerts; Grafana: group fewer alerts), or, for PagerDuty and GitHub, nothing larger is ever sent: check what is posting here.",
    },
  };
}
