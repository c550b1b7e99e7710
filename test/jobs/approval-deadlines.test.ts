import { afterEach, describe, expect, it } from "vitest";
import { defineChain, z } from "../../src/chain-api.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import { BatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { ApprovalDeadlines, type ReminderSink } from "../../src/jobs/approval-deadlines.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/**
 * Approval deadlines on a real SQLite file with a clock the test moves: reminders once per
 * interval and per process group, catch-up without a burst, retry after a failed send, expiry.
 */

const HOUR = 3_600_000;
const gated = defineChain({ id: "gated", description: "one gated step", input: z.object({ topic: z.string() }), approvers: ["U0APPROVER1"], approvalDeadline: "10h", approvalReminders: { every: "1h", escalateAfter: "3h", escalateTo: ["S0LEADS01"] } })
  .llm("draft", { system: "STEP:draft", user: ({ input }) => input.topic, output: z.object({ text: z.string() }), approval: {} })
  .build();

type Sent = Parameters<ReminderSink["remind"]>[0];
class RecordingSink implements ReminderSink {
  readonly sent: Sent[] = [];
  failures = 0;
  async remind(reminder: Sent): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error("Slack is down");
    }
    this.sent.push(reminder);
  }
}

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let now = Date.UTC(2026, 10, 24, 9, 0, 0);
const clock = { now: () => now };
let harness: Harness | undefined;
const states: SqliteState[] = [];
afterEach(async () => {
  for (const state of states.splice(0)) state.close();
  await harness?.close();
  harness = undefined;
});

async function pendingApprovalId(): Promise<string> {
  if (!harness) throw new Error("no harness");
  harness.server.setFallback(() => ({ kind: "json", value: { text: "proposal" } }));
  const { runId } = await harness.runner.start("gated", { topic: "x" }, { startedBy: "U0ALICE01" });
  await harness.runner.settled(runId);
  const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  if (!approval) throw new Error("no approval");
  return approval.id;
}

function deadlines(sink: ReminderSink): ApprovalDeadlines {
  if (!harness) throw new Error("no harness");
  const state = openSqliteState(harness.databasePath);
  states.push(state);
  return new ApprovalDeadlines({ store: state.store, runner: harness.runner, chains: new ChainRegistry([gated]), ledger: state.ledger, clock, sink, logger, defaults: { reminderEveryMs: 4 * HOUR, escalateAfterMs: 12 * HOUR, escalateTo: [] } });
}

describe("ApprovalDeadlines", () => {
  it("reminds once per interval across two processes, catches up with one reminder, escalates once, and expires", async () => {
    now = Date.UTC(2026, 10, 24, 9, 0, 0);
    harness = await createHarness([gated], { clock });
    const approvalId = await pendingApprovalId();
    const sink = new RecordingSink();
    const [first, second] = [deadlines(sink), deadlines(sink)];

    now += 0.5 * HOUR;
    expect(await first.tick()).toEqual({ expired: [], reminded: [], escalated: [] });
    now += 0.6 * HOUR;
    const reports = await Promise.all([first.tick(), second.tick()]);
    expect(reports.flatMap((report) => report.reminded)).toEqual([approvalId]);
    expect(sink.sent.map((sent) => [sent.kind, sent.sequence, sent.mention])).toEqual([["reminder", 1, ["U0APPROVER1"]]]);

    // Down for three hours: one reminder (the latest due) and the escalation, not a burst.
    now += 3 * HOUR;
    const afterDowntime = await second.tick();
    expect(afterDowntime).toEqual({ expired: [], reminded: [approvalId], escalated: [approvalId] });
    expect(sink.sent.slice(1).map((sent) => [sent.kind, sent.sequence])).toEqual([["reminder", 4], ["escalation", 1]]);
    expect(sink.sent[2]?.mention).toEqual(["S0LEADS01"]);

    now += 6 * HOUR;
    expect((await first.tick()).expired).toEqual([approvalId]);
    expect((await harness.store.getApproval(approvalId))?.status).toBe("expired");
    const late = await harness.runner.decide(approvalId, { kind: "approve" }, { id: "U0APPROVER1" });
    expect(late.applied).toBe(false);
    expect(late.approval.status).toBe("expired");
    const run = await harness.store.getRun(late.approval.runId);
    expect(run?.status).toBe("expired");
    expect(run?.error?.code).toBe("APPROVAL_EXPIRED");
  });

  it("a reminder that could not be sent is sent at the next tick", async () => {
    now = Date.UTC(2026, 10, 24, 9, 0, 0);
    harness = await createHarness([gated], { clock });
    const approvalId = await pendingApprovalId();
    const sink = new RecordingSink();
    sink.failures = 1;
    const job = deadlines(sink);
    now += 1.5 * HOUR;
    expect((await job.tick()).reminded).toEqual([]);
    expect((await job.tick()).reminded).toEqual([approvalId]);
    expect(sink.sent).toHaveLength(1);
  });

  it("node-cron drives the ticks until stopped; a bad expression names the variable", async () => {
    now = Date.UTC(2026, 10, 24, 9, 0, 0);
    harness = await createHarness([gated], { clock });
    await pendingApprovalId();
    const sink = new RecordingSink();
    const job = deadlines(sink);
    now += 2.2 * HOUR;
    const stop = job.start("* * * * * *");
    const deadline = Date.now() + 3_000;
    while (sink.sent.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(sink.sent.map((sent) => sent.sequence)).toEqual([2]);
    now += 1 * HOUR;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(sink.sent).toHaveLength(1);
    expect(() => job.start("every thirty seconds")).toThrow(BatonError);
    expect(() => job.start("every thirty seconds")).toThrow(/BATON_DEADLINE_CHECK_CRON/);
  });
});
