import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APPROVER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { slashCommand } from "../support/slack-requests.js";

/**
 * Approval deadlines as people see them in Slack: reminders in the run's thread, an escalation,
 * and expiry at the deadline — with a clock the test moves, across a restart.
 */

let now = Date.now();
const clock = { now: () => now };
let harness: BotHarness;
const MINUTE = 60_000;

beforeEach(async () => {
  now = Date.now();
  harness = await startBotHarness({
    clock,
    // The cron tick would run on real time; the test ticks by hand instead.
    environment: { BATON_REMINDER_EVERY: "30m", BATON_ESCALATE_AFTER: "1h", BATON_ESCALATE_TO: "S0LEADS01", BATON_DEADLINE_CHECK_CRON: "0 0 1 1 *" },
  });
});
afterEach(async () => {
  await harness.close();
});

const threadReplies = (threadTs: string): RecordedSlackCall[] =>
  harness.slack.callsOf("chat.postMessage").filter((call) => call.args["thread_ts"] === threadTs);
const textOf = (call: RecordedSlackCall): string => JSON.stringify(call.args["blocks"] ?? []);

describe("approval deadlines in Slack", () => {
  it("reminds in the thread, escalates once, and expires at the deadline — never approving — across a restart", async () => {
    await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    const store = () => harness.bot.runtime.store;
    let approvalId = "";
    const deadline = Date.now() + 5_000;
    while (approvalId === "" && Date.now() < deadline) {
      approvalId = (await store().listApprovals({ statuses: ["pending"], limit: 1 }))[0]?.id ?? "";
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(approvalId).not.toBe("");
    await harness.bot.slack.projection.idle();
    const approval = await store().getApproval(approvalId);
    const cardTs = (await harness.bot.runtime.ledger.getMessage(`card:${approval?.runId ?? ""}`))?.ts ?? "";
    const before = threadReplies(cardTs).length;

    now += 10 * MINUTE;
    expect((await harness.bot.deadlines.tick()).reminded).toEqual([]);

    now += 21 * MINUTE;
    expect((await harness.bot.deadlines.tick()).reminded).toEqual([approvalId]);
    expect((await harness.bot.deadlines.tick()).reminded).toEqual([]);
    const reminders = threadReplies(cardTs).slice(before);
    expect(reminders).toHaveLength(1);
    expect(textOf(reminders[0] as RecordedSlackCall)).toContain(`<@${APPROVER}>`);

    now += 30 * MINUTE;
    const second = await harness.bot.deadlines.tick();
    expect(second.reminded).toEqual([approvalId]);
    expect(second.escalated).toEqual([approvalId]);
    expect(
      threadReplies(cardTs)
        .slice(before)
        .some((call) => textOf(call).includes("<!subteam^S0LEADS01>")),
    ).toBe(true);

    await harness.restart();
    now += 2 * 60 * MINUTE;
    const last = await harness.bot.deadlines.tick();
    expect(last.expired).toEqual([approvalId]);
    expect(last.escalated).toEqual([]);
    expect((await store().getApproval(approvalId))?.status).toBe("expired");
    expect((await store().getRun(approval?.runId ?? ""))?.status).toBe("expired");
    await harness.bot.slack.projection.idle();
    const cardUpdates = harness.slack.callsOf("chat.update").filter((call) => textOf(call).includes(approvalId));
    const finalCard = cardUpdates.at(-1);
    expect(finalCard && textOf(finalCard)).toContain("nobody decided before the deadline");
    expect(finalCard && textOf(finalCard)).not.toContain('"type":"actions"');

    await harness.clickCard({ actionId: "baton.approve", approvalId, userId: APPROVER, responseName: "late" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:late"));
    expect(JSON.stringify(harness.slack.callsOf("response:late")[0]?.args)).toContain("expired");
    expect((await store().getApproval(approvalId))?.status).toBe("expired");
  });
});
