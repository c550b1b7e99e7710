import type { ChainDefinition } from "../../core/chain.js";
import type { ApprovalRecord, RunRecord, RunStatus, StepRecord } from "../../core/ports.js";
import { context, escapeMrkdwn, fitBlocks, header, section, SCRIPTED_NOTICE, BLOCK_LIMITS, type Block } from "./block-limits.js";
import { duration, person, slackDate, tokens, usd } from "./format.js";
import type { ChainView, SlackMessage } from "./types.js";

/**
 * The run's progress card: one message per run, updated in place after every step — each
 * step's state, duration, tokens and cost, and the outcome.
 */

export interface ProgressCardInput {
  run: RunRecord;
  chain: ChainView;
  steps: ReadonlyArray<StepRecord>;
  approvals: ReadonlyArray<ApprovalRecord>;
  scripted: boolean;
  now: number;
}

export function chainViewOf(definition: ChainDefinition): ChainView {
  return {
    id: definition.id,
    title: definition.title,
    description: definition.description,
    steps: definition.steps.map((step) => ({ id: step.id, gated: step.approval !== undefined, ...(step.description ? { description: step.description } : {}) })),
  };
}

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: ":hourglass_flowing_sand: Running",
  awaiting_approval: ":raised_hand: Waiting for approval",
  succeeded: ":white_check_mark: Succeeded",
  failed: ":x: Failed",
  rejected: ":no_entry: Rejected",
  cancelled: ":no_entry_sign: Cancelled",
  expired: ":hourglass: Expired — nobody decided before the deadline",
};

function stepLine(input: ProgressCardInput, index: number): string {
  const { run, chain, steps, approvals } = input;
  const view = chain.steps[index];
  const id = view?.id ?? `step ${String(index + 1)}`;
  const name = `*${escapeMrkdwn(id)}*${view?.description ? ` — ${escapeMrkdwn(view.description)}` : ""}`;
  const record = steps.find((step) => step.stepIndex === index);
  if (record?.status === "skipped") return `:fast_forward: ${name} · skipped`;
  if (record) {
    const usage = record.usage.modelCalls > 0 ? ` · ${tokens(record.usage.inputTokens)} → ${tokens(record.usage.outputTokens)} tokens · ${usd(record.usage.costUsd)}` : "";
    return `:white_check_mark: ${name} · ${duration(record.finishedAt - record.startedAt)}${usage}`;
  }
  const pending = approvals.find((approval) => approval.stepIndex === index && approval.status === "pending");
  if (pending) return `:raised_hand: ${name} · waiting for approval${pending.round > 1 ? ` (round ${String(pending.round)})` : ""}`;
  if (index === run.cursor) {
    if (run.status === "running") return `:hourglass_flowing_sand: ${name} · running`;
    if (run.status === "failed") return `:x: ${name} · failed`;
    if (run.status === "rejected") return `:no_entry: ${name} · rejected`;
    if (run.status === "expired") return `:hourglass: ${name} · expired`;
    if (run.status === "cancelled") return `:no_entry_sign: ${name} · cancelled`;
  }
  return `:white_circle: ${name}`;
}

export function renderProgressCard(input: ProgressCardInput): SlackMessage {
  const { run, chain, steps, scripted } = input;
  const outcome = run.status === "failed" && run.error ? `${STATUS_LABELS.failed} — \`${escapeMrkdwn(run.error.code)}\`: ${escapeMrkdwn(run.error.message)}` : STATUS_LABELS[run.status];
  const totals = steps.reduce((sum, step) => ({ input: sum.input + step.usage.inputTokens, output: sum.output + step.usage.outputTokens, cost: sum.cost + step.usage.costUsd }), { input: 0, output: 0, cost: 0 });
  const elapsed = (run.finishedAt ?? input.now) - run.createdAt;
  const blocks: Block[] = [
    header(chain.title),
    context(`Run \`${escapeMrkdwn(run.id)}\` · started by ${person(run.startedBy)} · ${slackDate(run.createdAt)}`),
    section(`*Status:* ${outcome}`),
    section(chain.steps.map((_step, index) => stepLine(input, index)).join("\n")),
    context(`${run.finishedAt === null ? "So far" : "Total"}: ${duration(elapsed)} · ${tokens(totals.input + totals.output)} tokens · ${usd(totals.cost)} · step outputs are in the thread`),
  ];
  if (scripted) blocks.push(context(SCRIPTED_NOTICE));
  const text = `${chain.title} (${run.id}): ${outcome.replace(/:[a-z_]+: /, "")}${scripted ? " — scripted demo model" : ""}`;
  return { text: text.slice(0, BLOCK_LIMITS.messageText), blocks: fitBlocks(blocks, BLOCK_LIMITS.messageBlocks, (leftOut) => `… ${String(leftOut)} more blocks.`) };
}
