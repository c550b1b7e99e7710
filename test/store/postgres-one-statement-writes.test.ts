import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import { PostgresChainStore } from "../../src/store-postgres/index.js";
import { event, newRun, runAtCursor, snapshotOf, START, step, stepCommit } from "./chain-store-fixtures.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";

/**
 * The PostgreSQL store writes a new run and each step commit as one statement (one round trip,
 * one commit); the shared contract checks what they write. This file checks that they are one
 * round trip, and that the writes the single statement does not cover (events naming another
 * run, a run id that exists) still fail whole, as the transaction did, losing nothing.
 */

const skip = await skipWithoutPostgres("test/store/postgres-one-statement-writes.test.ts");

describe.skipIf(skip)("PostgreSQL store: a run's writes in one statement", () => {
  const database = usePostgresDatabase({ migrated: true });
  const sent: string[] = [];
  let store: PostgresChainStore;

  beforeAll(async () => {
    const pool = testPool(database.url());
    // What each of the pool's connections sends, one entry per round trip.
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...parameters: unknown[]) => unknown;
      Object.assign(client, {
        query: (config: string | { name?: string; text: string }, ...rest: unknown[]) => {
          sent.push(typeof config === "string" ? config : (config.name ?? config.text));
          return query(config, ...rest);
        },
      });
    });
    store = new PostgresChainStore(pool, database.url());
  });

  afterAll(async () => {
    await store?.closed();
  });

  it("creates a run and commits each step with one statement each, no BEGIN or COMMIT", async () => {
    sent.length = 0;
    const run = newRun();
    await store.createRun(run, [event(run.id, "run.started")]);
    expect(await store.commitStep(stepCommit(run.id, 0, { events: [event(run.id, "step.finished", { stepId: "s0" })] }))).toBe(true);
    expect(await store.commitStep(stepCommit(run.id, 1, { nextStatus: "succeeded", at: START + 50 }))).toBe(true);
    expect(sent).toEqual(["baton_create_run", "baton_commit_step", "baton_commit_step"]);

    const finished = await store.getRun(run.id);
    expect(finished).toMatchObject({ status: "succeeded", cursor: 2, finishedAt: START + 50, updatedAt: START + 50, leaseOwner: null, leaseExpiresAt: null });
    expect((await store.getSteps(run.id)).map((written) => written.stepIndex)).toEqual([0, 1]);
    const events = await store.listEvents(run.id);
    expect(events.map((written) => written.type)).toEqual(["run.started", "step.finished", "model.call", "step.finished"]);
    expect(events.map((written) => written.sequence)).toEqual([1, 2, 3, 4]);
  });

  it("numbers a step's events after those another writer appended meanwhile", async () => {
    const run = await runAtCursor(store, 0);
    const before = (await store.listEvents(run.id)).length;
    await store.appendEvents([event(run.id, "run.recovered"), event(run.id, "run.recovered")]);
    expect(await store.commitStep(stepCommit(run.id, 0, { events: [event(run.id, "step.finished")] }))).toBe(true);
    const sequences = (await store.listEvents(run.id)).map((written) => written.sequence);
    expect(sequences).toHaveLength(before + 3);
    expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
    expect(new Set(sequences).size).toBe(sequences.length);
  });

  it("a step commit whose events name an unknown run fails with RUN_NOT_FOUND and writes nothing", async () => {
    const run = await runAtCursor(store, 0);
    const before = await snapshotOf(store, run.id);
    const commit = stepCommit(run.id, 0, { events: [event(run.id, "step.finished"), event("r_unknown", "step.finished")] });

    const error = await store.commitStep(commit).catch((thrown: unknown) => thrown);

    expect(isBatonError(error, "RUN_NOT_FOUND")).toBe(true);
    expect(String(error)).toContain("check the run id");
    expect(await snapshotOf(store, run.id)).toEqual(before);
  });

  it("a step commit whose events also name another existing run writes both runs' events", async () => {
    const run = await runAtCursor(store, 0);
    const other = await runAtCursor(store, 0);
    const otherBefore = (await store.listEvents(other.id)).length;
    const commit = stepCommit(run.id, 0, { events: [event(run.id, "step.finished"), event(other.id, "run.recovered")] });
    expect(await store.commitStep(commit)).toBe(true);
    expect((await store.listEvents(other.id)).length).toBe(otherBefore + 1);
    expect((await store.getSteps(run.id)).map((written) => written.stepIndex)).toEqual([0]);
  });

  it("a new run whose id exists is refused and the existing run keeps its row, steps and events", async () => {
    const run = await runAtCursor(store, 1);
    const before = await snapshotOf(store, run.id);

    const error = await store.createRun({ ...newRun(), id: run.id }, [event(run.id, "run.started")]).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/duplicate key/);
    expect(await snapshotOf(store, run.id)).toEqual(before);
  });

  it("a new run whose events name an unknown run fails with RUN_NOT_FOUND and is not created", async () => {
    const run = newRun();
    const error = await store.createRun(run, [event(run.id, "run.started"), event("r_unknown", "run.started")]).catch((thrown: unknown) => thrown);
    expect(isBatonError(error, "RUN_NOT_FOUND")).toBe(true);
    expect(await store.getRun(run.id)).toBeUndefined();
    expect(await store.listEvents(run.id)).toEqual([]);
  });

  it("a step commit with no events moves the cursor and writes the step", async () => {
    const run = await runAtCursor(store, 0);
    const eventsBefore = await store.listEvents(run.id);
    expect(await store.commitStep(stepCommit(run.id, 0, { step: step(run.id, 0, { output: { ok: true } }), events: [] }))).toBe(true);
    expect((await store.getRun(run.id))?.cursor).toBe(1);
    expect((await store.getSteps(run.id))[0]?.output).toEqual({ ok: true });
    expect(await store.listEvents(run.id)).toEqual(eventsBefore);
  });
});
