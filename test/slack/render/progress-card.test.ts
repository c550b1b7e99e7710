import { describe, expect, it } from "vitest";
import { renderProgressCard, type ProgressCardInput } from "../../../src/slack/render/progress-card.js";
import type { ChainView } from "../../../src/slack/render/types.js";
import { approval, chain, expectSendable, NOW, run, step, textsOf } from "./fixtures.js";

const card = (input: Partial<ProgressCardInput> & Pick<ProgressCardInput, "run">) =>
  renderProgressCard({ chain, steps: [], approvals: [], scripted: false, now: NOW, ...input });
/** The step lines of a card, one per step. */
const stepLines = (input: Partial<ProgressCardInput> & Pick<ProgressCardInput, "run">): string[] => (textsOf(card(input).blocks)[3] ?? "").split("\n");

describe("progress card", () => {
  it("heads the card with the chain, the run, who started it and the status", () => {
    const message = card({ run: run("running", 1), steps: [step(0)] });
    const [title, started, status] = textsOf(message.blocks);
    expect(title).toBe("Change plan · r_1");
    expect(started).toBe("Run `r_1` of `change-plan` · started by <@U0ALICE1> <!date^1795521540^{date_short_pretty} {time}|2026-11-24 11:59 UTC>");
    expect(status).toBe("*Status:* :hourglass_flowing_sand: Running");
    expect(message.text).toBe("Change plan (r_1): running");
  });

  it("running: done steps with duration, tokens and cost; the cursor's step running; the rest not started", () => {
    expect(stepLines({ run: run("running", 1), steps: [step(0)] })).toEqual([
      ":white_check_mark: *collect* — Collect facts · 1.2 s · 1,200 in / 300 out tokens · $0.0004",
      ":hourglass_flowing_sand: *plan* — Draft the plan · running",
      ":white_circle: *announce*",
    ]);
  });

  it("awaiting approval: the gated step waits, with its round when it is not the first and what its proposal cost", () => {
    const lines = stepLines({
      run: run("awaiting_approval", 1),
      steps: [step(0)],
      approvals: [approval({ round: 1, status: "changes_requested" }), approval({ id: "a_2", round: 2 })],
    });
    expect(lines[1]).toBe(":raised_hand: *plan* — Draft the plan · awaiting approval (round 2) · 1,200 in / 300 out tokens · $0.0004");
    expect(textsOf(card({ run: run("awaiting_approval", 1), steps: [step(0)], approvals: [approval()] }).blocks)).toContain(
      "So far: 1 min · 2,400 in / 600 out tokens · $0.0007 · step outputs are in the thread",
    );
  });

  it("succeeded: every step done, a skipped one marked, totals for the whole run", () => {
    const message = card({
      run: run("succeeded", 3, { finishedAt: NOW }),
      steps: [
        step(0),
        step(1),
        step(2, null, { status: "skipped", usage: { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 } }),
      ],
    });
    expect(textsOf(message.blocks)[3]?.split("\n")[2]).toBe(":black_right_pointing_double_triangle_with_vertical_bar: *announce* · skipped");
    expect(textsOf(message.blocks)).toContain("Total: 1 min · 2,400 in / 600 out tokens · $0.0007 · step outputs are in the thread");
    expect(textsOf(message.blocks)[2]).toBe("*Status:* :white_check_mark: Succeeded");
  });

  it("failed: the error's code and message, and a cross on the step the error names", () => {
    const failed = run("failed", 2, {
      finishedAt: NOW,
      error: { code: "MODEL_OUTPUT_INVALID", message: "no valid answer after 3 attempts <!channel>", stepId: "plan" },
    });
    const message = card({ run: failed, steps: [step(0)] });
    expect(textsOf(message.blocks)[2]).toBe("*Status:* :x: Failed — `MODEL_OUTPUT_INVALID`: no valid answer after 3 attempts &lt;!channel&gt;");
    expect(stepLines({ run: failed, steps: [step(0)] })).toEqual([
      ":white_check_mark: *collect* — Collect facts · 1.2 s · 1,200 in / 300 out tokens · $0.0004",
      ":x: *plan* — Draft the plan · failed",
      ":white_circle: *announce*",
    ]);
    expect(message.text).toBe("Change plan (r_1): failed — MODEL_OUTPUT_INVALID: no valid answer after 3 attempts &lt;!channel&gt;");
  });

  it("rejected, cancelled and expired: the step where the run stopped says so", () => {
    const rejected = approval({ status: "rejected", decidedBy: "U0APPROVER", decidedAt: NOW, comment: "no" });
    expect(stepLines({ run: run("rejected", 1, { finishedAt: NOW }), steps: [step(0)], approvals: [rejected] })[1]).toBe(
      ":no_entry: *plan* — Draft the plan · rejected by <@U0APPROVER>",
    );
    expect(stepLines({ run: run("cancelled", 1, { finishedAt: NOW }), steps: [step(0)] })[1]).toBe(":no_entry_sign: *plan* — Draft the plan · cancelled");
    const expired = card({ run: run("expired", 1, { finishedAt: NOW }), steps: [step(0)], approvals: [approval({ status: "expired" })] });
    expect(textsOf(expired.blocks)[2]).toBe("*Status:* :hourglass: Expired — nobody decided before the deadline; nothing was approved");
    expect(textsOf(expired.blocks)[3]?.split("\n")[1]).toBe(":hourglass: *plan* — Draft the plan · expired before anyone decided");
  });

  it("shows the cached part of the prompt on a done step, the approval waiting and the totals, and only when there is one", () => {
    const cached = { modelCalls: 1, inputTokens: 1_200, cachedInputTokens: 800, outputTokens: 300, costUsd: 0.00024 };
    const lines = stepLines({ run: run("awaiting_approval", 1), steps: [step(0, undefined, { usage: cached })], approvals: [approval({ stepUsage: cached })] });
    expect(lines[0]).toBe(":white_check_mark: *collect* — Collect facts · 1.2 s · 1,200 in (800 cached) / 300 out tokens · $0.0002");
    expect(lines[1]).toBe(":raised_hand: *plan* — Draft the plan · awaiting approval · 1,200 in (800 cached) / 300 out tokens · $0.0002");
    const finished = card({ run: run("succeeded", 3, { finishedAt: NOW }), steps: [step(0, undefined, { usage: cached }), step(1), step(2)] });
    expect(textsOf(finished.blocks)).toContain("Total: 1 min · 3,600 in (800 cached) / 900 out tokens · $0.0010 · step outputs are in the thread");
  });

  it("a chain of 400 steps that each report huge cached figures still fits", () => {
    const long: ChainView = {
      id: "long",
      title: "T".repeat(300),
      steps: Array.from({ length: 400 }, (_, index) => ({ id: `step-${String(index)}`, description: "d".repeat(120), gated: false })),
    };
    const huge = { modelCalls: 900, inputTokens: 987_654_321_000, cachedInputTokens: 987_654_320_999, outputTokens: 123_456_789_000, costUsd: 98_765.4321 };
    const steps = Array.from({ length: 400 }, (_, index) => step(index, null, { stepId: `step-${String(index)}`, usage: huge }));
    const message = renderProgressCard({ run: run("succeeded", 400, { finishedAt: NOW }), chain: long, steps, approvals: [], scripted: false, now: NOW });
    expectSendable(message);
    expect(textsOf(message.blocks).some((text) => text.startsWith("Total: ") && text.includes("cached"))).toBe(true);
  });

  it("every status gives a card Slack accepts", () => {
    for (const status of ["running", "awaiting_approval", "succeeded", "failed", "rejected", "cancelled", "expired"] as const) {
      expectSendable(
        card({
          run: run(status, 1, status === "running" || status === "awaiting_approval" ? {} : { finishedAt: NOW }),
          steps: [step(0)],
          approvals: [approval()],
          scripted: true,
        }),
      );
    }
  });

  it("a chain of 400 steps with long descriptions still fits, the totals and the scripted notice kept", () => {
    const long: ChainView = {
      id: "long",
      title: "T".repeat(300),
      steps: Array.from({ length: 400 }, (_, index) => ({ id: `step-${String(index)}`, description: "d".repeat(120), gated: false })),
    };
    const message = renderProgressCard({ run: run("running", 200), chain: long, steps: [], approvals: [], scripted: true, now: NOW });
    expectSendable(message);
    const texts = textsOf(message.blocks);
    expect(texts.at(-1)).toContain("scripted demo model");
    expect(texts.at(-2)).toContain("So far:");
    expect(texts.some((text) => /^… \d+ more blocks of steps — `baton show r_1` shows the whole run\.$/.test(text))).toBe(true);
  });

  it("says on the card and in its text when the outputs come from the scripted demo model", () => {
    const message = card({ run: run("running", 1), scripted: true });
    expect(textsOf(message.blocks).at(-1)).toContain("*scripted demo model*");
    expect(message.text).toContain("scripted demo model, not a real one");
  });
});
