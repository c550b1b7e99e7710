import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { isValidSlackRequest } from "@slack/bolt";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { judgeSlackBody, SLACK_BODY_LIMIT_BYTES, type SlackBody } from "./request-rules.js";

/**
 * What stands in front of Bolt's HTTP receiver on `POST /slack/events`.
 *
 * Bolt parses the body and reads `body.ssl_check` with no check that the body is an object, so a
 * signed `payload=null` (or a JSON body `null`) threw inside its request handler and ended the
 * process (issue 13 item 2). Here the body is read once (with Bolt's own 4 MB limit), parsed the
 * way Bolt parses it, and, when it is validly signed (an unsigned one goes on to Bolt, which
 * answers 401):
 * - a body that is not a JSON object (null, an array, a number, a string) is answered 400;
 * - a request no listener handles (an action id, callback id or event type baton never
 *   registered) is acknowledged at once with an empty 200, instead of Bolt's 3-second wait for
 *   an ack that never comes (Slack shows an error after 3 s);
 * - a request a listener handles that lacks a field Slack always sends (`payload-shapes.ts`) is
 *   acknowledged the same way, with a warning naming the field, and never reaches Bolt;
 * - everything else goes to Bolt, pre-read: Bolt takes a request whose `rawBody` is already a
 *   Buffer (`bufferIncomingMessage` in Bolt's HTTPModuleFunctions) and verifies its signature.
 * The first two decisions are `request-rules.ts`, which Socket Mode envelopes go through too.
 */

export interface RequestGuardOptions {
  signingSecret: string;
  /** Whether a registered listener will acknowledge this body. */
  isHandled: (body: SlackBody) => boolean;
  logger: Logger;
  maxBytes?: number;
}

type Reading = { kind: "body"; raw: Buffer; parsed: unknown } | { kind: "unparsable"; raw: Buffer } | { kind: "too_large" };

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Reading> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) return { kind: "too_large" };
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks);
  const text = raw.toString("utf8");
  try {
    // As Bolt's parseHTTPRequestBody: a form's `payload` field is JSON; a form without one is the form.
    if (request.headers["content-type"] === "application/x-www-form-urlencoded") {
      const form = parseQuery(text);
      return { kind: "body", raw, parsed: typeof form["payload"] === "string" ? (JSON.parse(form["payload"]) as unknown) : form };
    }
    return { kind: "body", raw, parsed: JSON.parse(text) as unknown };
  } catch {
    return { kind: "unparsable", raw };
  }
}

function answer(response: ServerResponse, status: number, body?: { error: string; message: string }): void {
  if (response.headersSent) return;
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/** Bolt's own check of `X-Slack-Signature` (HMAC of `v0:<timestamp>:<body>`, at most 5 minutes old). */
function isSigned(request: IncomingMessage, raw: Buffer, signingSecret: string): boolean {
  const signature = request.headers["x-slack-signature"];
  const timestamp = Number(request.headers["x-slack-request-timestamp"]);
  if (typeof signature !== "string" || !Number.isFinite(timestamp)) return false;
  return isValidSlackRequest({
    signingSecret,
    body: raw.toString("utf8"),
    headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
  });
}

/** Slack's HTTP-only checks, which Bolt's HTTP receiver answers itself (never sent over a socket). */
const answeredByBolt = (body: SlackBody): boolean => body["ssl_check"] !== undefined || body["type"] === "url_verification";

export const MALFORMED_MESSAGE = "acknowledged a Slack request that lacks a field Slack always sends, without passing it on";

/** Bolt's request listener behind the guard. */
export function guardSlackRequests(boltListener: RequestListener, options: RequestGuardOptions): RequestListener {
  const maxBytes = options.maxBytes ?? SLACK_BODY_LIMIT_BYTES;
  const { logger } = options;
  return (request, response) => {
    void (async () => {
      let reading: Reading;
      try {
        reading = await readBody(request, maxBytes);
      } catch (error) {
        // The sender hung up mid-body: its doing, not ours.
        logger.info({ path: request.url, error: describeError(error) }, "a Slack request ended before its body did");
        return;
      }
      if (reading.kind === "too_large") {
        logger.warn({ maxBytes }, "refused a Slack request larger than the limit");
        answer(response, 413, { error: "PAYLOAD_TOO_LARGE", message: `The body is larger than ${String(maxBytes)} bytes; Slack never sends one this large.` });
        request.resume();
        return;
      }
      if (reading.kind === "body" && isSigned(request, reading.raw, options.signingSecret)) {
        const judgement = judgeSlackBody(reading.parsed, (body) => answeredByBolt(body) || options.isHandled(body));
        if (judgement.verdict === "refuse") {
          logger.warn({ body: judgement.what }, "refused a Slack request whose body is not an object");
          answer(response, 400, { error: "BAD_REQUEST", message: `The body (or its payload field) is ${judgement.what}; Slack sends a JSON object.` });
          return;
        }
        if (judgement.verdict === "malformed") {
          // 200, not 400: the body is signed, so Slack sent it. Slack sends an event again after any
          // non-2xx answer (`http_error`, https://docs.slack.dev/apis/events-api/ "Error handling"),
          // and shows the person an error for an interaction not answered 200
          // (https://docs.slack.dev/interactivity/handling-user-interaction): the same body again.
          logger.warn({ type: judgement.body["type"] ?? judgement.body["command"], problem: judgement.problem }, MALFORMED_MESSAGE);
          answer(response, 200);
          return;
        }
        if (judgement.verdict === "acknowledge") {
          logger.debug({ type: judgement.body["type"] }, "acknowledged a Slack request no listener handles");
          answer(response, 200);
          return;
        }
      }
      // Bolt reads `rawBody` when it is already a Buffer, and answers unparsable bodies 400 itself.
      Object.assign(request, { rawBody: reading.raw });
      boltListener(request, response);
    })().catch((error: unknown) => {
      logger.error({ path: request.url, error: describeError(error) }, "the Slack request guard failed");
      answer(response, 500, { error: "INTERNAL", message: "baton failed to handle this request; see its log." });
    });
  };
}
