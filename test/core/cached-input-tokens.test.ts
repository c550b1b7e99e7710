import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { renderRunTimeline } from "../../src/cli/render-run.js";
import { defineChain } from "../../src/core/chain-builder.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import { renderApprovalCard } from "../../src/slack/render/approval-card.js";
import { chainViewOf, renderProgressCard } from "../../src/slack/render/progress-card.js";
import type { Block } from "../../src/slack/render/types.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/**
 * The part of the prompt a model server served from its prompt cache, from the server's
 * `usage.prompt_tokens_details.cached_tokens` (the fake reports it as OpenAI documents it) to
 * the step's usage, the store, the approval card, the run's card and `baton show`.
 */

const Plan = z.object({ title: z.string(), steps: z.array(z.string()).min(1) });
const plan = { title: "Restart the pods", steps: ["drain", "restart"] };

const chain = defineChain({ id: "remediate", description: "test", input: z.object({ alert: z.string() }), approvers: ["U-ONCALL"] })
  .llm("diagnose", { system: "You diagnose.", user: ({ input }) => `Alert: ${input.alert}`, output: z.object({ cause: z.string() }) })
  .llm("plan", {
    system: "You plan remediations.",
    user: ({ outputs }) => `Cause: ${outputs.diagnose.cause}`,
    output: Plan,
    approval: { title: "Remediation plan" },
  })
  .build();
const view = chainViewOf(new ChainRegistry([chain]).get("remediate"));

const usage = (prompt: number, completion: number, cached?: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
});

function textsOf(blocks: ReadonlyArray<Block>): string[] {
  return blocks.flatMap((block) => {
    const record = block as { text?: { text?: string }; elements?: Array<{ text?: string }> };
    return [record.text?.text ?? "", ...(record.elements ?? []).map((element) => element.text ?? "")].filter((text) => text !== "");
  });
}

describe("cached prompt tokens", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function pausedRun(current: Harness) {
    const { runId } = await current.runner.start("remediate", { alert: "OOMKilled" }, { startedBy: "U-STARTER" });
    const run = await current.runner.settled(runId);
    expect(run.status).toBe("awaiting_approval");
    const [approval] = await current.store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
    if (!approval) throw new Error("no pending approval");
    return { run, approval, steps: await current.store.getSteps(runId) };
  }

  it("sums the cached part over a re-ask into the step's usage, prices it lower and shows it on the cards", async () => {
    harness = await createHarness([chain]);
    harness.server.enqueue(
      { kind: "json", value: { cause: "memory leak" }, usage: usage(1_300, 40, 1_152) },
      // The plan's first answer breaks the schema; the re-ask shares the prefix and is cached further.
      { kind: "json", value: { title: "x", steps: [] }, usage: usage(1_400, 60, 1_280) },
      { kind: "json", value: plan, usage: usage(1_600, 90, 1_536) },
    );
    const { run, approval, steps } = await pausedRun(harness);

    expect(steps[0]?.usage).toMatchObject({ modelCalls: 1, inputTokens: 1_300, cachedInputTokens: 1_152, outputTokens: 40 });
    expect(approval.stepUsage).toMatchObject({ modelCalls: 2, inputTokens: 3_000, cachedInputTokens: 2_816, outputTokens: 150 });
    // gpt-4o-mini: 0.15 per million input, 0.075 cached, 0.6 output.
    expect(approval.stepUsage.costUsd).toBeCloseTo(((3_000 - 2_816) * 0.15 + 2_816 * 0.075 + 150 * 0.6) / 1e6, 12);
    expect(approval.stepUsage.costUsd).toBeLessThan((3_000 * 0.15 + 150 * 0.6) / 1e6);

    const card = renderApprovalCard({ approval, run, chain: view, scripted: false, now: Date.now() });
    expect(textsOf(card.blocks)[1]).toContain("· 3,000 in (2,816 cached) / 150 out tokens · $0.0003");

    const progress = textsOf(renderProgressCard({ run, chain: view, steps, approvals: [approval], scripted: false, now: Date.now() }).blocks);
    expect(progress.join("\n")).toMatch(/:white_check_mark: \*diagnose\* · [^\n]* · 1,300 in \(1,152 cached\) \/ 40 out tokens · \$0\.0001/);
    expect(progress.join("\n")).toContain("awaiting approval · 3,000 in (2,816 cached) / 150 out tokens · $0.0003");
    expect(progress.some((text) => text.startsWith("So far: ") && text.includes("4,300 in (3,968 cached) / 190 out tokens"))).toBe(true);
  });

  it("carries the approval's cached figure into the step it writes, the run's total and `baton show`", async () => {
    harness = await createHarness([chain]);
    harness.server.enqueue(
      { kind: "json", value: { cause: "memory leak" }, usage: usage(2_048, 40, 2_048) },
      { kind: "json", value: plan, usage: usage(1_100, 50, 1_024) },
    );
    const { run, approval } = await pausedRun(harness);
    await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" });
    const finished = await harness.runner.settled(run.id);
    expect(finished.status).toBe("succeeded");

    const steps = await harness.store.getSteps(run.id);
    expect(steps.map((step) => step.usage.cachedInputTokens)).toEqual([2_048, 1_024]);
    const approvals = await harness.store.listApprovals({ runId: run.id, limit: 5 });
    const texts = textsOf(renderProgressCard({ run: finished, chain: view, steps, approvals, scripted: false, now: Date.now() }).blocks);
    expect(texts.some((text) => text.startsWith("Total: ") && text.includes("3,148 in (3,072 cached) / 90 out tokens"))).toBe(true);

    const shown = renderRunTimeline({ run: finished, chain: undefined, steps, approvals, events: await harness.store.listEvents(run.id) });
    expect(shown).toMatch(/diagnose\s+.*1 call {2}2,088 tok {2}\(2,048 cached\) {2}\$/);
    expect(shown).toMatch(/plan\s+.*1 call {2}1,150 tok {2}\(1,024 cached\) {2}\$/);
  });

  it("a server that reports no cached part (older OpenAI-compatible servers) reads as 0 cached, and the cards say nothing of it", async () => {
    harness = await createHarness([chain], {}, {}, { profile: "json-object-only" });
    harness.server.enqueue({ kind: "json", value: { cause: "memory leak" }, usage: usage(900, 40) }, { kind: "json", value: plan, usage: usage(950, 50) });
    const { run, approval, steps } = await pausedRun(harness);
    expect(steps[0]?.usage.cachedInputTokens).toBe(0);
    expect(approval.stepUsage.cachedInputTokens).toBe(0);
    const card = renderApprovalCard({ approval, run, chain: view, scripted: false, now: Date.now() });
    expect(textsOf(card.blocks)[1]).toContain("· 950 in / 50 out tokens · ");
    expect(JSON.stringify(card.blocks)).not.toContain("cached");
  });

  it("the fake refuses to script a cached figure no OpenAI server reports", async () => {
    harness = await createHarness([chain]);
    const current = harness;
    expect(() => current.server.enqueue({ kind: "json", value: {}, usage: usage(900, 10, 901) })).toThrow(/not a part of prompt_tokens/);
    expect(() => current.server.enqueue({ kind: "json", value: {}, usage: usage(1_500, 10, 1_000) })).toThrow(/1,024 tokens or more in steps of 128/);
    expect(current.server.requests).toHaveLength(0);
  });
});
