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
 * interval and per process group, catch-up without a burst, one escalation, retry after a
 * failed send, expiry that never approves, and node-cron driving the ticks.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Reminders every hour, escalation after three, the deadline on the step: 10 h. */
const gated = defineChain({
  id: "gated",
  description: "one gated step",
  input: z.object({ topic: z.string() }),
  approvers: ["U0APPROVER1", "S0REVIEWERS"],
  approvalReminders: { every: "1h", escalateAfter: "3h", escalateTo: ["S0LEADS01"] },
})
  .llm("draft", { system: "STEP:draft", user: ({ input }) => input.topic, output: z.object({ text: z.string() }), approval: { deadline: "10h" } })
  .build();

/** Silent on reminders, so the deployment's defaults apply; a 2 h deadline on the step. */
const plain = defineChain({ id: "plain", description: "defaults only", input: z.object({ topic: z.string() }), approvers: ["U0APPROVER2"] })
  .llm("draft", { system: "STEP:draft", user: ({ input }) => input.topic, output: z.object({ text: z.string() }), approval: { deadline: "2h" } })
  .build();

type Sent = Parameters<ReminderSink["remind"]>[0];

/** The port, as the Slack adapter would implement it, keeping what it was asked to send. */
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

const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
const logger: Logger = { debug() {}, info() {}, warn: (fields, message) => void warnings.push({ fields, message }), error() {} };
const START = Date.UTC(2026, 10, 24, 9, 0, 0);
let now = START;
const clock = { now: () => now };
let harness: Harness | undefined;
const states: SqliteState[] = [];

afterEach(async () => {
  for (const state of states.splice(0)) state.close();
  await harness?.close();
  harness = undefined;
  warnings.length = 0;
});

async function open(): Promise<Harness> {
  now = START;
  harness = await createHarness([gated, plain], { clock });
  harness.server.setFallback(() => ({ kind: "json", value: { text: "proposal" } }));
  return harness;
}

/** A run of `chainId` resting at its approval; returns the approval's id. */
async function pendingApprovalId(chainId = "gated"): Promise<string> {
  if (!harness) throw new Error("no harness");
  const { runId } = await harness.runner.start(chainId, { topic: "x" }, { startedBy: "U0ALICE01" });
  expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
  const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  if (!approval) throw new Error("no approval");
  return approval.id;
}

/** The job as another process would run it: its own connection to the same SQLite file. */
function deadlines(sink: ReminderSink, chains = new ChainRegistry([gated, plain])): ApprovalDeadlines {
  if (!harness) throw new Error("no harness");
  const state = openSqliteState(harness.databasePath);
  states.push(state);
  return new ApprovalDeadlines({
    store: state.store,
    runner: harness.runner,
    chains,
    ledger: state.ledger,
    clock,
    sink,
    logger,
    defaults: { reminderEveryMs: 30 * MINUTE, escalateAfterMs: HOUR, escalateTo: [] },
  });
}

const nothing = { expired: [], reminded: [], escalated: [] };

describe("ApprovalDeadlines", () => {
  it("reminds after every interval, mentioning the approvers, once however many ticks and processes", async () => {
    await open();
    const approvalId = await pendingApprovalId();
    const sink = new RecordingSink();
    const [first, second] = [deadlines(sink), deadlines(sink)];

    now = START + 59 * MINUTE;
    expect(await first.tick()).toEqual(nothing);
    expect(sink.sent).toEqual([]);

    now = START + 61 * MINUTE;
    const reports = await Promise.all([first.tick(), second.tick()]);
    expect(reports.flatMap((report) => report.reminded)).toEqual([approvalId]);
    expect(sink.sent.map((sent) => ({ kind: sent.kind, sequence: sent.sequence, mention: sent.mention, approvalId: sent.approval.id, now: sent.now }))).toEqual(
      [{ kind: "reminder", sequence: 1, mention: ["U0APPROVER1", "S0REVIEWERS"], approvalId, now }],
    );
    expect(await first.tick()).toEqual(nothing);
    expect(await second.tick()).toEqual(nothing);
    expect(sink.sent).toHaveLength(1);
    expect((await states[0]?.ledger.getMessage(`reminder:${approvalId}:1`))?.runId).toBe(sink.sent[0]?.approval.runId);
  });

  it("after downtime sends only the latest reminder, escalates once to the escalation group, and expires at the deadline", async () => {
    const { runner, store } = await open();
    const approvalId = await pendingApprovalId();
    const sink = new RecordingSink();
    const job = deadlines(sink);

    now = START + 1.5 * HOUR;
    expect((await job.tick()).reminded).toEqual([approvalId]);
    // Down for four hours: one reminder (the 5th) and the escalation, not reminders 2–5.
    now = START + 5.5 * HOUR;
    expect(await job.tick()).toEqual({ expired: [], reminded: [approvalId], escalated: [approvalId] });
    expect(sink.sent.map((sent) => [sent.kind, sent.sequence, sent.mention])).toEqual([
      ["reminder", 1, ["U0APPROVER1", "S0REVIEWERS"]],
      ["reminder", 5, ["U0APPROVER1", "S0REVIEWERS"]],
      ["escalation", 1, ["S0LEADS01"]],
    ]);
    now = START + 6.5 * HOUR;
    expect(await job.tick()).toEqual({ expired: [], reminded: [approvalId], escalated: [] });

    now = START + 10 * HOUR;
    expect(await job.tick()).toEqual({ expired: [approvalId], reminded: [], escalated: [] });
    expect(sink.sent).toHaveLength(4);
    const approval = await store.getApproval(approvalId);
    expect(approval?.status).toBe("expired");
    const run = await store.getRun(approval?.runId ?? "");
    expect(run?.status).toBe("expired");
    expect(run?.error?.code).toBe("APPROVAL_EXPIRED");
    const late = await runner.decide(approvalId, { kind: "approve" }, { id: "U0APPROVER1" });
    expect(late).toMatchObject({ applied: false, approval: { status: "expired" } });
    const everyApproval = await store.listApprovals({ runId: run?.id ?? "", limit: 100 });
    expect(everyApproval.map((each) => each.status)).toEqual(["expired"]);
    expect(await job.tick()).toEqual(nothing);
  });

  it("uses the deployment's defaults where the chain is silent, escalates to nobody, and does not remind what it expires", async () => {
    await open();
    const approvalId = await pendingApprovalId("plain");
    const sink = new RecordingSink();
    const job = deadlines(sink);

    now = START + 31 * MINUTE;
    expect(await job.tick()).toEqual({ expired: [], reminded: [approvalId], escalated: [] });
    expect(sink.sent[0]).toMatchObject({ kind: "reminder", sequence: 1, mention: ["U0APPROVER2"] });
    // Past the default escalateAfter (1 h), but the default escalation group is empty.
    now = START + 61 * MINUTE;
    expect(await job.tick()).toEqual({ expired: [], reminded: [approvalId], escalated: [] });
    // Straight past the 2 h deadline: the expiry, and no reminder 4 for it.
    now = START + 2 * HOUR + 1;
    expect(await job.tick()).toEqual({ expired: [approvalId], reminded: [], escalated: [] });
    expect(sink.sent.map((sent) => sent.sequence)).toEqual([1, 2]);
  });

  it("a reminder that could not be sent is sent at the next tick, and the other approvals go on", async () => {
    await open();
    const other = await pendingApprovalId("gated");
    // Asked last, so listed (and sent to) first: its failure comes before the other's reminder.
    const failing = await pendingApprovalId("plain");
    const sink = new RecordingSink();
    const job = deadlines(sink);
    now = START + 61 * MINUTE;
    sink.failures = 1;
    expect(await job.tick()).toEqual({ expired: [], reminded: [other], escalated: [] });
    expect(warnings.map((warning) => warning.fields)).toEqual([
      expect.objectContaining({ approvalId: failing, kind: "reminder", sequence: 2, error: "Slack is down" }),
    ]);
    expect(await job.tick()).toEqual({ expired: [], reminded: [failing], escalated: [] });
    expect(sink.sent.map((sent) => [sent.approval.id, sent.sequence])).toEqual([
      [other, 1],
      [failing, 2],
    ]);
    expect(await job.tick()).toEqual(nothing);
  });

  it("leaves approvals of a chain that is not loaded alone, saying so once", async () => {
    await open();
    const approvalId = await pendingApprovalId("plain");
    const sink = new RecordingSink();
    const job = deadlines(sink, new ChainRegistry([gated]));
    now = START + 3 * HOUR;
    expect(await job.tick()).toEqual(nothing);
    expect(await job.tick()).toEqual(nothing);
    expect(sink.sent).toEqual([]);
    expect(warnings).toEqual([{ fields: expect.objectContaining({ approvalId, chainId: "plain" }), message: expect.stringContaining("not loaded") }]);
    expect((await harness?.store.getApproval(approvalId))?.status).toBe("pending");
  });

  it("joins a tick that is still running instead of starting another", async () => {
    await open();
    const approvalId = await pendingApprovalId();
    const sink = new RecordingSink();
    const job = deadlines(sink);
    now = START + 61 * MINUTE;
    const [first, second] = await Promise.all([job.tick(), job.tick()]);
    expect(first).toBe(second);
    expect(first.reminded).toEqual([approvalId]);
    expect(sink.sent).toHaveLength(1);
  });

  it("node-cron drives the ticks until stopped; a bad expression names the variable and the fix", async () => {
    await open();
    await pendingApprovalId();
    const sink = new RecordingSink();
    const job = deadlines(sink);
    now = START + 2.2 * HOUR;
    const stop = job.start("* * * * * *");
    const waitUntil = Date.now() + 3_000;
    while (sink.sent.length === 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(sink.sent.map((sent) => sent.sequence)).toEqual([2]);
    now += 1 * HOUR;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(sink.sent).toHaveLength(1);

    const refused = (() => {
      try {
        job.start("every thirty seconds");
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(BatonError);
    expect(refused).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/BATON_DEADLINE_CHECK_CRON "every thirty seconds".*\*\/30 \* \* \* \* \*/),
    });
  });
});
