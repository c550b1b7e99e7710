import type { types } from "@slack/bolt";
import type { RunRecord, RunStatus } from "../../core/ports.js";
import { RUN_STATUSES } from "../../core/ports.js";
import { approvalButtons } from "./approval-card.js";
import { BLOCK_LIMITS, context, divider, escapeMrkdwn, fitBlocks, header, section, SCRIPTED_NOTICE, type Block } from "./block-limits.js";
import type { PendingItem } from "./command-replies.js";
import { person, relative, slackDate } from "./format.js";
import { STATUS_LABELS } from "./progress-card.js";

/** The App Home tab: my pending approvals (with their buttons), recent runs, counts by status. */
export interface AppHomeInput {
  userId: string;
  pending: ReadonlyArray<PendingItem>;
  recentRuns: ReadonlyArray<RunRecord>;
  countsByStatus: Partial<Record<RunStatus, number>>;
  scripted: boolean;
  now: number;
}

export function renderAppHome(input: AppHomeInput): types.HomeView {
  const { pending, recentRuns, countsByStatus, now } = input;
  const blocks: Block[] = [header("baton")];
  if (input.scripted) blocks.push(context(SCRIPTED_NOTICE));
  const counts = RUN_STATUSES.filter((status) => (countsByStatus[status] ?? 0) > 0).map((status) => `${STATUS_LABELS[status].split(" — ")[0] ?? status}: *${String(countsByStatus[status])}*`);
  blocks.push(section(counts.length === 0 ? "No runs yet." : counts.join("   ")));
  blocks.push(divider, section(`*Waiting for you* (${String(pending.length)})`));
  if (pending.length === 0) blocks.push(context("Nothing is waiting for your approval."));
  for (const item of pending.slice(0, 20)) {
    const deadline = item.approval.deadlineAt === null ? "" : ` · expires ${slackDate(item.approval.deadlineAt)} (${relative(item.approval.deadlineAt, now)})`;
    blocks.push(section(`*${escapeMrkdwn(item.chainTitle)}* · step \`${escapeMrkdwn(item.approval.stepId)}\` · run \`${escapeMrkdwn(item.run.id)}\` · by ${person(item.run.startedBy)}${deadline}`), approvalButtons(item.approval.id));
  }
  if (pending.length > 20) blocks.push(context(`… and ${String(pending.length - 20)} more: \`/baton pending\`.`));
  blocks.push(divider, section("*Recent runs*"));
  if (recentRuns.length === 0) blocks.push(context("No runs yet. Start one with `/baton run <chain>`."));
  else blocks.push(section(recentRuns.map((run) => `\`${escapeMrkdwn(run.id)}\` *${escapeMrkdwn(run.chainId)}* · ${STATUS_LABELS[run.status]} · ${relative(run.createdAt, now)}`).join("\n")));
  return { type: "home", blocks: fitBlocks(blocks, BLOCK_LIMITS.viewBlocks, (leftOut) => `… ${String(leftOut)} more blocks.`) };
}
