import { BLOCK_LIMITS } from "./block-limits.js";
import type { Block } from "./types.js";

/** The action ids of the approval buttons: the Bolt handlers listen for exactly these. */
export const APPROVAL_ACTION_IDS = { approve: "baton.approve", edit: "baton.edit", requestChanges: "baton.request_changes", reject: "baton.reject" } as const;

/** The block id of the buttons on an approval card (one set per message). */
export const APPROVAL_BLOCK_ID = "baton.approval";

type Button = { type: "button"; action_id: string; text: { type: "plain_text"; text: string }; value: string; style?: "primary" | "danger" };

/**
 * The four approval buttons. Each carries only the approval id: a button value is limited to
 * 2,000 characters and is visible to the client, so data stays in the store.
 *
 * `blockId` must be unique within a message: lists that show several approvals pass their own.
 */
export function approvalButtons(approvalId: string, blockId: string = APPROVAL_BLOCK_ID): Block {
  if (approvalId.length === 0 || approvalId.length > BLOCK_LIMITS.buttonValue)
    throw new RangeError(`An approval id must be 1 to ${String(BLOCK_LIMITS.buttonValue)} characters to fit a button value; got ${String(approvalId.length)}.`);
  if (blockId.length > BLOCK_LIMITS.blockId)
    throw new RangeError(`A block id must be at most ${String(BLOCK_LIMITS.blockId)} characters; got ${String(blockId.length)}.`);
  const button = (actionId: string, text: string, style?: "primary" | "danger"): Button => ({
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text },
    value: approvalId,
    ...(style ? { style } : {}),
  });
  return {
    type: "actions",
    block_id: blockId,
    elements: [
      button(APPROVAL_ACTION_IDS.approve, "Approve", "primary"),
      button(APPROVAL_ACTION_IDS.edit, "Edit"),
      button(APPROVAL_ACTION_IDS.requestChanges, "Request changes"),
      {
        ...button(APPROVAL_ACTION_IDS.reject, "Reject", "danger"),
        confirm: {
          title: { type: "plain_text", text: "Reject this proposal?" },
          text: { type: "mrkdwn", text: "The run stops here and is not resumed. You will be asked for a reason." },
          confirm: { type: "plain_text", text: "Reject" },
          deny: { type: "plain_text", text: "Back" },
          style: "danger",
        },
      },
    ],
  };
}

/** A block id for the buttons of one approval among several in a list or the App Home. */
export function listedApprovalBlockId(approvalId: string): string {
  return `${APPROVAL_BLOCK_ID}.${approvalId}`.slice(0, BLOCK_LIMITS.blockId);
}
