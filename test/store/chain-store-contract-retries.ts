import { describe, expect, it } from "vitest";
import type { RunRetry } from "../../src/core/ports.js";
import type { StoreContext } from "./chain-store-contract.js";
import { event, guardOf, OTHER_OWNER, OWNER, runAtCursor, snapshotOf, START, step, stepCommit } from "./chain-store-fixtures.js";

/**
 * The ChainStore contract for runs that recover: a waiting run's next try (`scheduleRetry`,
 * `getRetry`, `listRetries`), reopening a finished run, and re-runs with their lineage.
 */

function retryOf(runId: string, stepIndex: number, overrides: Partial<RunRetry> = {}): RunRetry {
  return {
    runId,
    chainId: "incident-response",
    stepId: `step-${String(stepIndex)}`,
    stepIndex,
    attempt: 2,
    nextAttemptAt: START + 30_000,
    waitingSince: START + 1_000,
    waitingFor: "model",
    code: "MODEL_TRANSPORT",
    message: "HTTP 503 from the model server",
    ...overrides,
  };
}

export function describeRetryContract(context: StoreContext): void {
  describe("retries and re-runs", () => {
    it("a scheduled retry rests the run without a lease until its step is written", async () => {
      const { store } = context;
      const run = await runAtCursor(store, 1);
      const retry = retryOf(run.id, 1);
      const schedule = { guard: guardOf(run.id, 1), retry, at: START + 2_000, events: [event(run.id, "step.retry_scheduled")] };

      const before = await snapshotOf(store, run.id);
      expect(await store.scheduleRetry({ ...schedule, guard: guardOf(run.id, 1, OTHER_OWNER) })).toBe(false);
      expect(await snapshotOf(store, run.id)).toEqual(before);
      expect(await store.getRetry(run.id)).toBeUndefined();

      expect(await store.scheduleRetry(schedule)).toBe(true);
      expect(await store.getRetry(run.id)).toEqual(retry);
      expect(await store.listRetries(10)).toEqual([retry]);
      expect(await store.getRun(run.id)).toMatchObject({ status: "running", leaseOwner: null, leaseExpiresAt: null, updatedAt: START + 2_000 });
      expect((await store.listEvents(run.id)).at(-1)?.type).toBe("step.retry_scheduled");

      const claim = { runId: run.id, expectedOwner: null, owner: OWNER, leaseExpiresAt: START + 90_000, at: START + 30_000, events: [] };
      expect(await store.claimRun(claim)).toBe(true);
      expect(await store.commitStep(stepCommit(run.id, 1))).toBe(true);
      expect(await store.getRetry(run.id)).toBeUndefined();
      expect(await store.listRetries(10)).toEqual([]);
    });

    it("a retry scheduled again replaces the first; the run leaving `running` ends it", async () => {
      const { store } = context;
      const run = await runAtCursor(store, 1);
      expect(await store.scheduleRetry({ guard: guardOf(run.id, 1), retry: retryOf(run.id, 1), at: START + 2_000, events: [] })).toBe(true);
      const claim = { runId: run.id, expectedOwner: null, owner: OWNER, leaseExpiresAt: START + 90_000, at: START + 30_000, events: [] };
      expect(await store.claimRun(claim)).toBe(true);
      const third = retryOf(run.id, 1, { attempt: 3, nextAttemptAt: START + 90_000 });
      expect(await store.scheduleRetry({ guard: guardOf(run.id, 1), retry: third, at: START + 31_000, events: [] })).toBe(true);
      expect(await store.getRetry(run.id)).toEqual(third);

      const finish = {
        runId: run.id,
        fromStatuses: ["running"] as const,
        owner: null,
        status: "cancelled" as const,
        error: null,
        at: START + 40_000,
        events: [],
      };
      expect(await store.finishRun(finish)).toBe(true);
      expect(await store.getRetry(run.id)).toBeUndefined();
    });

    it("lists waiting runs' retries soonest first, up to the limit", async () => {
      const { store } = context;
      const times = [START + 50_000, START + 10_000, START + 30_000];
      const retries: RunRetry[] = [];
      for (const nextAttemptAt of times) {
        const run = await runAtCursor(store, 0);
        const retry = retryOf(run.id, 0, { nextAttemptAt });
        expect(await store.scheduleRetry({ guard: guardOf(run.id, 0), retry, at: START + 2_000, events: [] })).toBe(true);
        retries.push(retry);
      }
      expect((await store.listRetries(10)).map((retry) => retry.nextAttemptAt)).toEqual([START + 10_000, START + 30_000, START + 50_000]);
      expect(await store.listRetries(1)).toEqual([retries[1]]);
    });

    it("a finished run reopens at its cursor, once; a re-run copies the steps before its start and records its lineage", async () => {
      const { store } = context;
      const parent = await runAtCursor(store, 2);
      const failure = {
        runId: parent.id,
        fromStatuses: ["running"] as const,
        owner: OWNER,
        status: "failed" as const,
        error: { code: "STEP_FAILED", message: "no" },
        at: START + 5,
        events: [],
      };
      expect(await store.finishRun(failure)).toBe(true);

      const reopen = {
        runId: parent.id,
        fromStatuses: ["failed"] as const,
        owner: OTHER_OWNER,
        leaseExpiresAt: START + 60_000,
        at: START + 10,
        events: [event(parent.id, "run.retried")],
      };
      expect(await store.reopenRun({ ...reopen, fromStatuses: ["expired"] })).toBe(false);
      expect(await store.reopenRun(reopen)).toBe(true);
      expect(await store.reopenRun(reopen)).toBe(false);
      expect(await store.reopenRun({ ...reopen, runId: "r_missing" })).toBe(false);
      expect(await store.getRun(parent.id)).toMatchObject({
        status: "running",
        cursor: 2,
        error: null,
        finishedAt: null,
        leaseOwner: OTHER_OWNER,
        leaseExpiresAt: START + 60_000,
        updatedAt: START + 10,
      });
      expect((await store.listEvents(parent.id)).at(-1)?.type).toBe("run.retried");

      const child = { ...parent, id: `${parent.id}_rerun`, at: START + 20 };
      await store.createRerun({
        run: child,
        parentRunId: parent.id,
        fromStepId: "step-1",
        fromStepIndex: 1,
        events: [event(child.id, "run.rerun"), event(parent.id, "run.rerun")],
      });

      expect(await store.getRun(child.id)).toMatchObject({ status: "running", cursor: 1, leaseOwner: OWNER, createdAt: START + 20 });
      // The copied steps' cost was paid by the parent.
      const zero = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
      expect(await store.getSteps(child.id)).toEqual([{ ...step(child.id, 0), usage: zero }]);
      expect(await store.getLineage(child.id)).toEqual({ parent: { runId: parent.id, fromStepId: "step-1" }, children: [] });
      expect(await store.getLineage(parent.id)).toEqual({ parent: null, children: [{ runId: child.id, fromStepId: "step-1", createdAt: START + 20 }] });
      expect((await store.listEvents(child.id)).map((item) => item.type)).toEqual(["run.rerun"]);
      expect((await store.listEvents(parent.id)).at(-1)?.type).toBe("run.rerun");
      expect(await store.getLineage("r_missing")).toEqual({ parent: null, children: [] });
    });
  });
}
