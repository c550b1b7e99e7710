import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainStore } from "../../src/core/ports.js";
import { describeApprovalContract } from "./chain-store-contract-approvals.js";
import { describeLogContract } from "./chain-store-contract-log.js";
import { describeRetryContract } from "./chain-store-contract-retries.js";
import {
  event,
  guardOf,
  newRun,
  OTHER_OWNER,
  OWNER,
  runAtCursor,
  runAwaitingApproval,
  snapshotOf,
  START,
  step,
  stepCommit,
  type StoreUnderTest,
} from "./chain-store-fixtures.js";

/**
 * The behaviour every `ChainStore` owes the core (see the doc comments in src/core/ports.ts),
 * run against each implementation: SQLite and PostgreSQL. `makeStore` gives a store on fresh,
 * empty storage.
 */
export function describeChainStoreContract(name: string, makeStore: () => StoreUnderTest): void {
  describe(`ChainStore contract: ${name}`, () => {
    const context = useStore(makeStore);
    describeRunContract(context);
    describeApprovalContract(context);
    describeLogContract(context);
    describeRetryContract(context);
  });
}

/** The store of the current test; set up and disposed around each test. */
export interface StoreContext {
  readonly store: ChainStore;
  readonly underTest: StoreUnderTest;
}

function useStore(makeStore: () => StoreUnderTest): StoreContext {
  let current: StoreUnderTest | undefined;
  beforeEach(() => {
    current = makeStore();
  });
  afterEach(() => {
    current?.dispose();
    current = undefined;
  });
  const required = (): StoreUnderTest => {
    if (current === undefined) throw new Error("no store: used outside a test");
    return current;
  };
  return {
    get store() {
      return required().store;
    },
    get underTest() {
      return required();
    },
  };
}

function describeRunContract(context: StoreContext): void {
  describe("runs", () => {
    it("creates a run that reads back exactly, with its events", async () => {
      const run = newRun();
      await context.store.createRun(run, [event(run.id, "run.started", { actor: "U024BE7LH", data: { source: "cli" } })]);

      expect(await context.store.getRun(run.id)).toEqual({
        id: run.id,
        chainId: run.chainId,
        status: "running",
        cursor: 0,
        stepCount: run.stepCount,
        input: run.input,
        startedBy: run.startedBy,
        origin: run.origin,
        createdAt: run.at,
        updatedAt: run.at,
        finishedAt: null,
        error: null,
        leaseOwner: OWNER,
        leaseExpiresAt: run.leaseExpiresAt,
      });
      const events = await context.store.listEvents(run.id);
      expect(events).toEqual([{ ...event(run.id, "run.started", { actor: "U024BE7LH", data: { source: "cli" } }), sequence: expect.any(Number) }]);
    });

    it("returns undefined for a run that does not exist, and no steps or events", async () => {
      expect(await context.store.getRun("r_missing")).toBeUndefined();
      expect(await context.store.getSteps("r_missing")).toEqual([]);
      expect(await context.store.listEvents("r_missing")).toEqual([]);
    });

    it("keeps a run without origin as null", async () => {
      const run = newRun({ origin: null });
      await context.store.createRun(run, []);
      expect((await context.store.getRun(run.id))?.origin).toBeNull();
    });

    it("lists runs newest first, filtered by status, chain and starter, up to the limit", async () => {
      const older = newRun({ at: START, chainId: "iac-review", startedBy: "U1" });
      const middle = newRun({ at: START + 10, chainId: "incident-response", startedBy: "U2" });
      const newest = newRun({ at: START + 20, chainId: "incident-response", startedBy: "U1" });
      for (const run of [older, middle, newest]) await context.store.createRun(run, []);
      await context.store.finishRun({ runId: middle.id, fromStatuses: ["running"], owner: null, status: "cancelled", error: null, at: START + 30, events: [] });

      const ids = async (filter: Parameters<ChainStore["listRuns"]>[0]) => (await context.store.listRuns(filter)).map((run) => run.id);
      expect(await ids({ limit: 10 })).toEqual([newest.id, middle.id, older.id]);
      expect(await ids({ limit: 2 })).toEqual([newest.id, middle.id]);
      expect(await ids({ limit: 10, statuses: ["running"] })).toEqual([newest.id, older.id]);
      expect(await ids({ limit: 10, statuses: ["cancelled", "failed"] })).toEqual([middle.id]);
      expect(await ids({ limit: 10, chainId: "incident-response" })).toEqual([newest.id, middle.id]);
      expect(await ids({ limit: 10, startedBy: "U1" })).toEqual([newest.id, older.id]);
      expect(await ids({ limit: 10, startedBy: "U1", chainId: "iac-review", statuses: ["running"] })).toEqual([older.id]);
      expect(await ids({ limit: 10, chainId: "rfp-response" })).toEqual([]);
    });

    it("lists the running runs as in flight, and no others", async () => {
      const running = await runAtCursor(context.store, 1);
      const paused = await runAwaitingApproval(context.store);
      const finished = await runAtCursor(context.store, 0);
      await context.store.finishRun({ runId: finished.id, fromStatuses: ["running"], owner: OWNER, status: "failed", error: null, at: START + 5, events: [] });

      const inFlight = await context.store.listRunsInFlight();
      expect(inFlight.map((run) => run.id)).toEqual([running.id]);
      expect(inFlight.map((run) => run.id)).not.toContain(paused.run.id);
    });
  });

  describe("commitStep", () => {
    it("writes the step, moves the cursor by one and appends the events, in one go", async () => {
      const run = await runAtCursor(context.store, 0);
      const commit = stepCommit(run.id, 0);

      expect(await context.store.commitStep(commit)).toBe(true);

      const stored = await context.store.getRun(run.id);
      // A step commit moves the cursor without rewriting the run's row: updatedAt tracks status and lease changes.
      expect(stored).toMatchObject({ status: "running", cursor: 1, updatedAt: run.at, finishedAt: null, leaseOwner: OWNER });
      expect(await context.store.getSteps(run.id)).toEqual([commit.step]);
      const types = (await context.store.listEvents(run.id)).map((item) => item.type);
      expect(types).toEqual(["run.started", "model.call", "step.finished"]);
    });

    it("finishes the run on the last step: succeeded, finishedAt set, lease cleared", async () => {
      const run = await runAtCursor(context.store, 2);
      const commit = stepCommit(run.id, 2, { nextStatus: "succeeded", at: START + 9000 });

      expect(await context.store.commitStep(commit)).toBe(true);

      expect(await context.store.getRun(run.id)).toMatchObject({
        status: "succeeded",
        cursor: 3,
        finishedAt: START + 9000,
        updatedAt: START + 9000,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect((await context.store.getSteps(run.id)).map((item) => item.stepIndex)).toEqual([0, 1, 2]);
      expect(await context.store.listRunsInFlight()).toEqual([]);
    });

    it("keeps a skipped step with a null output", async () => {
      const run = await runAtCursor(context.store, 0);
      const skipped = step(run.id, 0, {
        status: "skipped",
        output: null,
        usage: { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 },
      });
      expect(await context.store.commitStep(stepCommit(run.id, 0, { step: skipped }))).toBe(true);
      expect(await context.store.getSteps(run.id)).toEqual([skipped]);
    });

    it("keeps the cached part of the input tokens, and a step written again takes its new figure", async () => {
      const run = await runAtCursor(context.store, 1);
      const cached = step(run.id, 0, { usage: { modelCalls: 3, inputTokens: 2_400_000, cachedInputTokens: 2_000_000, outputTokens: 900, costUsd: 0.41 } });
      expect(await context.store.commitStep(stepCommit(run.id, 1, { step: cached }))).toBe(true);
      expect((await context.store.getSteps(run.id))[0]?.usage).toEqual(cached.usage);

      const uncached = { ...cached, executions: 2, usage: { ...cached.usage, cachedInputTokens: 0 } };
      expect(await context.store.commitStep(stepCommit(run.id, 1, { step: uncached }))).toBe(true);
      expect((await context.store.getSteps(run.id))[0]?.usage.cachedInputTokens).toBe(0);
    });

    it("replaces the row of a step index that was written before", async () => {
      const run = await runAtCursor(context.store, 1);
      const again = step(run.id, 0, { executions: 2, output: { second: true } });
      expect(await context.store.commitStep(stepCommit(run.id, 1, { step: again }))).toBe(true);
      expect(await context.store.getSteps(run.id)).toEqual([again]);
    });

    it.each([
      ["the cursor is not the run's", { cursor: 0, owner: OWNER }],
      ["the cursor is ahead of the run's", { cursor: 2, owner: OWNER }],
      ["another process holds the lease", { cursor: 1, owner: OTHER_OWNER }],
    ])("refuses and writes nothing when %s", async (_reason, guard) => {
      const run = await runAtCursor(context.store, 1);
      const before = await snapshotOf(context.store, run.id);

      const commit = stepCommit(run.id, 1, { guard: guardOf(run.id, guard.cursor, guard.owner), step: step(run.id, 1) });
      expect(await context.store.commitStep(commit)).toBe(false);

      expect(await snapshotOf(context.store, run.id)).toEqual(before);
    });

    it("refuses and writes nothing when the run is not running (awaiting approval, finished, or unknown)", async () => {
      const { run } = await runAwaitingApproval(context.store, 1);
      const finished = await runAtCursor(context.store, 1);
      await context.store.finishRun({
        runId: finished.id,
        fromStatuses: ["running"],
        owner: OWNER,
        status: "cancelled",
        error: null,
        at: START + 5,
        events: [],
      });
      for (const runId of [run.id, finished.id]) {
        const before = await snapshotOf(context.store, runId);
        expect(await context.store.commitStep(stepCommit(runId, 1))).toBe(false);
        expect(await snapshotOf(context.store, runId)).toEqual(before);
      }
      expect(await context.store.commitStep(stepCommit("r_missing", 0))).toBe(false);
    });

    it("lets only one of two commits of the same step apply", async () => {
      const run = await runAtCursor(context.store, 0);
      const second = context.underTest.connectAgain();
      const results = await Promise.all([
        context.store.commitStep(stepCommit(run.id, 0, { step: step(run.id, 0, { output: "first" }) })),
        second.commitStep(stepCommit(run.id, 0, { step: step(run.id, 0, { output: "second" }) })),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await context.store.getRun(run.id))?.cursor).toBe(1);
      expect(await context.store.getSteps(run.id)).toHaveLength(1);
    });
  });
}
