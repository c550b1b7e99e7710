import type { ApprovalRecord, RunRecord } from "../../core/ports.js";
import { approvalButtons } from "./approval-card.js";
import { BLOCK_LIMITS, context, divider, escapeMrkdwn, fitBlocks, header, section, SCRIPTED_NOTICE, truncateText, type Block } from "./block-limits.js";
import { mentionIdsIn, person, relative, slackDate } from "./format.js";
import { renderProgressCard, STATUS_LABELS, type ProgressCardInput } from "./progress-card.js";
import type { ChainView, SlackMessage } from "./types.js";

/** The ephemeral answers to `/baton` subcommands. */

/** An approval waiting for someone, with what the list shows about its run. */
export interface PendingItem {
  approval: ApprovalRecord;
  run: RunRecord;
  chainTitle: string;
}

const message = (text: string, blocks: Block[]): SlackMessage => ({ text: truncateText(text, BLOCK_LIMITS.messageText), blocks: fitBlocks(blocks, BLOCK_LIMITS.messageBlocks, (leftOut) => `… ${String(leftOut)} more not shown.`) });

const COMMANDS: ReadonlyArray<[string, string]> = [
  ["/baton help", "this help"],
  ["/baton chains", "the chains you can run"],
  ["/baton run <chain> [text or JSON]", "start a run, e.g. `/baton run solution-brief A portal for 40k users`; without text a form opens"],
  ["/baton status <run-id>", "a run's steps, durations, tokens, cost and outcome"],
  ["/baton runs [mine|all]", "recent runs (yours by default)"],
  ["/baton pending", "approvals waiting for you"],
  ["/baton cancel <run-id> [reason]", "stop a run you started (or may approve)"],
];

export function renderHelp(options: { scripted: boolean; notUnderstood?: string | undefined }): SlackMessage {
  const lines = COMMANDS.map(([command, what]) => `\`${command}\` — ${what}`).join("\n");
  const blocks: Block[] = [];
  if (options.notUnderstood) blocks.push(section(`:thinking_face: ${escapeMrkdwn(options.notUnderstood)}`));
  blocks.push(section(`*baton* runs multi-step workflows and asks a person before anything risky.\n${lines}`));
  if (options.scripted) blocks.push(context(SCRIPTED_NOTICE));
  return message(`${options.notUnderstood ? `${options.notUnderstood} ` : ""}baton commands: ${COMMANDS.map(([command]) => command).join(", ")}`, blocks);
}

export function renderChainList(chains: ReadonlyArray<ChainView>): SlackMessage {
  if (chains.length === 0) return message("No chains are loaded.", [section("No chains are loaded: add one under `chains/` and restart baton.")]);
  const blocks = chains.map((chain) =>
    section(`*${escapeMrkdwn(chain.title)}* \`${escapeMrkdwn(chain.id)}\`\n${escapeMrkdwn(chain.description ?? "")}\n_${chain.steps.map((step) => `${escapeMrkdwn(step.id)}${step.gated ? " (approval)" : ""}`).join(" → ")}_`),
  );
  return message(`Chains: ${chains.map((chain) => chain.id).join(", ")}`, [header("Chains"), ...blocks, context("Start one with `/baton run <chain>`.")]);
}

export function renderRunList(runs: ReadonlyArray<RunRecord>, options: { scope: "mine" | "all"; now: number }): SlackMessage {
  const title = options.scope === "mine" ? "Your recent runs" : "Recent runs";
  if (runs.length === 0) return message(`${title}: none`, [section(`${title}: none yet. Start one with \`/baton run <chain>\`.`)]);
  const lines = runs.map((run) => `\`${escapeMrkdwn(run.id)}\` *${escapeMrkdwn(run.chainId)}* · ${STATUS_LABELS[run.status]} · ${person(run.startedBy)} · ${relative(run.createdAt, options.now)}`);
  return message(`${title}: ${runs.map((run) => `${run.id} ${run.status}`).join(", ")}`, [section(`*${title}*`), section(lines.join("\n")), context("`/baton status <run-id>` shows one run.")]);
}

export function renderRunStatus(input: ProgressCardInput): SlackMessage {
  return renderProgressCard(input);
}

export function renderPendingList(items: ReadonlyArray<PendingItem>, now: number): SlackMessage {
  if (items.length === 0) return message("Nothing is waiting for you.", [section(":tada: Nothing is waiting for your approval.")]);
  const blocks: Block[] = [section(`*${String(items.length)} approval${items.length === 1 ? "" : "s"} waiting for you*`)];
  for (const item of items.slice(0, 15)) {
    const deadline = item.approval.deadlineAt === null ? "" : ` · expires ${slackDate(item.approval.deadlineAt)} (${relative(item.approval.deadlineAt, now)})`;
    blocks.push(
      divider,
      section(`*${escapeMrkdwn(item.chainTitle)}* · step \`${escapeMrkdwn(item.approval.stepId)}\` · run \`${escapeMrkdwn(item.run.id)}\` · started by ${person(item.run.startedBy)}${deadline}`),
      approvalButtons(item.approval.id),
    );
  }
  if (items.length > 15) blocks.push(context(`… and ${String(items.length - 15)} more.`));
  return message(`${String(items.length)} approvals waiting for you: ${items.map((item) => item.approval.id).join(", ")}`, blocks);
}

export function renderError(error: { code: string; message: string; runId?: string | undefined }): SlackMessage {
  const run = error.runId ? `\nRun: \`${escapeMrkdwn(error.runId)}\` (\`/baton status ${escapeMrkdwn(error.runId)}\`)` : "";
  // Messages can quote what someone typed: escaped, with Slack ids turned into mentions.
  const text = `:warning: \`${escapeMrkdwn(error.code)}\` ${mentionIdsIn(escapeMrkdwn(error.message))}${run}`;
  return message(`${error.code}: ${error.message}${error.runId ? ` (run ${error.runId})` : ""}`, [section(text)]);
}
