import type { ApprovalRecord, RunRecord } from "../../core/ports.js";
import { approvalButtons } from "./approval-buttons.js";
import { BLOCK_LIMITS, fitBetween, totalTextLength, truncateText } from "./block-limits.js";
import { context, divider, header, scriptedNotice, section } from "./blocks.js";
import { usageLine } from "./format.js";
import { escapeMrkdwn, joinMrkdwn, md, mention, plainFallback, slackDate, withoutLeadingEmoji, type Mrkdwn } from "./mrkdwn.js";
import { renderOutputBlocks, renderOutputText } from "./output-blocks.js";
import type { Block, ChainView, SlackMessage } from "./types.js";

export { APPROVAL_ACTION_IDS, approvalButtons } from "./approval-buttons.js";

/** What an approval card is drawn from. */
export interface ApprovalCardInput {
  approval: ApprovalRecord;
  run: RunRecord;
  chain: ChainView;
  /** The gate's title from the chain; default the chain view's, else "Approval needed: <step>". */
  title?: string | undefined;
  /** The run uses the scripted demo model: the card says so. */
  scripted: boolean;
  /** The time the deadline is counted from ("in 3 h"). */
  /** Kept for callers; the card shows absolute dates only (see pendingLines). */
  now: number;
  /**
   * How to name an approver, decider or requester, as plain text (it is escaped). Default: Slack
   * user and group ids as mentions, anything else as text.
   */
  approverLabel?: (id: string) => string;
}

/** The line that says what became of a decided, expired or cancelled approval. */
function outcomeLine(approval: ApprovalRecord, name: (id: string) => Mrkdwn): Mrkdwn {
  const who = approval.decidedBy ? name(approval.decidedBy) : md`someone`;
  const when = approval.decidedAt === null ? md`` : md` at ${slackDate(approval.decidedAt)}`;
  const comment = approval.comment ? md`: ${escapeMrkdwn(approval.comment)}` : md``;
  switch (approval.status) {
    case "approved":
      return md`:white_check_mark: Approved by ${who}${when}`;
    case "edited":
      return md`:pencil2: Edited and approved by ${who}${when}`;
    case "changes_requested":
      return md`:repeat: Changes requested by ${who}${when}${comment}`;
    case "rejected":
      return md`:no_entry: Rejected by ${who}${when}${comment}`;
    case "expired":
      return md`:hourglass: Expired at ${slackDate(approval.deadlineAt ?? approval.decidedAt ?? approval.requestedAt)} — nobody decided before the deadline; the run ended \`expired\`.`;
    case "cancelled":
      return md`:no_entry_sign: Cancelled — the run was stopped before anyone decided.`;
    case "pending":
      return md``;
  }
}

/**
 * Who may approve, whether the requester may, and until when. The deadline is an absolute Slack
 * date (shown in each reader's time zone), not "in 3 h": the card is updated only when its run
 * changes, and a relative time would both go stale and change the card on every sync.
 */
function pendingLines(approval: ApprovalRecord, name: (id: string) => Mrkdwn): Mrkdwn {
  const approvers = approval.approvers.length === 0 ? md`anyone in the channel` : joinMrkdwn(approval.approvers.map(name), ", ");
  const self = approval.allowSelfApproval ? md`` : md`\n${name(approval.requestedBy)} started this run and may not approve it.`;
  const deadline =
    approval.deadlineAt === null
      ? md`\n*Deadline:* none`
      : md`\n*Deadline:* ${slackDate(approval.deadlineAt)}; if nobody decides by then the run ends \`expired\` — it is never approved by default.`;
  return md`*Who may approve:* ${approvers}${self}${deadline}`;
}

/** What the proposal cost to ask for (its cached prompt part included), or nothing for a step without model calls. */
function proposalCost(approval: ApprovalRecord): Mrkdwn {
  const line = usageLine(approval.stepUsage);
  return line === "" ? md`` : md` · ${escapeMrkdwn(line)}`;
}

/**
 * The approval card in the run's thread. Pending: the proposal, who may approve, the deadline and
 * the four buttons (each carrying only the approval id). Decided, expired or cancelled: the
 * proposal (or the edited output), what happened, by whom and when — and no buttons.
 */
export function renderApprovalCard(input: ApprovalCardInput): SlackMessage {
  const { approval, run, chain, scripted } = input;
  const label = input.approverLabel;
  const name = label === undefined ? mention : (id: string): Mrkdwn => escapeMrkdwn(label(id));
  const step = chain.steps[approval.stepIndex];
  const title = input.title ?? step?.approvalTitle ?? `Approval needed: ${step?.description ?? approval.stepId}`;
  const pending = approval.status === "pending";
  const round = approval.round > 1 ? md` · round ${approval.round} (after changes were requested)` : md``;
  const top: Block[] = [
    header(title),
    // The approval id is shown so it can also be decided from a terminal (`baton approve <id>`).
    context(
      md`Step \`${escapeMrkdwn(approval.stepId)}\` of *${escapeMrkdwn(chain.title)}* · run \`${escapeMrkdwn(run.id)}\`${round} · approval \`${escapeMrkdwn(approval.id)}\` · requested ${slackDate(approval.requestedAt)}${proposalCost(approval)}`,
    ),
  ];
  const edited = approval.status === "edited";
  if (edited)
    top.push(
      context(md`:pencil2: *Edited before approval:* this is the approver's version, which the run uses; the audit log keeps the original and the diff.`),
    );
  const tail: Block[] = [divider];
  if (pending) tail.push(section(pendingLines(approval, name)), approvalButtons(approval.id));
  else tail.push(context(outcomeLine(approval, name)));
  if (scripted) tail.push(scriptedNotice());
  const shown = edited ? approval.editedOutput : approval.proposal;
  const body = renderOutputBlocks(shown, {
    maxBlocks: BLOCK_LIMITS.messageBlocks - top.length - tail.length,
    maxCharacters: BLOCK_LIMITS.messageBlocksTextBudget - totalTextLength([...top, ...tail]),
    runId: run.id,
  });
  const state = pending ? md`waiting for approval` : withoutLeadingEmoji(outcomeLine(approval, name));
  const text = md`${escapeMrkdwn(title)} — ${state}${scripted ? md` (scripted demo model)` : md``}\n${renderOutputText(shown)}`;
  return {
    text: truncateText(plainFallback(text), BLOCK_LIMITS.messageText),
    blocks: fitBetween({ top, body, tail }, BLOCK_LIMITS.messageBlocks, (leftOut) => md`… ${leftOut} more blocks not shown.`),
  };
}
