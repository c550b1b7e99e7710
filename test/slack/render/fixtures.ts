import { expect } from "vitest";
import type { ApprovalRecord, RunRecord, RunStatus, StepRecord } from "../../../src/core/ports.js";
import { totalTextLength } from "../../../src/slack/render/block-limits.js";
import type { Block, ChainView, SlackMessage } from "../../../src/slack/render/types.js";
import { blockKitViolations } from "../../support/block-kit-limits.js";

/** Shared records for the render tests: one three-step chain, a run of it, its steps and approvals. */

export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const HOUR = 3_600_000;

export const chain: ChainView = {
  id: "change-plan",
  title: "Change plan",
  steps: [
    { id: "collect", description: "Collect facts", gated: false },
    { id: "plan", description: "Draft the plan", gated: true },
    { id: "announce", gated: false },
  ],
};

export const usage = { modelCalls: 1, inputTokens: 1200, cachedInputTokens: 0, outputTokens: 300, costUsd: 0.00036 };

export function run(status: RunStatus, cursor: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id: "r_1",
    chainId: "change-plan",
    status,
    cursor,
    stepCount: 3,
    input: {},
    startedBy: "U0ALICE1",
    origin: null,
    createdAt: NOW - 60_000,
    updatedAt: NOW,
    finishedAt: null,
    error: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    ...extra,
  };
}

export function step(index: number, output: unknown = { facts: ["a"] }, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: "r_1",
    stepIndex: index,
    stepId: chain.steps[index]?.id ?? "x",
    status: "succeeded",
    output,
    startedAt: NOW - 5_000,
    finishedAt: NOW - 3_800,
    executions: 1,
    usage,
    ...extra,
  };
}

export function approval(extra: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: "a_1",
    runId: "r_1",
    chainId: "change-plan",
    stepId: "plan",
    stepIndex: 1,
    round: 1,
    status: "pending",
    proposal: { summary: "Restart the pods", risk: "medium", steps: ["drain", "restart"] },
    approvers: ["U0APPROVER", "S0ONCALL1"],
    allowSelfApproval: false,
    requestedBy: "U0ALICE1",
    requestedAt: NOW - 60_000,
    deadlineAt: NOW + 3 * HOUR,
    stepStartedAt: NOW - 61_000,
    stepUsage: usage,
    stepExecutions: 1,
    decidedAt: null,
    decidedBy: null,
    editedOutput: null,
    comment: null,
    ...extra,
  };
}

/** The blocks as JSON: what Slack receives, for `toContain` checks. */
export const json = (message: SlackMessage | { blocks: Block[] }): string => JSON.stringify(message.blocks);

export const actionsOf = (message: { blocks: Block[] }): Block[] => message.blocks.filter((block) => block.type === "actions");

/** Every text object in the blocks (section text and fields, context elements, headers). */
export function textsOf(blocks: ReadonlyArray<Block>): string[] {
  return blocks.flatMap((block) => {
    if (block.type === "section") return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((field) => field.text)];
    if (block.type === "context") return block.elements.flatMap((element) => ("text" in element && typeof element.text === "string" ? [element.text] : []));
    if (block.type === "header") return [block.text.text];
    return [];
  });
}

/**
 * Everything Slack would refuse in a message: the shared Block Kit checks, plus what they do not
 * cover — empty texts, duplicate block ids, a `text` past 4,000 and blocks' text past the budget.
 */
export function expectSendable(message: SlackMessage, surface: "message" | "view" = "message"): void {
  const call =
    surface === "message"
      ? { method: "chat.postMessage", args: { text: message.text, blocks: message.blocks }, headers: {}, receivedAt: 0 }
      : { method: "views.publish", args: { view: { type: "home", blocks: message.blocks } }, headers: {}, receivedAt: 0 };
  expect(blockKitViolations(call)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(surface === "message" ? 50 : 100);
  for (const text of textsOf(message.blocks)) expect(text.trim()).not.toBe("");
  const blockIds = message.blocks.flatMap((block) => (block.block_id === undefined ? [] : [block.block_id]));
  expect(new Set(blockIds).size).toBe(blockIds.length);
  for (const block of actionsOf(message)) {
    if (block.type !== "actions") continue;
    for (const element of block.elements) if ("value" in element && typeof element.value === "string") expect(element.value.length).toBeLessThanOrEqual(2_000);
  }
  if (surface === "message") {
    expect(message.text.length).toBeLessThanOrEqual(4_000);
    expect(message.text.trim()).not.toBe("");
    expect(totalTextLength(message.blocks)).toBeLessThanOrEqual(11_000);
  }
}

/** An output built to hurt: very long text, a 500-item list, deep nesting, hostile markup. */
export const HOSTILE = "<!channel> please <https://evil.example|click here> & <@U0BOSS123>";
export function hugeOutput(): Record<string, unknown> {
  let deep: unknown = { bottom: "reached" };
  for (let level = 0; level < 40; level += 1) deep = { [`level${String(level)}`]: deep };
  return {
    summary: "word ".repeat(4_000),
    items: Array.from({ length: 500 }, (_, index) => `item ${String(index)}`),
    nested: deep,
    costs: Array.from({ length: 80 }, (_, index) => ({ component: `c${String(index)}`, monthly: index * 10 })),
    note: HOSTILE,
  };
}
