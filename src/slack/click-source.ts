import type { RespondFn } from "@slack/bolt";
import { z } from "zod";
import { BatonError } from "../core/errors.js";
import type { MessageLedger } from "../core/ports.js";
import { APPROVAL_BLOCK_ID, listedApprovalBlockId } from "./render/approval-buttons.js";
import type { SlackMessage } from "./render/types.js";
import { approvalKey } from "./run-projection.js";
import type { SlackClient } from "./slack-web-client.js";

/**
 * Where an approval button was clicked, and how to answer there.
 *
 * Slack's `block_actions` payload says where the click came from in `container`: a message
 * (`channel_id`, `message_ts`, `is_ephemeral`) or a view (`view_id`, with `view.type` "home" for
 * the App Home). Which fields come depends on that source (block_actions payload reference,
 * docs.slack.dev/reference/interaction-payloads/block_actions-payload): a Home tab click has no
 * `response_url`, so Bolt gives no `respond` (issue 13 item 7: "respond is not a function").
 */

const ClickBody = z.object({
  user: z.object({ id: z.string().min(1) }),
  response_url: z.string().optional(),
  container: z
    .object({
      type: z.string(),
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
      view_id: z.string().optional(),
    })
    .optional(),
  view: z.object({ id: z.string().optional(), type: z.string().optional() }).optional(),
});
const ClickedAction = z.object({ block_id: z.string().optional() });

export interface ClickSource {
  userId: string;
  /** `card`: the approval card in a run's thread; `list`: `/baton pending` (ephemeral); `home`: the App Home tab. */
  kind: "card" | "list" | "home" | "unknown";
  channelId: string | undefined;
  messageTs: string | undefined;
  blockId: string | undefined;
  hasResponseUrl: boolean;
}

export function clickSourceOf(body: unknown, action: unknown): ClickSource {
  const parsed = ClickBody.safeParse(body);
  const blockId = ClickedAction.safeParse(action).data?.block_id;
  if (!parsed.success) return { userId: "", kind: "unknown", channelId: undefined, messageTs: undefined, blockId, hasResponseUrl: false };
  const { container, view, user } = parsed.data;
  const kind =
    container?.type === "view"
      ? view?.type === "home"
        ? "home"
        : "unknown"
      : container?.type === "message"
        ? container.is_ephemeral === true
          ? "list"
          : blockId === APPROVAL_BLOCK_ID
            ? "card"
            : "list"
        : "unknown";
  return {
    userId: user.id,
    kind,
    channelId: container?.channel_id,
    messageTs: container?.message_ts,
    blockId,
    hasResponseUrl: typeof parsed.data.response_url === "string" && parsed.data.response_url !== "",
  };
}

const NOT_ITS_CARD = (approvalId: string): string =>
  `This button does not belong to the message it was clicked on (approval "${approvalId}"). Nothing was decided. Use the buttons on the approval's own card, or \`/baton pending\`.`;

/**
 * The approval id a button carries must be the one its card or list entry was built for: a card
 * in a thread is the message baton recorded for that approval (channel + ts in the ledger); a
 * list entry (an ephemeral `/baton pending` or the Home tab) sits in the block baton named after
 * that approval. Throws COMMAND_INVALID otherwise.
 */
export async function checkClickSource(source: ClickSource, approvalId: string, ledger: MessageLedger): Promise<void> {
  if (source.kind === "card") {
    const card = await ledger.getMessage(approvalKey(approvalId));
    if (card?.ts !== undefined && card.ts !== null && card.channel === source.channelId && card.ts === source.messageTs) return;
    throw new BatonError("COMMAND_INVALID", NOT_ITS_CARD(approvalId), { approvalId, channel: source.channelId ?? "", ts: source.messageTs ?? "" });
  }
  if ((source.kind === "list" || source.kind === "home") && source.blockId === listedApprovalBlockId(approvalId)) return;
  throw new BatonError("COMMAND_INVALID", NOT_ITS_CARD(approvalId), { approvalId, blockId: source.blockId ?? "" });
}

/**
 * How to tell the person who clicked: through `response_url` (an ephemeral reply where they
 * clicked) when Slack gave one, else a direct message from baton (the App Home's Messages tab:
 * chat.postMessage with the user id as the channel).
 */
export function replierFor(source: ClickSource, respond: RespondFn | undefined, client: SlackClient): (message: SlackMessage) => Promise<unknown> {
  if (source.hasResponseUrl && respond !== undefined)
    return (message) => respond({ response_type: "ephemeral", replace_original: false, text: message.text, blocks: message.blocks });
  return (message) => client.chat.postMessage({ channel: source.userId, text: message.text, blocks: message.blocks });
}
