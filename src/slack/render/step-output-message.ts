import type { RunRecord, StepRecord } from "../../core/ports.js";
import { BLOCK_LIMITS, context, escapeMrkdwn, section, SCRIPTED_NOTICE, truncateText, type Block } from "./block-limits.js";
import { duration, tokens, usd } from "./format.js";
import { renderOutputBlocks, renderOutputText } from "./output-blocks.js";
import type { ChainView, SlackMessage } from "./types.js";

/** The thread reply when a step finishes: what it did, what it cost, and its output for people. */
export function renderStepOutputMessage(input: { run: RunRecord; chain: ChainView; step: StepRecord; scripted: boolean }): SlackMessage {
  const { chain, step, scripted } = input;
  const description = chain.steps[step.stepIndex]?.description;
  const name = `*${escapeMrkdwn(step.stepId)}*${description ? ` — ${escapeMrkdwn(description)}` : ""}`;
  if (step.status === "skipped") {
    const text = `:fast_forward: ${name} was skipped (its condition did not hold).`;
    return { text, blocks: [section(text)] };
  }
  const usage = step.usage.modelCalls > 0 ? ` · ${String(step.usage.modelCalls)} model call${step.usage.modelCalls === 1 ? "" : "s"} · ${tokens(step.usage.inputTokens)} → ${tokens(step.usage.outputTokens)} tokens · ${usd(step.usage.costUsd)}` : "";
  const rerun = step.executions > 1 ? ` · run ${String(step.executions)} times` : "";
  const top: Block[] = [section(`:white_check_mark: ${name}`), context(`${duration(step.finishedAt - step.startedAt)}${usage}${rerun}`)];
  const tail: Block[] = scripted ? [context(SCRIPTED_NOTICE)] : [];
  const output = step.output === null || step.output === undefined ? [section("_No output._")] : renderOutputBlocks(step.output, { maxBlocks: BLOCK_LIMITS.messageBlocks - top.length - tail.length });
  const text = truncateText(`${step.stepId} finished: ${renderOutputText(step.output)}`, BLOCK_LIMITS.messageText);
  return { text, blocks: [...top, ...output, ...tail] };
}
