import { describe, expect, it } from "vitest";
import type { ChainStore } from "../../src/core/ports.js";
import { pruneAuditDetail, RETAINED_EVENT_TYPES } from "../../src/core/retention.js";
import { alertDelivery } from "./alert-store-fixtures.js";
import { event, guardOf, OWNER, runAtCursor, runAwaitingApproval, START, stepCommit } from "./chain-store-fixtures.js";
import { type StateUnderTest, useState } from "./state-under-test.js";

/**
 * The behaviour every `RetentionStore` owes the retention job (src/core/retention.ts): finished
 * runs older than the cutoff lose their detail events and effect records and keep everything
 * that says who decided what; open and recent runs are untouched; old deliveries, posted thread
 * updates and finished intents go; the audit log refuses any other delete.
 */

const DAY = 86_400_000;

/** A run that finished at `at` (succeeded through its last step), with an effect recorded. */
async function finishedRun(store: ChainStore, at: number): Promise<string> {
  const run = await runAtCursor(store, 2, { at });
  const last = stepCommit(run.id, 2, { nextStatus: "succeeded", at, events: [event(run.id, "step.finished"), event(run.id, "run.finished")] });
  if (!(await store.commitStep(last))) throw new Error("setup: the last step did not commit");
  await store.recordEffect({ key: `${run.id}:publish`, runId: run.id, recordedAt: at, result: { published: true } });
  return run.id;
}

export function describeRetentionContract(name: string, makeState: () => Promise<StateUnderTest>): void {
  describe(`RetentionStore contract: ${name}`, () => {
    const context = useState(makeState);

    it("prunes the detail of old finished runs only, keeps decisions and outputs, deletes old deliveries, and is idempotent", async () => {
      const { store, retention, alerts } = context.state;
      const now = START + 100 * DAY;
      const old = [await finishedRun(store, START), await finishedRun(store, START + 1), await finishedRun(store, START + 2)];
      const open = await runAtCursor(store, 1);
      await store.appendEvents([event(open.id, "model.call")]);
      await store.recordEffect({ key: `${open.id}:publish`, runId: open.id, recordedAt: START, result: { published: false } });
      const recent = await finishedRun(store, now - DAY);
      await alerts.recordDelivery(alertDelivery({ deliveryKey: "old", receivedAt: START }));
      await alerts.recordDelivery(alertDelivery({ deliveryKey: "new", fingerprint: "a2", receivedAt: now }));
      const before = new Map(await Promise.all([...old, open.id, recent].map(async (runId) => [runId, await store.listEvents(runId)] as const)));
      const outputs = await store.getSteps(old[0] ?? "");

      const preview = await retention.countPrunable(now - 90 * DAY);
      const report = await pruneAuditDetail(retention, { olderThanMs: 90 * DAY, now, batchRuns: 2 });
      const detailOfOld = old.flatMap((runId) => before.get(runId) ?? []).filter((item) => !RETAINED_EVENT_TYPES.includes(item.type));
      expect(detailOfOld.length).toBeGreaterThan(0);
      expect(report).toEqual({ cutoff: now - 90 * DAY, runs: 3, events: detailOfOld.length, effects: 3, deliveries: 1, skipped: false });
      expect(preview).toEqual({ runs: 3, events: detailOfOld.length, effects: 3, deliveries: 1 });

      for (const runId of old) {
        const kept = (before.get(runId) ?? []).filter((item) => RETAINED_EVENT_TYPES.includes(item.type));
        expect(await store.listEvents(runId)).toEqual(kept);
        expect(await store.getEffect(`${runId}:publish`)).toBeUndefined();
        expect((await store.getRun(runId))?.status).toBe("succeeded");
      }
      expect((await store.listEvents(old[0] ?? "")).map((item) => item.type)).toEqual(["run.started", "run.finished"]);
      expect(await store.getSteps(old[0] ?? "")).toEqual(outputs);
      // The open run (older than the cutoff) and the recent run are untouched.
      expect(await store.listEvents(open.id)).toEqual(before.get(open.id));
      expect(await store.getEffect(`${open.id}:publish`)).toBeDefined();
      expect(await store.listEvents(recent)).toEqual(before.get(recent));
      expect(await store.getEffect(`${recent}:publish`)).toBeDefined();
      expect(await alerts.countDeliveries()).toBe(1);
      expect(await context.state.countRows("retention_log")).toBe(1);

      // A second pass finds nothing, and logs nothing.
      expect(await retention.countPrunable(now - 90 * DAY)).toEqual({ runs: 0, events: 0, effects: 0, deliveries: 0 });
      expect(await pruneAuditDetail(retention, { olderThanMs: 90 * DAY, now })).toMatchObject({ runs: 0, events: 0, effects: 0, deliveries: 0 });
      expect(await context.state.countRows("retention_log")).toBe(1);
    });

    it("never touches a run awaiting approval or running, however old, and a pruned run's later events are kept", async () => {
      const { store, retention } = context.state;
      const now = START + 100 * DAY;
      const running = await runAtCursor(store, 2);
      const runningEvents = await store.listEvents(running.id);
      const waiting = (await runAwaitingApproval(store)).run;
      const waitingEvents = await store.listEvents(waiting.id);
      const pruned = await finishedRun(store, START);
      expect(await pruneAuditDetail(retention, { olderThanMs: 90 * DAY, now })).toMatchObject({ runs: 1 });
      expect(await store.listEvents(running.id)).toEqual(runningEvents);
      expect(await store.listEvents(waiting.id)).toEqual(waitingEvents);
      // The run finishes later: its detail waits for a pass after it is old.
      expect(await store.commitStep(stepCommit(running.id, 2, { guard: guardOf(running.id, 2, OWNER), nextStatus: "succeeded", at: now }))).toBe(true);
      await store.appendEvents([event(pruned, "approval.denied", { at: now })]);
      expect(await pruneAuditDetail(retention, { olderThanMs: 90 * DAY, now: now + DAY })).toMatchObject({ runs: 0, events: 0 });
      expect((await store.listEvents(pruned)).at(-1)?.type).toBe("approval.denied");
    });

    it("removes posted updates and finished intents past the cutoff, and keeps what is still owed or open", async () => {
      const { alerts, intents, retention } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      const incidentId = opened.changes[0]?.incident.id ?? "";
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
      const posted = await alerts.claimIncidentUpdates(incidentId);
      await alerts.markIncidentUpdatesPosted(posted?.key ?? "", 2_500);
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a3", receivedAt: 3_000 }));
      const finished = await intents.recordIntent({ kind: "slack.review", payload: { repository: "acme/infra", number: 1 }, at: 1_000 });
      await intents.finishIntent(finished, 1_500);
      const open = await intents.recordIntent({ kind: "slack.review", payload: { repository: "acme/infra", number: 2 }, at: 1_000 });

      expect(await retention.pruneBatch({ cutoff: 10_000, at: 10_000, maxRuns: 100, maxDeliveries: 100 })).toMatchObject({ deliveries: 3, done: true });
      expect({ updates: await context.state.countRows("incident_updates"), intents: await context.state.countRows("command_intents") }).toEqual({
        updates: 1,
        intents: 1,
      });
      // The owed one (a3) is still there to post; the posted one is gone.
      const next = await alerts.claimIncidentUpdates(incidentId);
      expect(next?.newAlerts.map((item) => item.fingerprint)).toEqual(["a3"]);
      expect((await intents.listOpenIntents(10)).map((intent) => intent.id)).toEqual([open]);
      // The incident keeps its alerts.
      expect((await alerts.getIncident(incidentId))?.alerts.map((item) => item.fingerprint)).toEqual(["a1", "a2", "a3"]);
    });

    it("batches: stops at the limit, says it is not done, and the next batch goes on from there", async () => {
      const { store, retention, alerts } = context.state;
      const runs = [await finishedRun(store, START), await finishedRun(store, START), await finishedRun(store, START)];
      for (let index = 0; index < 3; index++) await alerts.recordDelivery(alertDelivery({ deliveryKey: `d${String(index)}`, receivedAt: START }));
      const cutoff = START + DAY;
      const first = await retention.pruneBatch({ cutoff, at: cutoff, maxRuns: 2, maxDeliveries: 2 });
      expect(first).toMatchObject({ runs: 2, effects: 2, deliveries: 2, done: false });
      const second = await retention.pruneBatch({ cutoff, at: cutoff, maxRuns: 2, maxDeliveries: 2, after: first.after });
      expect(second).toMatchObject({ runs: 1, effects: 1, deliveries: 1, done: true });
      for (const runId of runs) expect(await store.getEffect(`${runId}:publish`)).toBeUndefined();
      expect(await alerts.countDeliveries()).toBe(0);
    });
  });
}
