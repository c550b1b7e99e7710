import { describe, expect, it } from "vitest";
import { renderAppHome, type AppHomeInput } from "../../../src/slack/render/app-home.js";
import { renderApprovalCard } from "../../../src/slack/render/approval-card.js";
import {
  COMMANDS,
  renderChainList,
  renderError,
  renderHelp,
  renderPendingList,
  renderRunList,
  renderRunStatus,
} from "../../../src/slack/render/command-replies.js";
import type { PendingItem } from "../../../src/slack/render/pending-item.js";
import { renderProgressCard } from "../../../src/slack/render/progress-card.js";
import { renderReminder } from "../../../src/slack/render/reminder-message.js";
import { renderStepOutputMessage } from "../../../src/slack/render/step-output-message.js";
import type { SlackMessage } from "../../../src/slack/render/types.js";
import { md } from "../../../src/slack/render/mrkdwn.js";
import { actionsOf, approval, chain, expectSendable, HOSTILE, HOUR, hugeOutput, json, NOW, run, step, textsOf } from "./fixtures.js";

const pendingItems = (count: number): PendingItem[] =>
  Array.from({ length: count }, (_, index) => ({
    approval: approval({ id: `a_${String(index)}` }),
    run: run("awaiting_approval", 1),
    chainTitle: "Change plan",
  }));
const home = (input: Partial<AppHomeInput> = {}) =>
  renderAppHome({ userId: "U0ME", pending: [], recentRuns: [], countsByStatus: {}, scripted: false, now: NOW, ...input });

describe("step output message", () => {
  it("says which step finished, what it took and cost, then its output for people", () => {
    const message = renderStepOutputMessage({ run: run("running", 1), chain, step: step(0, { facts: ["a", "b"] }, { executions: 2 }), scripted: false });
    expect(textsOf(message.blocks)).toEqual([
      ":white_check_mark: *collect* — Collect facts",
      "1.2 s · 1 model call · 1,200 in / 300 out tokens · $0.0004 · ran 2 times",
      "*Facts*\n• a\n• b",
    ]);
    expect(message.text).toBe("✓ collect finished: *Facts:*\n    • a\n    • b");
  });

  it("says how much of the step's prompt the server's cache served, when it served any", () => {
    const usage = { modelCalls: 1, inputTokens: 1_200, cachedInputTokens: 1_024, outputTokens: 300, costUsd: 0.00028 };
    const message = renderStepOutputMessage({ run: run("running", 1), chain, step: step(0, { facts: ["a"] }, { usage }), scripted: false });
    expect(textsOf(message.blocks)[1]).toBe("1.2 s · 1 model call · 1,200 in (1,024 cached) / 300 out tokens · $0.0003");
  });

  it("gives a skipped step one line", () => {
    const message = renderStepOutputMessage({ run: run("running", 3), chain, step: step(2, null, { status: "skipped" }), scripted: false });
    expect(textsOf(message.blocks)).toEqual([":black_right_pointing_double_triangle_with_vertical_bar: *announce* was skipped: its condition did not hold."]);
  });

  it("keeps a huge or hostile output within the limits", () => {
    for (const output of [hugeOutput(), "x".repeat(200_000), { note: HOSTILE }]) {
      const message = renderStepOutputMessage({ run: run("running", 1), chain, step: step(0, output), scripted: true });
      expectSendable(message);
      expect(json(message)).not.toContain("<!channel>");
      expect(message.text).not.toContain("<!channel>");
    }
  });
});

describe("reminders", () => {
  it("mention the approvers, say since when it waits and when it expires", () => {
    const message = renderReminder({ approval: approval({ approvers: ["U1", "S2"] }), chain, now: NOW + HOUR });
    expect(textsOf(message.blocks)).toEqual([
      ":bell: <@U1>, <!subteam^S2> — the approval of step `plan` in *Change plan* (run `r_1`) is still waiting, since <!date^1795521540^{date_short_pretty} {time}|2026-11-24 11:59 UTC> (1 h 1 min ago). It expires <!date^1795532400^{date_short_pretty} {time}|2026-11-24 15:00 UTC> (in 2 h) and is never approved by default. Decide with the buttons on the card above.",
    ]);
    expect(message.text).toContain("<@U1>, <!subteam^S2> — ");
    expect(message.text).toContain("It expires 2026-11-24 15:00 UTC (in 2 h)");
    expectSendable(message);
  });

  it("an escalation mentions the escalation groups and says it was escalated", () => {
    const message = renderReminder({ approval: approval(), chain, now: NOW, escalateTo: ["S0LEADS01", "U0BOSS1"] });
    expect(textsOf(message.blocks)[0]).toMatch(/^:rotating_light: <!subteam\^S0LEADS01>, <@U0BOSS1> — escalated to you: the approval of step `plan`/);
    expect(textsOf(message.blocks)[0]).toContain("Approvers: <@U0APPROVER>, <!subteam^S0ONCALL1>.");
  });

  it("with no approvers named, address the channel without mentioning everyone", () => {
    expect(textsOf(renderReminder({ approval: approval({ approvers: [] }), chain, now: NOW }).blocks)[0]).toMatch(/^:bell: Anyone in the channel — /);
  });
});

describe("slash command replies", () => {
  it("help lists every subcommand with a description and an example", () => {
    const help = renderHelp({ scripted: false });
    // `<chain>` is escaped: Slack reads `<` as the start of a mention or link even in a code span.
    for (const command of [
      "help",
      "chains",
      "run &lt;chain&gt; [text or JSON]",
      "status &lt;run-id&gt;",
      "runs [mine|all]",
      "pending",
      "cancel &lt;run-id&gt;",
    ])
      expect(json(help)).toContain(`/baton ${command}`);
    for (const command of COMMANDS) expect(json(help)).toContain(`e.g. \`${command.example}\``);
    expect(help.text).toContain("/baton pending");
  });

  it("help answering a mistake says what was not understood, escaped", () => {
    const help = renderHelp({ scripted: false, notUnderstood: "`dance <!here>` is not a baton command." });
    expect(textsOf(help.blocks)[0]).toBe(":thinking_face: `dance &lt;!here&gt;` is not a baton command.");
    expect(help.text).toContain("dance");
  });

  it("lists chains with their steps, gated ones marked", () => {
    const message = renderChainList([{ ...chain, description: "Plans a change <safely>" }]);
    expect(textsOf(message.blocks)[1]).toBe("*Change plan* `change-plan`\nPlans a change &lt;safely&gt;\n_collect → plan :raised_hand: → announce_");
    expect(textsOf(renderChainList([]).blocks)[0]).toContain("No chains are loaded");
    expectSendable(renderChainList(Array.from({ length: 80 }, (_, index) => ({ ...chain, id: `c${String(index)}` }))));
  });

  it("lists runs, one line each, within the limits however many", () => {
    const message = renderRunList([run("succeeded", 3, { finishedAt: NOW }), run("failed", 1, { id: "r_2", startedBy: "cli:bob" })], {
      scope: "mine",
      now: NOW,
    });
    expect(textsOf(message.blocks)).toEqual([
      "*Your recent runs*",
      "`r_1` *change-plan* · :white_check_mark: Succeeded · <@U0ALICE1> · 1 min ago\n`r_2` *change-plan* · :x: Failed · cli:bob · 1 min ago",
      "`/baton status &lt;run-id&gt;` shows one run.",
    ]);
    expect(textsOf(renderRunList([], { scope: "all", now: NOW }).blocks)[0]).toContain("Recent runs: none yet");
    expectSendable(
      renderRunList(
        Array.from({ length: 1_000 }, (_, index) => run("running", 0, { id: `r_${String(index)}` })),
        { scope: "all", now: NOW },
      ),
    );
  });

  it("a run's status is its progress card", () => {
    const input = { run: run("running", 1), chain, steps: [step(0)], approvals: [], scripted: false, now: NOW };
    expect(renderRunStatus(input)).toEqual(renderProgressCard(input));
  });

  it("lists pending approvals, each with its own buttons and a unique block id, at most 15 of them", () => {
    const message = renderPendingList(
      [{ ...pendingItems(1)[0], link: "https://acme.slack.com/archives/C1/p123?thread_ts=1.2&cid=C1" } as PendingItem, ...pendingItems(39).slice(1)],
      NOW,
    );
    expectSendable(message);
    expect(actionsOf(message)).toHaveLength(15);
    expect(actionsOf(message).map((block) => block.block_id)).toContain("baton.approval.a_1");
    expect(textsOf(message.blocks)[1]).toBe(
      "*Change plan* · step `plan` · run `r_1` started by <@U0ALICE1> · <https://acme.slack.com/archives/C1/p123?thread_ts=1.2&amp;cid=C1|open the card>\nExpires <!date^1795532400^{date_short_pretty} {time}|2026-11-24 15:00 UTC> (in 3 h)",
    );
    expect(textsOf(message.blocks).at(-1)).toBe("… and 24 more; decide these first, then ask again.");
    expect(textsOf(renderPendingList([], NOW).blocks)[0]).toContain("Nothing is waiting");
  });

  it("an error shows its code, its message escaped with the Slack ids baton holds as mentions, and the run", () => {
    const message = renderError({
      code: "APPROVAL_NOT_ALLOWED",
      message: "Only U0APPROVER1 or S0ONCALL1 may decide <!channel>, not U0STRANGER1.",
      runId: "r_1",
      mentionable: ["U0APPROVER1", "S0ONCALL1"],
    });
    expect(textsOf(message.blocks)).toEqual([
      ":warning: `APPROVAL_NOT_ALLOWED` Only <@U0APPROVER1> or <!subteam^S0ONCALL1> may decide &lt;!channel&gt;, not U0STRANGER1.\nRun `r_1` — `/baton status r_1` shows it.",
    ]);
    expect(message.text).toBe("APPROVAL_NOT_ALLOWED: Only U0APPROVER1 or S0ONCALL1 may decide &lt;!channel&gt;, not U0STRANGER1. (run r_1)");
    expect(textsOf(renderError({ code: "CHAIN_NOT_FOUND", message: "No chain x." }).blocks)).toEqual([":warning: `CHAIN_NOT_FOUND` No chain x."]);
    expectSendable(renderError({ code: "X", message: "y".repeat(10_000), runId: "r_1" }));
  });
});

describe("App Home", () => {
  it("shows counts by status, my pending approvals with their buttons, and recent runs", () => {
    const view = home({ pending: pendingItems(2), recentRuns: [run("succeeded", 3)], countsByStatus: { running: 2, succeeded: 5, failed: 0 } });
    expect(view.type).toBe("home");
    const texts = textsOf(view.blocks);
    expect(texts).toContain(":hourglass_flowing_sand: Running: *2*   :white_check_mark: Succeeded: *5*");
    expect(texts).toContain("*Waiting for you* (2)");
    expect(actionsOf(view).map((block) => block.block_id)).toEqual(["baton.approval.a_0", "baton.approval.a_1"]);
    expect(texts.at(-1)).toBe("`r_1` *change-plan* · :white_check_mark: Succeeded · <@U0ALICE1> · 1 min ago");
  });

  it("stays within 100 blocks with many approvals and runs", () => {
    const view = home({
      pending: pendingItems(60),
      recentRuns: Array.from({ length: 200 }, (_, index) => run("running", 0, { id: `r_${String(index)}` })),
      scripted: true,
    });
    expectSendable({ text: md`home`, blocks: view.blocks }, "view");
    expect(actionsOf(view)).toHaveLength(20);
    expect(textsOf(view.blocks)).toContain("… and 40 more: `/baton pending` lists them.");
  });

  it("says when there is nothing", () => {
    const texts = textsOf(home().blocks);
    expect(texts).toContain("No runs yet.");
    expect(texts).toContain("Nothing is waiting for your approval.");
  });
});

describe("the scripted demo model", () => {
  it("is named on every message and view that shows model output or the runs", () => {
    const scripted = true;
    const messages: SlackMessage[] = [
      renderProgressCard({ run: run("running", 1), chain, steps: [step(0)], approvals: [approval()], scripted, now: NOW }),
      renderApprovalCard({ approval: approval(), run: run("awaiting_approval", 1), chain, scripted, now: NOW }),
      renderApprovalCard({ approval: approval({ status: "approved", decidedBy: "U1", decidedAt: NOW }), run: run("running", 2), chain, scripted, now: NOW }),
      renderStepOutputMessage({ run: run("running", 1), chain, step: step(0), scripted }),
      renderStepOutputMessage({ run: run("running", 3), chain, step: step(2, null, { status: "skipped" }), scripted }),
      renderRunStatus({ run: run("succeeded", 3, { finishedAt: NOW }), chain, steps: [step(0), step(1), step(2)], approvals: [], scripted, now: NOW }),
      renderHelp({ scripted }),
      { text: md`home`, blocks: home({ scripted }).blocks },
    ];
    for (const message of messages) expect(textsOf(message.blocks).filter((text) => text.includes("*scripted demo model*"))).toHaveLength(1);
    expect(json(renderHelp({ scripted: false }))).not.toContain("scripted demo model");
  });
});
