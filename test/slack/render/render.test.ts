import { describe, expect, it } from "vitest";
import type { ApprovalRecord, RunRecord, RunStatus, StepRecord } from "../../../src/core/ports.js";
import { APPROVAL_ACTION_IDS, renderApprovalCard } from "../../../src/slack/render/approval-card.js";
import { renderAppHome } from "../../../src/slack/render/app-home.js";
import { escapeMrkdwn, splitIntoSections, truncateText } from "../../../src/slack/render/block-limits.js";
import { renderError, renderHelp, renderPendingList } from "../../../src/slack/render/command-replies.js";
import { renderOutputBlocks } from "../../../src/slack/render/output-blocks.js";
import { renderProgressCard } from "../../../src/slack/render/progress-card.js";
import { renderReminder } from "../../../src/slack/render/reminder-message.js";
import { renderStepOutputMessage } from "../../../src/slack/render/step-output-message.js";
import type { ChainView, SlackMessage } from "../../../src/slack/render/types.js";
import { blockKitViolations } from "../../support/block-kit-limits.js";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const chain: ChainView = {
  id: "change-plan",
  title: "Change plan",
  steps: [
    { id: "collect", description: "Collect facts", gated: false },
    { id: "plan", description: "Draft the plan", gated: true },
    { id: "announce", gated: false },
  ],
};
const usage = { modelCalls: 1, inputTokens: 1200, outputTokens: 300, costUsd: 0.00036 };

function run(status: RunStatus, cursor: number, extra: Partial<RunRecord> = {}): RunRecord {
  return { id: "r_1", chainId: "change-plan", status, cursor, stepCount: 3, input: {}, startedBy: "U0ALICE1", origin: null, createdAt: NOW - 60_000, updatedAt: NOW, finishedAt: null, error: null, leaseOwner: null, leaseExpiresAt: null, ...extra };
}
function step(index: number, output: unknown = { facts: ["a"] }): StepRecord {
  return { runId: "r_1", stepIndex: index, stepId: chain.steps[index]?.id ?? "x", status: "succeeded", output, startedAt: NOW - 5_000, finishedAt: NOW - 3_800, executions: 1, usage };
}
function approval(extra: Partial<ApprovalRecord> = {}): ApprovalRecord {
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
    deadlineAt: NOW + 3 * 3_600_000,
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
const text = (message: SlackMessage): string => JSON.stringify(message.blocks);
const violations = (message: SlackMessage) => blockKitViolations({ method: "chat.postMessage", args: { text: message.text, blocks: message.blocks }, headers: {}, receivedAt: 0 });
const actionsOf = (message: SlackMessage) => message.blocks.filter((block) => block.type === "actions");

describe("progress card", () => {
  it("shows each step's state for a run in every status", () => {
    const running = renderProgressCard({ run: run("running", 1), chain, steps: [step(0)], approvals: [], scripted: false, now: NOW });
    expect(text(running)).toContain(":white_check_mark: *collect*");
    expect(text(running)).toContain("1.2 s · 1,200 → 300 tokens · $0.0004");
    expect(text(running)).toContain(":hourglass_flowing_sand: *plan* — Draft the plan · running");
    expect(text(running)).toContain(":white_circle: *announce*");
    const waiting = renderProgressCard({ run: run("awaiting_approval", 1), chain, steps: [step(0)], approvals: [approval({ round: 2 })], scripted: false, now: NOW });
    expect(text(waiting)).toContain("waiting for approval (round 2)");
    const failed = renderProgressCard({ run: run("failed", 1, { error: { code: "MODEL_OUTPUT_INVALID", message: "no valid answer", stepId: "plan" }, finishedAt: NOW }), chain, steps: [step(0)], approvals: [], scripted: false, now: NOW });
    expect(text(failed)).toContain("`MODEL_OUTPUT_INVALID`: no valid answer");
    expect(text(failed)).toContain(":x: *plan*");
    for (const status of ["succeeded", "rejected", "cancelled", "expired"] as const) {
      const card = renderProgressCard({ run: run(status, status === "succeeded" ? 3 : 1, { finishedAt: NOW }), chain, steps: status === "succeeded" ? [step(0), step(1), step(2)] : [step(0)], approvals: [], scripted: false, now: NOW });
      expect(card.text).toContain("Change plan (r_1)");
      expect(violations(card)).toEqual([]);
    }
    expect(text(running)).toContain("<@U0ALICE1>");
  });

  it("says the answers are scripted on every message when they are", () => {
    const scripted = { run: run("running", 1), chain, steps: [step(0)], approvals: [approval()], scripted: true, now: NOW };
    expect(text(renderProgressCard(scripted))).toContain("scripted demo model");
    expect(text(renderApprovalCard({ approval: approval(), run: run("awaiting_approval", 1), chain, scripted: true, now: NOW }))).toContain("scripted demo model");
    expect(text(renderStepOutputMessage({ run: run("running", 1), chain, step: step(0), scripted: true }))).toContain("scripted demo model");
    expect(text(renderHelp({ scripted: true }))).toContain("scripted demo model");
    expect(JSON.stringify(renderAppHome({ userId: "U0A", pending: [], recentRuns: [], countsByStatus: {}, scripted: true, now: NOW }))).toContain("scripted demo model");
  });
});

describe("approval card", () => {
  it("pending: the proposal for people, approvers as mentions, the deadline, and four buttons carrying only the id", () => {
    const card = renderApprovalCard({ approval: approval(), run: run("awaiting_approval", 1), chain, title: "Approve the change plan", scripted: false, now: NOW });
    expect(text(card)).toContain("Approve the change plan");
    expect(text(card)).toContain("*Summary*");
    expect(text(card)).toContain("• drain");
    expect(text(card)).not.toContain('\\"summary\\"');
    expect(text(card)).toContain("<@U0APPROVER>, <!subteam^S0ONCALL1>");
    expect(text(card)).toContain("not <@U0ALICE1>");
    expect(text(card)).toContain("in 3 h 0 min");
    const [actions] = actionsOf(card);
    expect(actions && "elements" in actions ? actions.elements.map((element) => ("action_id" in element ? element.action_id : "")) : []).toEqual(Object.values(APPROVAL_ACTION_IDS));
    expect(JSON.stringify(actions)).toContain('"style":"primary"');
    expect(JSON.stringify(actions)).toContain('"style":"danger"');
    expect(JSON.stringify(actions).match(/"value":"([^"]*)"/g)).toEqual(Array(4).fill('"value":"a_1"'));
  });

  it("decided, expired and cancelled cards say what happened and have no buttons", () => {
    const cases: Array<[Partial<ApprovalRecord>, string]> = [
      [{ status: "approved", decidedBy: "U0APPROVER", decidedAt: NOW }, "Approved by <@U0APPROVER>"],
      [{ status: "edited", decidedBy: "U0APPROVER", decidedAt: NOW, editedOutput: { summary: "Edited plan", risk: "low", steps: ["x"] } }, "Edited and approved by <@U0APPROVER>"],
      [{ status: "changes_requested", decidedBy: "U0APPROVER", decidedAt: NOW, comment: "add a rollback" }, "Changes requested by <@U0APPROVER>"],
      [{ status: "rejected", decidedBy: "U0APPROVER", decidedAt: NOW, comment: "not today" }, "Rejected by <@U0APPROVER>"],
      [{ status: "expired", decidedAt: NOW }, "nobody decided before the deadline"],
      [{ status: "cancelled", decidedAt: NOW }, "Cancelled"],
    ];
    for (const [change, expected] of cases) {
      const card = renderApprovalCard({ approval: approval(change), run: run("succeeded", 3), chain, scripted: false, now: NOW });
      expect(text(card)).toContain(expected);
      expect(actionsOf(card)).toEqual([]);
    }
    const edited = renderApprovalCard({ approval: approval(cases[1]?.[0]), run: run("succeeded", 3), chain, scripted: false, now: NOW });
    expect(text(edited)).toContain("Edited plan");
  });
});

describe("long and hostile outputs", () => {
  const hostile = "<!channel> please <https://evil.example|click here> & <@U0BOSS123>";
  const long = {
    summary: "word ".repeat(4_000),
    items: Array.from({ length: 500 }, (_, index) => `item ${String(index)}`),
    nested: { level1: { level2: { level3: ["deep", { key: "value" }] } } },
    costs: Array.from({ length: 80 }, (_, index) => ({ component: `c${String(index)}`, monthly: index * 10 })),
    note: hostile,
  };

  it("stay within 50 blocks, 3000 characters per section, 2000 per field, on every kind of message", () => {
    const messages = [
      renderApprovalCard({ approval: approval({ proposal: long }), run: run("awaiting_approval", 1), chain, scripted: true, now: NOW }),
      renderStepOutputMessage({ run: run("running", 1), chain, step: step(0, long), scripted: true }),
      renderStepOutputMessage({ run: run("running", 1), chain, step: step(0, "x".repeat(200_000)), scripted: false }),
      renderPendingList(Array.from({ length: 40 }, (_, index) => ({ approval: approval({ id: `a_${String(index)}` }), run: run("awaiting_approval", 1), chainTitle: "Change plan" })), NOW),
      renderError({ code: "X", message: "y".repeat(10_000), runId: "r_1" }),
    ];
    for (const message of messages) {
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(violations(message)).toEqual([]);
      expect(message.text.length).toBeLessThanOrEqual(3_000);
    }
    expect(actionsOf(messages[0] as SlackMessage)).toHaveLength(1);
    expect(text(messages[2] as SlackMessage)).toContain("more blocks of output are not shown here");
    const home = renderAppHome({ userId: "U0A", pending: Array.from({ length: 60 }, (_, index) => ({ approval: approval({ id: `a_${String(index)}` }), run: run("awaiting_approval", 1), chainTitle: "t" })), recentRuns: Array.from({ length: 10 }, () => run("running", 0)), countsByStatus: { running: 4 }, scripted: false, now: NOW });
    expect(home.blocks.length).toBeLessThanOrEqual(100);
  });

  it("model text cannot mention, link or inject markup", () => {
    const blocks = JSON.stringify(renderOutputBlocks({ note: hostile, list: [hostile] }, { maxBlocks: 50 }));
    expect(blocks).not.toContain("<!channel>");
    expect(blocks).not.toContain("<https://evil.example");
    expect(blocks).not.toContain("<@U0BOSS123>");
    expect(blocks).toContain("&lt;!channel&gt;");
    expect(text(renderHelp({ scripted: false, notUnderstood: "`<!here>` is not a baton command." }))).not.toContain("<!here>");
    expect(text(renderError({ code: "CHAIN_NOT_FOUND", message: 'There is no chain "<!channel>". Only U0APPROVER1 may', runId: undefined }))).toContain("&lt;!channel&gt;");
    expect(text(renderError({ code: "APPROVAL_NOT_ALLOWED", message: "only U0APPROVER1, S0ONCALL1 may decide this approval" }))).toContain("<@U0APPROVER1>, <!subteam^S0ONCALL1>");
  });
});

describe("reminders and helpers", () => {
  it("a reminder mentions the approvers and the expiry; an escalation mentions the group", () => {
    const reminder = renderReminder({ approval: approval(), chain, now: NOW });
    expect(text(reminder)).toContain("<@U0APPROVER>, <!subteam^S0ONCALL1>");
    expect(text(reminder)).toContain("never approved by default");
    expect(text(renderReminder({ approval: approval(), chain, now: NOW, escalateTo: ["S0LEADS01"] }))).toContain("Escalated to <!subteam^S0LEADS01>");
  });

  it("splits on line boundaries, truncates saying so, and escapes", () => {
    expect(splitIntoSections("a\nb\nc", 3)).toEqual(["a\nb", "c"]);
    expect(splitIntoSections("x".repeat(7), 3)).toEqual(["xxx", "xxx", "x"]);
    const cut = truncateText("y".repeat(5_000), 3_000);
    expect(cut.length).toBeLessThanOrEqual(3_000);
    expect(cut).toMatch(/more characters\)$/);
    expect(escapeMrkdwn("a & <b>")).toBe("a &amp; &lt;b&gt;");
  });
});
