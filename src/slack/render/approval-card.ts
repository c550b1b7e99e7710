import type { ApprovalRecord, RunRecord } from "../../core/ports.js";
import { BLOCK_LIMITS, context, divider, escapeMrkdwn, header, section, SCRIPTED_NOTICE, truncateText, type Block } from "./block-limits.js";
import { people, person, relative, slackDate } from "./format.js";
import { renderOutputBlocks, renderOutputText } from "./output-blocks.js";
import type { ChainView, SlackMessage } from "./types.js";

/**
 * The approval card in the run's thread. Pending: the proposal, who may approve, the deadline
 * and the four buttons (each carrying only the approval id). Decided, expired or cancelled: what
 * happened, by whom and when, and no buttons.
 */

export const APPROVAL_ACTION_IDS = { approve: "baton.approve", edit: "baton.edit", requestChanges: "baton.request_changes", reject: "baton.reject" } as const;

export interface ApprovalCardInput {
  approval: ApprovalRecord;
  run: RunRecord;
  chain: ChainView;
  /** The gate's title from the chain, if it has one. */
  title?: string | undefined;
  scripted: boolean;
  now: number;
}

export function approvalButtons(approvalId: string): Block {
  if (approvalId.length > BLOCK_LIMITS.buttonValue) throw new Error(`approval id too long for a button value: ${String(approvalId.length)} characters`);
  const button = (actionId: string, text: string, style?: "primary" | "danger") => ({ type: "button" as const, action_id: actionId, text: { type: "plain_text" as const, text }, value: approvalId, ...(style ? { style } : {}) });
  return {
    type: "actions",
    block_id: "baton.approval",
    elements: [
      button(APPROVAL_ACTION_IDS.approve, "Approve", "primary"),
      button(APPROVAL_ACTION_IDS.edit, "Edit"),
      button(APPROVAL_ACTION_IDS.requestChanges, "Request changes"),
      {
        ...button(APPROVAL_ACTION_IDS.reject, "Reject", "danger"),
        confirm: {
          title: { type: "plain_text", text: "Reject this proposal?" },
          text: { type: "mrkdwn", text: "The run stops. You will be asked why." },
          confirm: { type: "plain_text", text: "Reject" },
          deny: { type: "plain_text", text: "Back" },
          style: "danger",
        },
      },
    ],
  };
}

function outcomeLine(approval: ApprovalRecord): string {
  const who = approval.decidedBy ? person(approval.decidedBy) : "someone";
  const when = approval.decidedAt ? ` at ${slackDate(approval.decidedAt)}` : "";
  const comment = approval.comment ? `: ${escapeMrkdwn(approval.comment)}` : "";
  switch (approval.status) {
    case "approved":
      return `:white_check_mark: Approved by ${who}${when}`;
    case "edited":
      return `:pencil2: Edited and approved by ${who}${when} (the edit is recorded with a diff in the audit log)`;
    case "changes_requested":
      return `:repeat: Changes requested by ${who}${when}${comment}`;
    case "rejected":
      return `:no_entry: Rejected by ${who}${when}${comment}`;
    case "expired":
      return `:hourglass: Expired at ${slackDate(approval.deadlineAt ?? approval.decidedAt ?? approval.requestedAt)} — nobody decided before the deadline; the run ended \`expired\`.`;
    case "cancelled":
      return ":no_entry_sign: Cancelled — the run was stopped before anyone decided.";
    case "pending":
      return "";
  }
}

export function renderApprovalCard(input: ApprovalCardInput): SlackMessage {
  const { approval, chain, scripted, now } = input;
  const stepDescription = chain.steps[approval.stepIndex]?.description;
  const title = input.title ?? `Approval needed: ${stepDescription ?? approval.stepId}`;
  const pending = approval.status === "pending";
  const round = approval.round > 1 ? ` · round ${String(approval.round)} (after changes were requested)` : "";
  const top: Block[] = [header(title), context(`Step \`${escapeMrkdwn(approval.stepId)}\` of *${escapeMrkdwn(chain.title)}* · run \`${escapeMrkdwn(approval.runId)}\`${round} · approval \`${escapeMrkdwn(approval.id)}\``)];
  const tail: Block[] = [divider];
  if (pending) {
    const approvers = approval.approvers.length === 0 ? "anyone in the channel" : people(approval.approvers);
    const self = approval.allowSelfApproval ? "" : ` (not ${person(approval.requestedBy)}, who started the run)`;
    const deadline = approval.deadlineAt === null ? "" : ` · expires ${slackDate(approval.deadlineAt)} (${relative(approval.deadlineAt, now)}); it is never approved by default`;
    tail.push(context(`*Who may approve:* ${approvers}${self}${deadline}`), approvalButtons(approval.id));
  } else {
    tail.push(section(outcomeLine(approval)));
  }
  if (scripted) tail.push(context(SCRIPTED_NOTICE));
  const shown = approval.status === "edited" ? approval.editedOutput : approval.proposal;
  const body = renderOutputBlocks(shown, { maxBlocks: BLOCK_LIMITS.messageBlocks - top.length - tail.length });
  const status = pending ? "waiting for approval" : outcomeLine(approval).replace(/<[^>]*>/g, "").replace(/:[a-z_0-9]+: /, "");
  const text = truncateText(`${title} (${status}): ${renderOutputText(shown)}`, BLOCK_LIMITS.messageText);
  return { text, blocks: [...top, ...body, ...tail] };
}
