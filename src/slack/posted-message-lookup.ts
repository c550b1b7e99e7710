import { z } from "zod";
import type { SlackClient } from "./slack-web-client.js";

/**
 * Finding a message baton posted, by the ledger key it carries as message metadata
 * (docs.slack.dev/messaging/message-metadata). Slack's chat.postMessage has no idempotency key:
 * a process killed between Slack's answer and its ledger write leaves a claim without a ts, and
 * this is how the next attempt learns whether the message is already there.
 */

/** The message metadata event type that carries a message's ledger key. */
export const MESSAGE_KEY_EVENT = "baton_message";

/** A message read back from Slack that carries a ledger key. */
const KeyedMessage = z.object({
  ts: z.string(),
  metadata: z.object({ event_type: z.literal(MESSAGE_KEY_EVENT), event_payload: z.object({ key: z.string() }) }),
});

/**
 * The ts of the message posted under `key` in `channel` (in the thread `threadTs`, when given)
 * after `postedAfter` (ms), or undefined. Reads conversations.replies in a thread and
 * conversations.history in a channel; both return metadata only with `include_all_metadata`.
 * Throws what Slack answers (`missing_scope` without channels:history / groups:history).
 */
export async function findPostedMessage(
  client: SlackClient,
  where: { key: string; channel: string; threadTs: string | undefined; postedAfter: number },
): Promise<string | undefined> {
  const { key, channel, threadTs } = where;
  const page =
    threadTs === undefined
      ? // A minute of slack for clocks: the message was posted after the claim was written.
        await client.conversations.history({ channel, oldest: String(Math.floor(where.postedAfter / 1000) - 60), include_all_metadata: true, limit: 200 })
      : await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 });
  for (const candidate of page.messages ?? []) {
    const parsed = KeyedMessage.safeParse(candidate);
    if (parsed.success && parsed.data.metadata.event_payload.key === key) return parsed.data.ts;
  }
  return undefined;
}
