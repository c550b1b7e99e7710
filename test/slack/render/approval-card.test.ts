import { describe, expect, it } from "vitest";
import type { ApprovalRecord } from "../../../src/core/ports.js";
import { APPROVAL_ACTION_IDS, renderApprovalCard, type ApprovalCardInput } from "../../../src/slack/render/approval-card.js";
import { actionsOf, approval, chain, expectSendable, HOSTILE, hugeOutput, json, NOW, run, textsOf } from "./fixtures.js";

const render = (change: Partial<ApprovalRecord> = {}, extra: Partial<ApprovalCardInput> = {}) =>
  renderApprovalCard({ approval: approval(change), run: run("awaiting_approval", 1), chain, scripted: false, now: NOW, ...extra });

describe("approval card, pending", () => {
  it("titles the card with the gate's title, or asks for approval of the step", () => {
    expect(textsOf(render({}, { title: "Approve the change plan" }).blocks)[0]).toBe("Approve the change plan");
    expect(textsOf(render().blocks)[0]).toBe("Approval needed: Draft the plan");
    const titled = { ...chain, steps: chain.steps.map((step) => (step.id === "plan" ? { ...step, approvalTitle: "Go ahead with the plan?" } : step)) };
    expect(textsOf(render({}, { chain: titled }).blocks)[0]).toBe("Go ahead with the plan?");
  });

  it("shows the proposal for people, never raw JSON", () => {
    const message = render();
    expect(textsOf(message.blocks)).toContain("*Steps*\n• drain\n• restart");
    expect(json(message)).toContain("*Summary*\\nRestart the pods");
    expect(json(message)).not.toContain('\\"summary\\"');
    expect(message.text).toContain("Approval needed: Draft the plan — waiting for approval\n*Summary:* Restart the pods");
  });

  it("names who may approve as mentions, notes that the requester may not, and gives the deadline", () => {
    const who = textsOf(render().blocks).find((text) => text.startsWith("*Who may approve:*"));
    expect(who).toBe(
      "*Who may approve:* <@U0APPROVER>, <!subteam^S0ONCALL1>\n" +
        "<@U0ALICE1> started this run and may not approve it.\n" +
        "*Deadline:* <!date^1795532400^{date_short_pretty} {time}|2026-11-24 15:00 UTC>; if nobody decides by then the run ends `expired` — it is never approved by default.",
    );
    const open = textsOf(render({ approvers: [], allowSelfApproval: true, deadlineAt: null }).blocks).find((text) => text.startsWith("*Who may approve:*"));
    expect(open).toBe("*Who may approve:* anyone in the channel\n*Deadline:* none");
  });

  it("shows other kinds of approver ids as text, or as the caller labels them", () => {
    expect(json(render({ approvers: ["cli:alice", "U1", "S2"] }))).toContain("*Who may approve:* cli:alice, <@U1>, <!subteam^S2>");
    const labelled = render({ approvers: ["U1", "S2"] }, { approverLabel: (id) => (id === "S2" ? "@oncall <team>" : `user ${id}`) });
    expect(json(labelled)).toContain("*Who may approve:* user U1, @oncall &lt;team&gt;");
  });

  it("says which round it is after changes were requested", () => {
    expect(textsOf(render({ round: 2 }).blocks)[1]).toContain("· round 2 (after changes were requested) ·");
    expect(textsOf(render().blocks)[1]).not.toContain("round");
  });

  it("says what the proposal cost, with the part of the prompt the server's cache served when there is one", () => {
    const cached = { modelCalls: 2, inputTokens: 1_200, cachedInputTokens: 800, outputTokens: 300, costUsd: 0.00036 };
    expect(textsOf(render({ stepUsage: cached }).blocks)[1]).toMatch(
      / · requested <!date\^\d+\^[^>]+> · 1,200 in \(800 cached\) \/ 300 out tokens · \$0\.0004$/,
    );
    expect(textsOf(render().blocks)[1]).toMatch(/ · 1,200 in \/ 300 out tokens · \$0\.0004$/);
    const none = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
    expect(textsOf(render({ stepUsage: none }).blocks)[1]).toMatch(/ · requested <!date\^\d+\^[^>]+>$/);
    const huge = { modelCalls: 900, inputTokens: 987_654_321_000, cachedInputTokens: 987_654_320_999, outputTokens: 123_456_789_000, costUsd: 98_765.4321 };
    expectSendable(render({ stepUsage: huge, round: 99 }));
  });

  it("has the four buttons, in one actions block, each carrying only the approval id", () => {
    const [actions, ...others] = actionsOf(render());
    expect(others).toEqual([]);
    if (actions?.type !== "actions") throw new Error("no actions block");
    expect(actions.block_id).toBe("baton.approval");
    expect(actions.elements.map((element) => ("action_id" in element ? element.action_id : undefined))).toEqual([
      APPROVAL_ACTION_IDS.approve,
      APPROVAL_ACTION_IDS.edit,
      APPROVAL_ACTION_IDS.requestChanges,
      APPROVAL_ACTION_IDS.reject,
    ]);
    expect(actions.elements.map((element) => ("value" in element ? element.value : undefined))).toEqual(["a_1", "a_1", "a_1", "a_1"]);
    expect(actions.elements.map((element) => ("style" in element ? element.style : undefined))).toEqual(["primary", undefined, undefined, "danger"]);
    const reject = actions.elements[3];
    expect(reject && "confirm" in reject ? reject.confirm?.title?.text : undefined).toBe("Reject this proposal?");
    expect(APPROVAL_ACTION_IDS).toEqual({ approve: "baton.approve", edit: "baton.edit", requestChanges: "baton.request_changes", reject: "baton.reject" });
  });

  it("refuses an approval id too long for a button value", () => {
    expect(() => render({ id: "a".repeat(2_001) })).toThrow(RangeError);
    expectSendable(render({ id: "a".repeat(2_000) }));
  });

  it("escapes the proposal, and keeps a huge one within the limits with its buttons and the scripted notice", () => {
    const message = render({ proposal: { ...hugeOutput(), summary: `${HOSTILE} ${"word ".repeat(4_000)}` } }, { scripted: true });
    expectSendable(message);
    expect(json(message)).not.toContain("<!channel>");
    expect(json(message)).not.toContain("<https://evil");
    expect(actionsOf(message)).toHaveLength(1);
    expect(textsOf(message.blocks).at(-1)).toContain("scripted demo model");
    expect(json(message)).toContain("`baton show r_1` for the whole output");
  });
});

describe("approval card, decided", () => {
  const decided: Array<[Partial<ApprovalRecord>, string]> = [
    [
      { status: "approved", decidedBy: "U0APPROVER", decidedAt: NOW },
      ":white_check_mark: Approved by <@U0APPROVER> at <!date^1795521600^{date_short_pretty} {time}|2026-11-24 12:00 UTC>",
    ],
    [
      { status: "edited", decidedBy: "U0APPROVER", decidedAt: NOW, editedOutput: { summary: "Edited plan" } },
      ":pencil2: Edited and approved by <@U0APPROVER> at <!date^1795521600^{date_short_pretty} {time}|2026-11-24 12:00 UTC>",
    ],
    [
      { status: "changes_requested", decidedBy: "S0ONCALL1", decidedAt: NOW, comment: "add a rollback <!here>" },
      ":repeat: Changes requested by <!subteam^S0ONCALL1> at <!date^1795521600^{date_short_pretty} {time}|2026-11-24 12:00 UTC>: add a rollback &lt;!here&gt;",
    ],
    [
      { status: "rejected", decidedBy: "U0APPROVER", decidedAt: NOW, comment: "not today" },
      ":no_entry: Rejected by <@U0APPROVER> at <!date^1795521600^{date_short_pretty} {time}|2026-11-24 12:00 UTC>: not today",
    ],
    [
      { status: "expired", decidedAt: NOW + 3 * 3_600_000 },
      ":hourglass: Expired at <!date^1795532400^{date_short_pretty} {time}|2026-11-24 15:00 UTC> — nobody decided before the deadline; the run ended `expired`.",
    ],
    [{ status: "cancelled", decidedAt: NOW }, ":no_entry_sign: Cancelled — the run was stopped before anyone decided."],
  ];

  it("says what happened, by whom and when, and has no buttons", () => {
    for (const [change, outcome] of decided) {
      const message = render(change);
      expect(textsOf(message.blocks)).toContain(outcome);
      expect(actionsOf(message)).toEqual([]);
      expect(json(message)).not.toContain("Who may approve");
      expectSendable(message);
    }
  });

  it("an edited approval shows the edited output and says it was edited", () => {
    const message = render(decided[1]?.[0]);
    expect(json(message)).toContain("Edited plan");
    expect(json(message)).not.toContain("Restart the pods");
    expect(textsOf(message.blocks)[2]).toContain("*Edited before approval:*");
    expect(message.text).toContain("Edited and approved by <@U0APPROVER>");
  });

  it("other decisions keep the proposal as it was", () => {
    expect(json(render(decided[3]?.[0]))).toContain("Restart the pods");
  });
});
