import { describe, expect, it } from "vitest";
import type { ChainStore, DecisionCommit } from "../../src/core/ports.js";
import type { StoreContext } from "./chain-store-contract.js";
import {
  approval,
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
} from "./chain-store-fixtures.js";

/** JSON that tends to break naive storage: unicode, escapes, deep nesting, big and small numbers. */
const AWKWARD_JSON = {
  text: 'line one\nline "two"\t — ünïcödé ✓ 🚨 \u0000 end',
  empty: { object: {}, array: [], string: "" },
  numbers: [0, -1, 1.5, 1e-7, 9007199254740991, -0.25],
  booleans: [true, false],
  nothing: null,
  deep: { a: { b: { c: { d: { e: ["f"] } } } } },
  "key with spaces and . dots": 1,
};

/** Long and repetitive (compresses), and long and random (does not). */
const LONG_REPETITIVE = {
  findings: Array.from({ length: 200 }, (_, index) => ({ rule: "no-public-bucket", resource: `aws_s3_bucket.logs_${String(index)}` })),
};
const LONG_RANDOM = { blob: Array.from({ length: 3000 }, (_, index) => ((index * 7919 + 17) % 9973).toString(36)).join("") };

export function describeLogContract(context: StoreContext): void {
  describe("claimRun and renewLeases", () => {
    it("claims a run whose owner is the one the caller saw, and appends the events", async () => {
      const run = await runAtCursor(context.store, 1);
      const claimed = await context.store.claimRun({
        runId: run.id,
        expectedOwner: OWNER,
        owner: OTHER_OWNER,
        leaseExpiresAt: START + 99_000,
        at: START + 50_000,
        events: [event(run.id, "run.recovered", { data: { from: OWNER } })],
      });

      expect(claimed).toBe(true);
      expect(await context.store.getRun(run.id)).toMatchObject({
        leaseOwner: OTHER_OWNER,
        leaseExpiresAt: START + 99_000,
        updatedAt: START + 50_000,
        status: "running",
        cursor: 1,
      });
      expect((await context.store.listEvents(run.id)).at(-1)?.type).toBe("run.recovered");
    });

    it("refuses and writes nothing when the owner changed meanwhile or the run is not running", async () => {
      const run = await runAtCursor(context.store, 1);
      const { run: paused } = await runAwaitingApproval(context.store, 1);
      for (const [runId, expectedOwner] of [
        [run.id, OTHER_OWNER],
        [run.id, null],
        [paused.id, null],
      ] as const) {
        const before = await snapshotOf(context.store, runId);
        const claim = { runId, expectedOwner, owner: "host-c:1:1", leaseExpiresAt: START + 1, at: START + 1, events: [event(runId, "run.recovered")] };
        expect(await context.store.claimRun(claim)).toBe(false);
        expect(await snapshotOf(context.store, runId)).toEqual(before);
      }
    });

    it("claims an unowned running run when the caller expected no owner (null compares equal)", async () => {
      const { approval: pending, run } = await runAwaitingApproval(context.store, 1);
      const unowned: DecisionCommit = {
        approvalId: pending.id,
        status: "changes_requested",
        decidedBy: "U1",
        at: START + 3000,
        editedOutput: null,
        comment: "again",
        step: null,
        runStatus: "running",
        leaseOwner: null,
        leaseExpiresAt: null,
        events: [],
      };
      expect((await context.store.decideApproval(unowned)).applied).toBe(true);

      const claim = { runId: run.id, expectedOwner: null, owner: OWNER, leaseExpiresAt: START + 70_000, at: START + 4000, events: [] };
      expect(await context.store.claimRun(claim)).toBe(true);
      expect(await context.store.claimRun(claim)).toBe(false);
      expect((await context.store.getRun(run.id))?.leaseOwner).toBe(OWNER);
    });

    it("renews every running run of the owner, and only those", async () => {
      const mine = [await runAtCursor(context.store, 0), await runAtCursor(context.store, 1)];
      const theirs = await runAtCursor(context.store, 0, { leaseOwner: OTHER_OWNER });
      await runAwaitingApproval(context.store, 1);
      const done = await runAtCursor(context.store, 0);
      await context.store.finishRun({ runId: done.id, fromStatuses: ["running"], owner: OWNER, status: "failed", error: null, at: START, events: [] });

      expect(await context.store.renewLeases(OWNER, START + 123_456)).toBe(2);

      for (const run of mine) expect((await context.store.getRun(run.id))?.leaseExpiresAt).toBe(START + 123_456);
      expect((await context.store.getRun(theirs.id))?.leaseExpiresAt).toBe(theirs.leaseExpiresAt);
      expect(await context.store.renewLeases("host-nobody:0:0", START)).toBe(0);
    });
  });

  describe("audit events", () => {
    it("lists a run's events in the order they were appended, with increasing sequence numbers", async () => {
      const run = await runAtCursor(context.store, 1);
      const other = await runAtCursor(context.store, 0);
      await context.store.appendEvents([
        event(run.id, "model.output_invalid", { stepId: "step-1", data: { raw: "Sure! {", issues: [{ path: "(root)", message: "bad" }] } }),
        event(other.id, "approval.denied", { actor: "U9" }),
        event(run.id, "effect.replayed", { stepId: "step-1", actor: null }),
      ]);
      await context.store.appendEvents([]);

      const events = await context.store.listEvents(run.id);
      expect(events.map((item) => item.type)).toEqual(["run.started", "model.call", "step.finished", "model.output_invalid", "effect.replayed"]);
      const sequences = events.map((item) => item.sequence);
      expect([...sequences].sort((left, right) => left - right)).toEqual(sequences);
      expect(new Set(sequences).size).toBe(sequences.length);
      expect(events[3]).toEqual({
        ...event(run.id, "model.output_invalid", { stepId: "step-1", data: { raw: "Sure! {", issues: [{ path: "(root)", message: "bad" }] } }),
        sequence: sequences[3],
      });
      expect(events[4]?.actor).toBeNull();
      expect((await context.store.listEvents(other.id)).map((item) => item.type)).toEqual(["run.started", "approval.denied"]);
    });

    it("keeps every event type", async () => {
      const run = await runAtCursor(context.store, 0);
      const types = [
        "run.started",
        "run.recovered",
        "run.finished",
        "step.started",
        "step.finished",
        "step.skipped",
        "step.failed",
        "model.call",
        "model.output_invalid",
        "approval.requested",
        "approval.decided",
        "approval.denied",
        "effect.replayed",
      ] as const;
      await context.store.appendEvents(types.map((type) => event(run.id, type)));
      expect((await context.store.listEvents(run.id)).slice(1).map((item) => item.type)).toEqual([...types]);
    });
  });

  describe("effects", () => {
    it("returns undefined for an unknown key, and the first record of a key ever after", async () => {
      const run = await runAtCursor(context.store, 0);
      expect(await context.store.getEffect(`${run.id}:notify`)).toBeUndefined();

      const first = { key: `${run.id}:notify`, runId: run.id, result: { channel: "C1", ts: "1712345678.000100" }, recordedAt: START + 10 };
      await context.store.recordEffect(first);
      await context.store.recordEffect({ ...first, result: { channel: "C2", ts: "second" }, recordedAt: START + 20 });

      expect(await context.store.getEffect(first.key)).toEqual(first);
      expect(await context.underTest.connectAgain().getEffect(first.key)).toEqual(first);
    });
  });

  describe("stored JSON", () => {
    it.each([
      ["awkward", AWKWARD_JSON],
      ["long and repetitive", LONG_REPETITIVE],
      ["long and random", LONG_RANDOM],
      ["a bare string", "just text"],
      ["a bare number", 42],
      ["null", null],
    ])("round-trips %s values through every JSON column", async (_kind, value) => {
      const run = newRun({ input: value });
      await context.store.createRun(run, [event(run.id, "run.started", { data: { value } })]);
      await context.store.commitStep(stepCommit(run.id, 0, { step: step(run.id, 0, { output: value }) }));
      await context.store.recordEffect({ key: `${run.id}:effect`, runId: run.id, result: value, recordedAt: START });

      expect((await context.store.getRun(run.id))?.input).toEqual(value);
      expect((await context.store.getSteps(run.id))[0]?.output).toEqual(value);
      expect((await context.store.listEvents(run.id))[0]?.data).toEqual({ value });
      expect((await context.store.getEffect(`${run.id}:effect`))?.result).toEqual(value);
    });

    it.each([
      ["awkward", AWKWARD_JSON],
      ["long and repetitive", LONG_REPETITIVE],
      ["long and random", LONG_RANDOM],
    ])("round-trips %s proposals and edited outputs", async (_kind, value) => {
      const run = await runAtCursor(context.store, 1);
      const pending = approval(run.id, 1, { proposal: value });
      await context.store.openApproval({ guard: guardOf(run.id, 1), approval: pending, at: START, events: [] });
      expect(await context.store.getApproval(pending.id)).toEqual(pending);

      const decided = await context.store.decideApproval({
        approvalId: pending.id,
        status: "edited",
        decidedBy: "U1",
        at: START + 1,
        editedOutput: value,
        comment: null,
        step: step(run.id, 1, { output: value }),
        runStatus: "running",
        leaseOwner: OWNER,
        leaseExpiresAt: START + 2,
        events: [],
      });
      expect(decided.approval).toEqual({ ...pending, status: "edited", editedOutput: value, decidedBy: "U1", decidedAt: START + 1 });
    });
  });

  describe("durability across store objects", () => {
    it("another store object on the same storage sees everything committed", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 2);
      await context.store.recordEffect({ key: "k", runId: run.id, result: { ok: true }, recordedAt: START });
      const expected = await snapshotOf(context.store, run.id);

      const other: ChainStore = context.underTest.connectAgain();

      expect(await snapshotOf(other, run.id)).toEqual(expected);
      expect(await other.getApproval(pending.id)).toEqual(pending);
      expect(await other.getEffect("k")).toEqual({ key: "k", runId: run.id, result: { ok: true }, recordedAt: START });
    });

    it("two store objects appending to one run in turn lose no event and keep them in order", async () => {
      // The other store's appends in between must not be overwritten, refused or reordered.
      const run = await runAtCursor(context.store, 0);
      const other: ChainStore = context.underTest.connectAgain();
      const actors: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        for (const [name, store] of [
          ["first", context.store],
          ["second", other],
        ] as const) {
          const actor = `${name}-${String(round)}`;
          actors.push(actor, `${actor}b`);
          await store.appendEvents([event(run.id, "approval.denied", { actor }), event(run.id, "approval.denied", { actor: `${actor}b` })]);
        }
      }
      await context.store.commitStep(stepCommit(run.id, 0));

      for (const store of [context.store, other]) {
        const events = await store.listEvents(run.id);
        expect(events.filter((item) => item.type === "approval.denied").map((item) => item.actor)).toEqual(actors);
        expect(events.at(-1)?.type).toBe("step.finished");
        const sequences = events.map((item) => item.sequence);
        expect(sequences).toEqual([...sequences].sort((left, right) => left - right));
        expect(new Set(sequences).size).toBe(sequences.length);
      }
    });
  });
}
