import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineChain, z } from "../../src/chain-api.js";
import { BatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { pruneAuditDetail, RETAINED_EVENT_TYPES } from "../../src/core/retention.js";
import { RetentionJob } from "../../src/jobs/retention-job.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { alertDelivery } from "../store/alert-store-fixtures.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/**
 * Retention on a real SQLite file: finished runs older than the cutoff lose their detail
 * events and effect records and keep everything that says who decided what; open runs and
 * recent runs are untouched; old deliveries go; the audit log refuses any other delete.
 */

const DAY = 86_400_000;
const reviewed = defineChain({
  id: "reviewed",
  description: "a gated draft, then an effect",
  input: z.object({ topic: z.string() }),
  approvers: ["U0APPROVER1"],
})
  .llm("draft", { system: "STEP:draft", user: ({ input }) => input.topic, output: z.object({ text: z.string() }), approval: {} })
  .action("publish", { run: async ({ outputs }, services) => services.once(async () => ({ published: outputs.draft.text })) })
  .build();

const START = Date.UTC(2026, 7, 1, 9, 0, 0);
let now = START;
const clock = { now: () => now };
const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
const logger: Logger = {
  debug() {},
  info: (fields, message) => void lines.push({ fields, message }),
  warn() {},
  error: (fields, message) => void lines.push({ fields, message }),
};
let harness: Harness | undefined;
let state: SqliteState | undefined;

afterEach(async () => {
  vi.useRealTimers();
  state?.close();
  state = undefined;
  await harness?.close();
  harness = undefined;
  lines.length = 0;
});

async function approvedRun(): Promise<string> {
  if (!harness) throw new Error("no harness");
  const { runId } = await harness.runner.start("reviewed", { topic: "x" }, { startedBy: "U0ALICE01" });
  await harness.runner.settled(runId);
  const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  if (!approval) throw new Error("no approval");
  await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U0APPROVER1", trusted: true });
  expect((await harness.runner.settled(runId)).status).toBe("succeeded");
  return runId;
}

async function pendingRun(): Promise<string> {
  if (!harness) throw new Error("no harness");
  const { runId } = await harness.runner.start("reviewed", { topic: "y" }, { startedBy: "U0ALICE01" });
  expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
  return runId;
}

async function setUp(): Promise<{ old: string; open: string; recent: string; state: SqliteState }> {
  now = START;
  harness = await createHarness([reviewed], { clock });
  harness.server.setFallback(() => ({ kind: "json", value: { text: "proposal" } }));
  state = openSqliteState(harness.databasePath);
  const old = await approvedRun();
  const open = await pendingRun();
  await state.alerts.recordDelivery(alertDelivery({ deliveryKey: "old", receivedAt: now }));
  now = START + 100 * DAY;
  const recent = await approvedRun();
  await state.alerts.recordDelivery(alertDelivery({ deliveryKey: "new", fingerprint: "a2", receivedAt: now }));
  return { old, open, recent, state };
}

describe("retention", () => {
  it("prunes the detail of old finished runs only, keeps decisions and outputs, deletes old deliveries, and is idempotent", async () => {
    const { old, open, recent, state } = await setUp();
    if (!harness) throw new Error("no harness");
    const store = harness.store;
    const before = { old: await store.listEvents(old), open: await store.listEvents(open), recent: await store.listEvents(recent) };
    expect(before.old.map((event) => event.type)).toContain("model.call");
    expect(await store.getEffect(`${old}:publish`)).toBeDefined();

    const preview = await state.retention.countPrunable(now - 90 * DAY);
    const report = await pruneAuditDetail(state.retention, { olderThanMs: 90 * DAY, now, batchRuns: 1 });
    expect(report).toMatchObject({ runs: 1, effects: 1, deliveries: 1, cutoff: now - 90 * DAY, skipped: false });
    expect(report.events).toBe(before.old.filter((event) => !RETAINED_EVENT_TYPES.includes(event.type)).length);
    expect({ runs: report.runs, events: report.events, effects: report.effects, deliveries: report.deliveries }).toEqual(preview);

    const after = await store.listEvents(old);
    expect(after.map((event) => event.type)).toEqual(before.old.filter((event) => RETAINED_EVENT_TYPES.includes(event.type)).map((event) => event.type));
    expect(after.map((event) => event.type)).toEqual(expect.arrayContaining(["run.started", "approval.requested", "approval.decided", "run.finished"]));
    expect(after.find((event) => event.type === "approval.decided")?.actor).toBe("U0APPROVER1");
    expect(await store.getEffect(`${old}:publish`)).toBeUndefined();
    // The run, its outputs and its approval stay.
    expect((await store.getRun(old))?.status).toBe("succeeded");
    expect((await store.getSteps(old)).map((step) => step.output)).toEqual([{ text: "proposal" }, { published: "proposal" }]);
    expect((await store.listApprovals({ runId: old, limit: 5 }))[0]?.decidedBy).toBe("U0APPROVER1");
    // The open run (older than the cutoff) and the recent run are untouched.
    expect(await store.listEvents(open)).toEqual(before.open);
    expect(await store.listEvents(recent)).toEqual(before.recent);
    expect(await store.getEffect(`${recent}:publish`)).toBeDefined();
    expect(await state.alerts.countDeliveries()).toBe(1);

    // A second pass finds nothing; the first one is on record.
    expect(await pruneAuditDetail(state.retention, { olderThanMs: 90 * DAY, now })).toMatchObject({ runs: 0, events: 0, effects: 0, deliveries: 0 });
    const database = new Database(harness.databasePath);
    try {
      expect(database.prepare("SELECT runs, events, effects, deliveries FROM retention_log").all()).toEqual([
        { runs: 1, events: report.events, effects: 1, deliveries: 1 },
      ]);
      // Outside a retention pass the audit log is still append-only.
      expect(() => database.prepare("DELETE FROM events").run()).toThrow(/append-only: events are deleted only by the retention job/);
      expect(() => database.prepare("UPDATE events SET actor = 'mallory'").run()).toThrow(/append-only/);
    } finally {
      database.close();
    }
  });

  it("the job runs on its cron schedule and logs what it pruned; a bad expression names the variable and the fix", async () => {
    const { state } = await setUp();
    const job = new RetentionJob({ store: state.retention, clock, logger, olderThanMs: 90 * DAY });
    expect(() => job.start("every night")).toThrow(BatonError);
    expect(() => job.start("every night")).toThrow(/BATON_RETENTION_CRON "every night" is not a cron expression/);

    const slot = Date.UTC(2026, 10, 9, 3, 17, 0);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: slot - 1_500 });
    const stop = job.start("17 3 * * *");
    await vi.advanceTimersByTimeAsync(2_000);
    stop();
    vi.useRealTimers();
    const deadline = Date.now() + 3_000;
    while (!lines.some((line) => line.message.startsWith("retention pass")) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.find((line) => line.message.startsWith("retention pass"))?.fields).toMatchObject({ runs: 1, effects: 1, deliveries: 1 });
  });
});
