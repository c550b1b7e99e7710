import type { ApprovalRecord } from "../../core/ports.js";
import { BLOCK_LIMITS, truncateText } from "./block-limits.js";
import { section } from "./blocks.js";
import { relative } from "./format.js";
import { escapeMrkdwn, md, mentions, plainFallback, slackDate } from "./mrkdwn.js";
import type { ChainView, SlackMessage } from "./types.js";

/** What a reminder is drawn from; `escalateTo` makes it an escalation to those users or groups. */
export interface ReminderInput {
  approval: ApprovalRecord;
  chain: ChainView;
  now: number;
  escalateTo?: ReadonlyArray<string>;
}

/**
 * A reminder in the run's thread, mentioning who can decide — or, escalated, the escalation
 * group(s) too. The mentions stay in `text` so that the notification reaches them.
 */
export function renderReminder(input: ReminderInput): SlackMessage {
  const { approval, chain, now, escalateTo } = input;
  const approvers = approval.approvers.length === 0 ? md`Anyone in the channel` : mentions(approval.approvers);
  const what = md`the approval of step \`${escapeMrkdwn(approval.stepId)}\` in *${escapeMrkdwn(chain.title)}* (run \`${escapeMrkdwn(approval.runId)}\`)`;
  const expiry =
    approval.deadlineAt === null
      ? md``
      : md` It expires ${slackDate(approval.deadlineAt)} (${escapeMrkdwn(relative(approval.deadlineAt, now))}) and is never approved by default.`;
  const since = md`since ${slackDate(approval.requestedAt)} (${escapeMrkdwn(relative(approval.requestedAt, now))})`;
  const line =
    escalateTo === undefined || escalateTo.length === 0
      ? md`:bell: ${approvers} — ${what} is still waiting, ${since}.${expiry} Decide with the buttons on the card above.`
      : md`:rotating_light: ${mentions(escalateTo)} — escalated to you: ${what} has been waiting ${since} and nobody has decided.${expiry} Approvers: ${approvers}.`;
  return { text: truncateText(plainFallback(line), BLOCK_LIMITS.messageText), blocks: [section(line)] };
}
