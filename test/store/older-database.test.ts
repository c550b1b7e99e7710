import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainStore } from "../../src/core/ports.js";
import { openDatabase, openSqliteStore } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * A database written before the plain ports (test/fixtures/store/schema-10.db, made by
 * write-schema-10-database.ts with the store of that time): JSON columns deflated from 512
 * bytes, runs with event segments. Today's store must read every record exactly as that store
 * did, and carry its waiting run on.
 */

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "store");
const expected = JSON.parse(readFileSync(join(FIXTURES, "schema-10.expected.json"), "utf8")) as Record<string, Record<string, unknown>>;
const RUN_IDS = ["r_done", "r_waiting", "r_approved", "r_edited", "r_failed", "r_rerun"];

let directory: { path: string; remove(): void };
let path: string;
let store: ChainStore;
beforeEach(() => {
  directory = makeTempDirectory("baton-older-");
  path = join(directory.path, "baton.db");
  copyFileSync(join(FIXTURES, "schema-10.db"), path);
  store = openSqliteStore(path);
});
afterEach(() => {
  store.close();
  directory.remove();
});

/** As the expectations were written: through JSON. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

type Usage = Record<string, unknown>;
/**
 * The records as that store read them, plus what schema 11 added: a row written before it
 * was never told a cached figure, so its usage reads 0 cached.
 */
const stepsWithZeroCached = (steps: unknown): unknown =>
  (steps as Array<{ usage: Usage }>).map((step) => ({ ...step, usage: { ...step.usage, cachedInputTokens: 0 } }));
const approvalsWithZeroCached = (approvals: unknown): unknown =>
  (approvals as Array<{ stepUsage: Usage }>).map((approval) => ({ ...approval, stepUsage: { ...approval.stepUsage, cachedInputTokens: 0 } }));

describe("a database written before the plain ports", () => {
  it("holds what this test is about: deflated JSON columns and runs with event segments", () => {
    const database = openDatabase(path);
    try {
      const count = (sql: string): number => (database.prepare<[], { count: number }>(sql).get()?.count ?? 0) as number;
      expect(count("SELECT count(*) AS count FROM steps WHERE typeof(output) = 'blob'")).toBeGreaterThan(0);
      expect(count("SELECT count(*) AS count FROM approvals WHERE typeof(proposal) = 'blob'")).toBeGreaterThan(0);
      expect(count("SELECT count(*) AS count FROM approvals WHERE typeof(edited_output) = 'blob'")).toBe(1);
      expect(count("SELECT count(*) AS count FROM runs WHERE typeof(input) = 'blob'")).toBe(1);
      expect(count("SELECT count(*) AS count FROM runs WHERE event_segments IS NOT NULL")).toBe(2);
    } finally {
      database.close();
    }
  });

  it("reads every run, step, approval, event, retry and lineage as the store that wrote it did", async () => {
    for (const runId of RUN_IDS) {
      const want = expected[runId] ?? {};
      expect(plain(await store.getRun(runId))).toEqual(want["run"]);
      expect(plain(await store.getSteps(runId))).toEqual(stepsWithZeroCached(want["steps"]));
      expect(plain(await store.listApprovals({ runId, limit: 100 }))).toEqual(approvalsWithZeroCached(want["approvals"]));
      expect(plain(await store.listEvents(runId))).toEqual(want["events"]);
      expect(plain(await store.getRetry(runId))).toEqual(want["retry"]);
      expect(plain(await store.getLineage(runId))).toEqual(want["lineage"]);
    }
    expect(plain(await store.getEffect("r_approved:step-2"))).toEqual(expected["effect"]);
    expect((await store.listRuns({ limit: 100 })).map((run) => run.id).sort()).toEqual([...RUN_IDS].sort());
  });

  it("reads 0 cached input tokens for every step and approval written before the figure was stored", async () => {
    const steps = (await Promise.all(RUN_IDS.map((runId) => store.getSteps(runId)))).flat();
    const approvals = (await Promise.all(RUN_IDS.map((runId) => store.listApprovals({ runId, limit: 100 })))).flat();
    expect(steps.length).toBeGreaterThan(0);
    expect(approvals.length).toBeGreaterThan(0);
    expect(new Set(steps.map((step) => step.usage.cachedInputTokens))).toEqual(new Set([0]));
    expect(new Set(approvals.map((approval) => approval.stepUsage.cachedInputTokens))).toEqual(new Set([0]));
  });

  it("keeps a cached figure written after the upgrade, beside the old rows that read 0", async () => {
    const waiting = await store.getApproval("a_waiting");
    if (!waiting) throw new Error("the fixture has no approval a_waiting");
    const at = 1_760_000_100_000;
    const usage = { ...waiting.stepUsage, cachedInputTokens: 700 };
    await store.decideApproval({
      approvalId: "a_waiting",
      status: "approved",
      decidedBy: "U0ONCALL",
      at,
      editedOutput: null,
      comment: null,
      step: {
        runId: "r_waiting",
        stepIndex: 1,
        stepId: "step-1",
        status: "succeeded",
        output: waiting.proposal,
        startedAt: at,
        finishedAt: at,
        executions: 1,
        usage,
      },
      runStatus: "running",
      leaseOwner: "host-b:1:1",
      leaseExpiresAt: at + 60_000,
      events: [],
    });
    const steps = await store.getSteps("r_waiting");
    expect(steps.map((step) => step.usage.cachedInputTokens)).toEqual([0, 700]);
    expect((await store.getApproval("a_waiting"))?.stepUsage.cachedInputTokens).toBe(0);
  });

  it("carries the waiting run on: the decision applies, its step holds the old proposal, and the log stays in order", async () => {
    const waiting = await store.getApproval("a_waiting");
    if (!waiting) throw new Error("the fixture has no approval a_waiting");
    const at = 1_760_000_100_000;
    const outcome = await store.decideApproval({
      approvalId: "a_waiting",
      status: "approved",
      decidedBy: "U0ONCALL",
      at,
      editedOutput: null,
      comment: null,
      step: {
        runId: "r_waiting",
        stepIndex: 1,
        stepId: "step-1",
        status: "succeeded",
        output: waiting.proposal,
        startedAt: at,
        finishedAt: at,
        executions: 1,
        usage: waiting.stepUsage,
      },
      runStatus: "running",
      leaseOwner: "host-b:1:1",
      leaseExpiresAt: at + 60_000,
      events: [{ runId: "r_waiting", at, type: "approval.decided", stepId: "step-1", actor: "U0ONCALL", data: { approvalId: "a_waiting" } }],
    });
    expect(outcome).toEqual({ applied: true, approval: { ...waiting, status: "approved", decidedAt: at, decidedBy: "U0ONCALL" } });
    const committed = await store.commitStep({
      guard: { runId: "r_waiting", owner: "host-b:1:1", cursor: 2 },
      step: {
        runId: "r_waiting",
        stepIndex: 2,
        stepId: "step-2",
        status: "succeeded",
        output: { done: true },
        startedAt: at,
        finishedAt: at + 1,
        executions: 1,
        usage: waiting.stepUsage,
      },
      nextStatus: "succeeded",
      at: at + 1,
      events: [{ runId: "r_waiting", at: at + 1, type: "run.finished", stepId: null, actor: null, data: { status: "succeeded" } }],
    });
    expect(committed).toBe(true);

    expect((await store.getRun("r_waiting"))?.status).toBe("succeeded");
    expect((await store.getSteps("r_waiting"))[1]?.output).toEqual(waiting.proposal);
    const events = await store.listEvents("r_waiting");
    const before = (expected["r_waiting"]?.["events"] as unknown[]).length;
    expect(events.map((event) => event.type).slice(before)).toEqual(["approval.decided", "run.finished"]);
    const sequences = events.map((event) => event.sequence);
    expect(sequences).toEqual([...new Set(sequences)].sort((left, right) => left - right));
  });
});
