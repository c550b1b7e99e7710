import type { ApprovalRecord, RunRecord } from "../../core/ports.js";
import { approvalButtons, listedApprovalBlockId } from "./approval-buttons.js";
import { section } from "./blocks.js";
import { relative } from "./format.js";
import { escapeMrkdwn, link, md, mention, slackDate } from "./mrkdwn.js";
import type { Block } from "./types.js";

/** An approval waiting for someone, with what a list shows of its run. */
export interface PendingItem {
  approval: ApprovalRecord;
  run: RunRecord;
  /** The chain's title (or its id when the chain is no longer loaded). */
  chainTitle: string;
  /** A permalink to the approval card in its thread, when the caller knows it (https only). */
  link?: string | undefined;
}

/** One pending approval in a list: what and whose, its deadline, and its own buttons. */
export function pendingItemBlocks(item: PendingItem, now: number): Block[] {
  const { approval, run } = item;
  const round = approval.round > 1 ? md` · round ${approval.round}` : md``;
  const deadline = approval.deadlineAt === null ? md`` : md`\nExpires ${slackDate(approval.deadlineAt)} (${escapeMrkdwn(relative(approval.deadlineAt, now))})`;
  const card = item.link === undefined ? md`` : md` · ${link(item.link, "open the card")}`;
  const line = md`*${escapeMrkdwn(item.chainTitle)}* · step \`${escapeMrkdwn(approval.stepId)}\`${round} · run \`${escapeMrkdwn(run.id)}\` started by ${mention(run.startedBy)}${card}${deadline}`;
  // Several approvals share a message here, and block ids must be unique within one.
  return [section(line), approvalButtons(approval.id, listedApprovalBlockId(approval.id))];
}
