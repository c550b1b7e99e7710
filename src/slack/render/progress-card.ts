import type { ChainDefinition } from "../../core/chain.js";
import type { ApprovalRecord, RunLineage, RunRecord, RunRetry, StepRecord, StepUsage } from "../../core/ports.js";
import { redactSecrets } from "../../core/redact-secrets.js";
import { describeWait } from "../../core/waiting-text.js";
import { BLOCK_LIMITS, fitBetween, splitIntoSections, truncateText } from "./block-limits.js";
import { context, header, scriptedNotice, section } from "./blocks.js";
import { addUsage, duration, NO_USAGE, usageLine } from "./format.js";
import { escapeMrkdwn, joinMrkdwn, md, mention, plainFallback, slackDate, type Mrkdwn } from "./mrkdwn.js";
import { outcomeOf, statusWords } from "./run-status.js";
import type { Block, ChainView, SlackMessage } from "./types.js";

export { STATUS_LABELS } from "./run-status.js";

/**
 * The run's progress card: one message per run, updated in place after every step — each step's
 * state, duration, tokens and cost, and the outcome.
 */

/** What the progress card is drawn from: the run, its chain, and what the store holds for it. */
export interface ProgressCardInput {
  run: RunRecord;
  chain: ChainView;
  steps: ReadonlyArray<StepRecord>;
  approvals: ReadonlyArray<ApprovalRecord>;
  /** The run uses the scripted demo model: the card says so. */
  scripted: boolean;
  /** The time to measure a running run against (never read from the clock here). */
  now: number;
  /** Set while the run waits out an outage: the card says for what, the next try and the attempt. */
  retry?: RunRetry | undefined;
  /** The run's parent (a re-run) and its re-runs. */
  lineage?: RunLineage;
}

/** The Retry button of a failed or expired run's card; its value is the run id. */
export const RETRY_ACTION_ID = "baton.retry_run";

/** What the cards need of a chain definition (no schemas, no functions). */
export function chainViewOf(definition: ChainDefinition): ChainView {
  return {
    id: definition.id,
    title: definition.title,
    description: definition.description,
    steps: definition.steps.map((step) => ({
      id: step.id,
      gated: step.approval !== undefined,
      ...(step.description ? { description: step.description } : {}),
      ...(step.approval?.title ? { approvalTitle: step.approval.title } : {}),
    })),
  };
}

/** The latest approval of a step (the highest round), if any. */
function latestApproval(approvals: ReadonlyArray<ApprovalRecord>, stepIndex: number): ApprovalRecord | undefined {
  return approvals.filter((approval) => approval.stepIndex === stepIndex).sort((left, right) => right.round - left.round)[0];
}

/** The index of the step a failed run failed at: the one its error names, else where it stopped. */
function failedIndex(run: RunRecord, chain: ChainView): number | undefined {
  if (run.status !== "failed") return undefined;
  const named = run.error?.stepId === undefined ? -1 : chain.steps.findIndex((step) => step.id === run.error?.stepId);
  return named >= 0 ? named : run.cursor;
}

const joinParts = (...parts: Mrkdwn[]): Mrkdwn =>
  joinMrkdwn(
    parts.filter((part) => part !== ""),
    " · ",
  );
const usage = (of: StepUsage): Mrkdwn => escapeMrkdwn(usageLine(of));
const took = (milliseconds: number): Mrkdwn => escapeMrkdwn(duration(milliseconds));

/** One line per step: done, skipped, running, awaiting approval, failed, stopped or not started. */
function stepLine(input: ProgressCardInput, index: number): Mrkdwn {
  const { run, chain, steps, approvals } = input;
  const view = chain.steps[index];
  const id = view?.id ?? `step ${String(index + 1)}`;
  const name = md`*${escapeMrkdwn(id)}*${view?.description ? md` — ${escapeMrkdwn(view.description)}` : md``}`;
  const record = steps.find((step) => step.stepIndex === index);
  if (record?.status === "skipped") return md`:black_right_pointing_double_triangle_with_vertical_bar: ${name} · skipped`;
  if (record) return joinParts(md`:white_check_mark: ${name}`, took(record.finishedAt - record.startedAt), usage(record.usage));
  const approval = latestApproval(approvals, index);
  if (approval?.status === "pending") {
    const round = approval.round > 1 ? md` (round ${approval.round})` : md``;
    return joinParts(md`:raised_hand: ${name}`, md`awaiting approval${round}`, usage(approval.stepUsage));
  }
  if (index === failedIndex(run, chain)) return md`:x: ${name} · failed`;
  if (index === run.cursor) {
    switch (run.status) {
      case "running":
        if (input.retry?.stepIndex === index) return md`:hourglass_flowing_sand: ${name} · ${waitLine(input.retry)}`;
        return md`:hourglass_flowing_sand: ${name} · running`;
      case "awaiting_approval":
        return md`:raised_hand: ${name} · awaiting approval`;
      case "rejected":
        return joinParts(md`:no_entry: ${name}`, md`rejected${approval?.decidedBy ? md` by ${mention(approval.decidedBy)}` : md``}`);
      case "expired":
        return md`:hourglass: ${name} · expired before anyone decided`;
      case "cancelled":
        return md`:no_entry_sign: ${name} · cancelled`;
      default:
        break;
    }
  }
  return md`:white_circle: ${name}`;
}

/**
 * What the run has cost so far: the steps written, plus what a gated step spent on a proposal
 * that has no step row yet (awaiting approval, rejected, expired).
 */
function totalUsage(input: ProgressCardInput): StepUsage {
  let total = input.steps.reduce((sum, step) => addUsage(sum, step.usage), NO_USAGE);
  const indices = new Set(input.approvals.map((approval) => approval.stepIndex));
  for (const index of indices) {
    if (input.steps.some((step) => step.stepIndex === index)) continue;
    const approval = latestApproval(input.approvals, index);
    if (approval) total = addUsage(total, approval.stepUsage);
  }
  return total;
}

function lineageBlocks(lineage: RunLineage | undefined): Block[] {
  if (!lineage || (lineage.parent === null && lineage.children.length === 0)) return [];
  const parts: Mrkdwn[] = [];
  if (lineage.parent) parts.push(md`Re-run of \`${escapeMrkdwn(lineage.parent.runId)}\` from *${escapeMrkdwn(lineage.parent.fromStepId)}*`);
  for (const child of lineage.children.slice(-5)) parts.push(md`re-run as \`${escapeMrkdwn(child.runId)}\` from *${escapeMrkdwn(child.fromStepId)}*`);
  return [context(joinMrkdwn(parts, " · "))];
}

/** "waiting for the model — next try <date>, attempt 4", the time shown in the reader's zone. */
function waitLine(retry: RunRetry): Mrkdwn {
  const marker = "\u0000TIME\u0000";
  const [before = "", after = ""] = describeWait(retry, () => marker).split(marker);
  return md`${escapeMrkdwn(before)}${slackDate(retry.nextAttemptAt)}${escapeMrkdwn(after)}`;
}

/** Retry continues the run from the step that did not finish (who may: checked at click time). */
function retryActions(runId: string): Block {
  return {
    type: "actions",
    block_id: "baton.retry",
    elements: [{ type: "button", action_id: RETRY_ACTION_ID, text: { type: "plain_text", text: "Retry" }, value: runId }],
  };
}

/** The progress card of a run. */
export function renderProgressCard(input: ProgressCardInput): SlackMessage {
  const { run, chain, scripted, now } = input;
  const elapsed = (run.finishedAt ?? now) - run.createdAt;
  const origin = run.origin ? md` · from ${escapeMrkdwn(run.origin.source)}` : md``;
  const stepLines = joinMrkdwn(
    chain.steps.map((_step, index) => stepLine(input, index)),
    "\n",
  );
  const totals = joinParts(md`${run.finishedAt === null ? md`So far` : md`Total`}: ${took(elapsed)}`, usage(totalUsage(input)) || md`no model calls`);
  const top: Block[] = [
    header(`${chain.title} · ${run.id}`),
    context(md`Run \`${escapeMrkdwn(run.id)}\` of \`${escapeMrkdwn(chain.id)}\` · started by ${mention(run.startedBy)} ${slackDate(run.createdAt)}${origin}`),
    section(md`*Status:* ${outcomeOf(run)}`),
  ];
  const tail: Block[] = [
    ...lineageBlocks(input.lineage),
    context(md`${totals} · step outputs are in the thread`),
    ...(run.status === "failed" || run.status === "expired" ? [retryActions(run.id)] : []),
    ...(scripted ? [scriptedNotice()] : []),
  ];
  const failure = run.status === "failed" && run.error ? ` — ${run.error.code}: ${redactSecrets(run.error.message)}` : "";
  const text = md`${escapeMrkdwn(chain.title)} (${escapeMrkdwn(run.id)}): ${escapeMrkdwn(statusWords(run.status))}${escapeMrkdwn(failure)}${scripted ? md` — scripted demo model, not a real one` : md``}`;
  return {
    text: truncateText(plainFallback(text), BLOCK_LIMITS.messageText),
    blocks: fitBetween(
      { top, body: splitIntoSections(stepLines).map(section), tail },
      BLOCK_LIMITS.messageBlocks,
      (leftOut) => md`… ${leftOut} more blocks of steps — \`baton show ${escapeMrkdwn(run.id)}\` shows the whole run.`,
    ),
  };
}
