import type { RunRecord, StepRecord } from "../../core/ports.js";
import { BLOCK_LIMITS, fitBetween, totalTextLength, truncateText } from "./block-limits.js";
import { context, scriptedNotice, section } from "./blocks.js";
import { duration, usageLine } from "./format.js";
import { escapeMrkdwn, md, plainFallback } from "./mrkdwn.js";
import { renderOutputBlocks, renderOutputText } from "./output-blocks.js";
import type { Block, ChainView, SlackMessage } from "./types.js";

/** What the thread reply for a finished step is drawn from. */
export interface StepOutputMessageInput {
  run: RunRecord;
  chain: ChainView;
  step: StepRecord;
  /** The run uses the scripted demo model: the message says so. */
  scripted: boolean;
}

/**
 * The thread reply when a step finishes: "✓ <step> — <description>", what it took and cost, and
 * its output for people. A skipped step gets one line.
 */
export function renderStepOutputMessage(input: StepOutputMessageInput): SlackMessage {
  const { run, chain, step, scripted } = input;
  const description = chain.steps[step.stepIndex]?.description;
  const name = md`*${escapeMrkdwn(step.stepId)}*${description ? md` — ${escapeMrkdwn(description)}` : md``}`;
  const tail: Block[] = scripted ? [scriptedNotice()] : [];
  if (step.status === "skipped") {
    const line = md`:black_right_pointing_double_triangle_with_vertical_bar: ${name} was skipped: its condition did not hold.`;
    return { text: plainFallback(line), blocks: [section(line), ...tail] };
  }
  const calls = step.usage.modelCalls > 0 ? `${String(step.usage.modelCalls)} model call${step.usage.modelCalls === 1 ? "" : "s"}` : "";
  const executions = step.executions > 1 ? `ran ${String(step.executions)} times` : "";
  const details = [duration(step.finishedAt - step.startedAt), calls, usageLine(step.usage), executions].filter((part) => part !== "").join(" · ");
  const top: Block[] = [section(md`:white_check_mark: ${name}`), context(escapeMrkdwn(details))];
  const budget = BLOCK_LIMITS.messageBlocksTextBudget - totalTextLength([...top, ...tail]);
  const body = renderOutputBlocks(step.output, { maxBlocks: BLOCK_LIMITS.messageBlocks - top.length - tail.length, maxCharacters: budget, runId: run.id });
  const text = md`✓ ${escapeMrkdwn(step.stepId)} finished${scripted ? md` (scripted demo model)` : md``}: ${renderOutputText(step.output)}`;
  return {
    text: truncateText(plainFallback(text), BLOCK_LIMITS.messageText),
    blocks: fitBetween({ top, body, tail }, BLOCK_LIMITS.messageBlocks, (leftOut) => md`… ${leftOut} more blocks not shown.`),
  };
}
