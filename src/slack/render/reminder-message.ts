import type { ApprovalRecord } from "../../core/ports.js";
import { escapeMrkdwn, section } from "./block-limits.js";
import { people, relative, slackDate } from "./format.js";
import type { ChainView, SlackMessage } from "./types.js";

/** A reminder (or an escalation) in the run's thread, mentioning who can decide. */
export function renderReminder(input: { approval: ApprovalRecord; chain: ChainView; now: number; escalateTo?: ReadonlyArray<string> }): SlackMessage {
  const { approval, chain, now, escalateTo } = input;
  const approvers = approval.approvers.length === 0 ? "Anyone here" : people(approval.approvers);
  const expiry = approval.deadlineAt === null ? "" : ` It expires ${slackDate(approval.deadlineAt)} (${relative(approval.deadlineAt, now)}) and is never approved by default.`;
  const waiting = `waiting since ${slackDate(approval.requestedAt)}`;
  const what = `the approval of step \`${escapeMrkdwn(approval.stepId)}\` in *${escapeMrkdwn(chain.title)}*`;
  const text =
    escalateTo === undefined
      ? `:bell: ${approvers}: ${what} is still ${waiting}.${expiry} Use the buttons on the card above.`
      : `:rotating_light: Escalated to ${people(escalateTo)}: ${what} has been ${waiting} and nobody has decided.${expiry} Approvers: ${approvers}.`;
  return { text: text.replace(/<[^>]*\|([^>]*)>/g, "$1"), blocks: [section(text)] };
}
