import { contextNote, escapeMrkdwn, type InputBlock, md, modalTitle, type ModalView, plainText, SLACK_LIMITS } from "./block-kit.js";
import { approvalMetadata } from "./private-metadata.js";
import { parseStateValues, readElement, textOf } from "./slack-state.js";

export { parseApprovalMetadata } from "./private-metadata.js";

/**
 * The "Request changes" and "Reject" modals of an approval: one required text box each.
 * Both carry `{"approvalId":"..."}` in `private_metadata` (read it with `parseApprovalMetadata`).
 */

/** The `callback_id` of the request-changes modal's `view_submission`. */
export const REQUEST_CHANGES_CALLBACK_ID = "baton.request_changes_submit";
/** The `callback_id` of the reject modal's `view_submission`. */
export const REJECT_CALLBACK_ID = "baton.reject_submit";

/** Block ids of the text boxes, with the action id `value` inside. */
export const FEEDBACK_BLOCK_ID = "feedback";
export const REASON_BLOCK_ID = "reason";
const TEXT_ACTION_ID = "value";

export type TextReading = { ok: true; text: string } | { ok: false; errors: Record<string, string> };

/** Asks what should change; the step then runs again with the feedback. */
export function buildFeedbackModal(approvalId: string, stepTitle: string): ModalView {
  return {
    type: "modal",
    callback_id: REQUEST_CHANGES_CALLBACK_ID,
    private_metadata: approvalMetadata(approvalId),
    title: modalTitle("Request changes"),
    submit: plainText("Request changes"),
    close: plainText("Cancel"),
    blocks: [
      contextNote(
        "baton.feedback_note",
        md`*${escapeMrkdwn(stepTitle)}*: the model runs this step again with your feedback, and the new proposal comes back for approval.`,
      ),
      textBlock(FEEDBACK_BLOCK_ID, "What should change?", "Be specific: what is wrong, and what you expect instead."),
    ],
  };
}

/** Asks why the proposal is rejected; the run then stops. */
export function buildRejectModal(approvalId: string, stepTitle: string): ModalView {
  return {
    type: "modal",
    callback_id: REJECT_CALLBACK_ID,
    private_metadata: approvalMetadata(approvalId),
    title: modalTitle("Reject"),
    submit: plainText("Reject"),
    close: plainText("Cancel"),
    blocks: [
      contextNote("baton.reject_note", md`*${escapeMrkdwn(stepTitle)}*: rejecting stops the run. The reason is recorded with the decision.`),
      textBlock(REASON_BLOCK_ID, "Why reject?", undefined),
    ],
  };
}

/** The feedback typed in the request-changes modal, or an inline error when it is blank. */
export function readFeedback(stateValues: unknown): TextReading {
  return readText(stateValues, FEEDBACK_BLOCK_ID, "Write what should change, so the model knows what to do differently.");
}

/** The reason typed in the reject modal, or an inline error when it is blank. */
export function readReason(stateValues: unknown): TextReading {
  return readText(stateValues, REASON_BLOCK_ID, "Write why you reject it; the reason is recorded with the decision.");
}

function textBlock(blockId: string, label: string, hint: string | undefined): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plainText(label),
    ...(hint === undefined ? {} : { hint: plainText(hint) }),
    element: { type: "plain_text_input", action_id: TEXT_ACTION_ID, multiline: true, max_length: SLACK_LIMITS.textInput },
  };
}

function readText(stateValues: unknown, blockId: string, blankMessage: string): TextReading {
  const text = textOf(readElement(parseStateValues(stateValues), blockId, TEXT_ACTION_ID));
  if (text === undefined) return { ok: false, errors: { [blockId]: blankMessage } };
  return { ok: true, text: text.trim() };
}
