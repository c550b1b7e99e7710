import type { SocketModeReceiver } from "@slack/bolt";
import { BatonError, describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { describeNonObject, isSlackBody, judgeSlackBody, SLACK_BODY_LIMIT_BYTES, type SlackBody } from "./request-rules.js";

/**
 * What stands in front of Bolt in Socket Mode: the HTTP guard's rules (`request-rules.ts`)
 * applied to each envelope Slack sends over the WebSocket (Slack's "Using Socket Mode",
 * https://docs.slack.dev/apis/events-api/using-socket-mode/: `{envelope_id, type, payload,
 * accepts_response_payload}`, acknowledged by sending `{envelope_id}` back).
 *
 * Without it (Bolt 5.1 with @slack/socket-mode 3.1):
 * - an `events_api` envelope whose payload is null threw inside the client's message handler
 *   (it reads `payload.event.type`): an unhandled rejection, and the envelope was never acked;
 * - an `interactive` envelope whose payload is null threw in Bolt (`body.event`), an array
 *   payload was "of no known type"; neither was acked, so Slack delivered them again;
 * - an action id baton never registered was never acked (Bolt's Socket Mode ack has no timeout),
 *   so the person saw an error and Slack delivered it again;
 * - an envelope of a type Slack does not send went to Bolt as its payload: a payload shaped like
 *   a button click ran the click's listener.
 * Now: a message over the 4 MB limit, one that is not JSON, not an object or has no
 * `envelope_id` is dropped with a warning (nothing to ack it by, or too large to read); an
 * envelope of an unknown type, with a payload that is not an object, that no listener handles,
 * or that a listener handles but lacks a field Slack always sends (`payload-shapes.ts`) is acked at once with an empty ack and never reaches Bolt. Everything else goes on unchanged,
 * and its listener acks it after its durable write.
 */

export interface SocketModeGuardOptions {
  /** Whether a registered listener will acknowledge this payload. */
  isHandled: (body: SlackBody) => boolean;
  logger: Logger;
  maxBytes?: number;
}

type SocketModeClient = SocketModeReceiver["client"];
type MessageListener = (data: string | ArrayBuffer, isBinary: boolean) => unknown;

/** The envelope types Slack sends an app; `hello` and `disconnect` are the client's own business. */
const ENVELOPE_TYPES: ReadonlySet<unknown> = new Set(["events_api", "interactive", "slash_commands"]);
const CONNECTION_TYPES: ReadonlySet<unknown> = new Set(["hello", "disconnect"]);

export type EnvelopeJudgement =
  | { verdict: "pass" }
  | { verdict: "drop"; reason: string }
  | { verdict: "acknowledge"; envelopeId: string; level: "warn" | "debug"; reason: string };

/** What to do with one parsed WebSocket message (pure: the tests' and the guard's one rule). */
export function judgeEnvelope(envelope: unknown, isHandled: (body: SlackBody) => boolean): EnvelopeJudgement {
  if (!isSlackBody(envelope)) return { verdict: "drop", reason: `the message is ${describeNonObject(envelope)}, not an envelope` };
  const type = envelope["type"];
  if (CONNECTION_TYPES.has(type)) return { verdict: "pass" };
  const envelopeId = envelope["envelope_id"];
  if (typeof envelopeId !== "string" || envelopeId === "") return { verdict: "drop", reason: "the envelope has no envelope_id to acknowledge it by" };
  if (!ENVELOPE_TYPES.has(type))
    return { verdict: "acknowledge", envelopeId, level: "warn", reason: `the envelope's type ${JSON.stringify(type) ?? "undefined"} is not one Slack sends` };
  const judgement = judgeSlackBody(envelope["payload"], isHandled);
  if (judgement.verdict === "refuse") return { verdict: "acknowledge", envelopeId, level: "warn", reason: `the payload is ${judgement.what}, not an object` };
  // The client reads `payload.event.type` of every events_api envelope before anyone else sees it.
  if (type === "events_api" && !isSlackBody(judgement.body["event"])) {
    return { verdict: "acknowledge", envelopeId, level: "warn", reason: "the events_api payload has no event object" };
  }
  if (judgement.verdict === "malformed") return { verdict: "acknowledge", envelopeId, level: "warn", reason: `the payload's ${judgement.problem}` };
  if (judgement.verdict === "acknowledge") return { verdict: "acknowledge", envelopeId, level: "debug", reason: "no listener handles it" };
  return { verdict: "pass" };
}

/**
 * Put the guard in front of the client's own message handler.
 *
 * SocketModeReceiver builds its SocketModeClient itself and subscribes Bolt to the client's
 * `slack_event` first, and the client parses and dispatches each message in its one `ws_message`
 * listener (where the events_api crash is), so the guard can only stand in front of that
 * listener: it is taken off with the emitter's public `listeners`/`off` and called from the guard.
 * Acknowledging an envelope Bolt never sees needs the client's `send(envelope_id)`, which its
 * type declarations mark private (Bolt's own SocketModeResponseAck says it should be public); it
 * is the one private member used, called as the client's own `ack()` calls it.
 */
export function guardSocketModeEnvelopes(client: SocketModeClient, options: SocketModeGuardOptions): void {
  const { logger, isHandled } = options;
  const maxBytes = options.maxBytes ?? SLACK_BODY_LIMIT_BYTES;
  const listeners = client.listeners("ws_message") as MessageListener[];
  const [parse] = listeners;
  if (parse === undefined || listeners.length !== 1) {
    throw new BatonError(
      "CONFIG_INVALID",
      `The installed @slack/socket-mode is not the one baton was built against (its client has ${String(listeners.length)} message handlers; baton expects one). Reinstall baton's pinned dependencies (npm ci), then start baton again.`,
      { handlers: listeners.length },
    );
  }
  const sender = client as unknown as { send(envelopeId: string): Promise<void> };
  const acknowledge = (envelopeId: string): void => {
    sender.send(envelopeId).catch((error: unknown) => {
      logger.warn({ envelopeId, error: describeError(error) }, "could not acknowledge a Socket Mode envelope; Slack sends it again");
    });
  };
  client.off("ws_message", parse);
  client.on("ws_message", (data: string | ArrayBuffer, isBinary: boolean) => {
    // The client ignores binary messages itself.
    if (isBinary) return parse(data, isBinary);
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (size > maxBytes) {
      logger.warn({ bytes: size, maxBytes }, "dropped a Socket Mode message larger than the limit; Slack never sends one this large");
      return undefined;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    } catch {
      logger.warn({ bytes: size }, "dropped a Socket Mode message that is not JSON; Slack sends JSON envelopes");
      return undefined;
    }
    const judgement = judgeEnvelope(envelope, isHandled);
    if (judgement.verdict === "pass") return parse(data, isBinary);
    if (judgement.verdict === "drop") {
      logger.warn({ reason: judgement.reason }, "dropped a Socket Mode message that is not an envelope Slack sends");
      return undefined;
    }
    const fields = { envelopeId: judgement.envelopeId, type: (envelope as SlackBody)["type"], reason: judgement.reason };
    if (judgement.level === "warn") logger.warn(fields, "acknowledged a Socket Mode envelope Slack would not send, without passing it on");
    else logger.debug(fields, "acknowledged a Socket Mode envelope no listener handles");
    acknowledge(judgement.envelopeId);
    return undefined;
  });
}
