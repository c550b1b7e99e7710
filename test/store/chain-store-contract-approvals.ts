import { describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import type { DecisionCommit, StepRecord } from "../../src/core/ports.js";
import type { StoreContext } from "./chain-store-contract.js";
import { approval, event, guardOf, OTHER_OWNER, OWNER, runAtCursor, runAwaitingApproval, snapshotOf, START, step, stepCommit } from "./chain-store-fixtures.js";

const DECIDED_AT = START + 5000;

function decision(approvalId: string, overrides: Partial<DecisionCommit> = {}): DecisionCommit {
  return {
    approvalId,
    status: "approved",
    decidedBy: "U0ONCALL",
    at: DECIDED_AT,
    editedOutput: null,
    comment: null,
    step: null,
    runStatus: "running",
    leaseOwner: OTHER_OWNER,
    leaseExpiresAt: DECIDED_AT + 60_000,
    events: [],
    ...overrides,
  };
}

function decidedStep(runId: string, stepIndex: number, output: unknown): StepRecord {
  return step(runId, stepIndex, { output, finishedAt: DECIDED_AT });
}

export function describeApprovalContract(context: StoreContext): void {
  describe("openApproval", () => {
    it("inserts a pending approval that reads back exactly, and rests the run without a lease", async () => {
      const run = await runAtCursor(context.store, 1);
      const pending = approval(run.id, 1);

      const opened = await context.store.openApproval({
        guard: guardOf(run.id, 1),
        approval: pending,
        at: START + 2000,
        events: [event(run.id, "approval.requested", { stepId: pending.stepId })],
      });

      expect(opened).toBe(true);
      expect(await context.store.getApproval(pending.id)).toEqual(pending);
      expect(await context.store.getRun(run.id)).toMatchObject({
        status: "awaiting_approval",
        cursor: 1,
        updatedAt: START + 2000,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect((await context.store.listEvents(run.id)).at(-1)?.type).toBe("approval.requested");
    });

    it("keeps the step's cached input tokens with the approval, and in the step an approval writes", async () => {
      const run = await runAtCursor(context.store, 1);
      const stepUsage = { modelCalls: 2, inputTokens: 9_000, cachedInputTokens: 8_192, outputTokens: 350, costUsd: 0.0012 };
      const pending = approval(run.id, 1, { stepUsage });
      expect(await context.store.openApproval({ guard: guardOf(run.id, 1), approval: pending, at: START + 2000, events: [] })).toBe(true);
      expect((await context.store.getApproval(pending.id))?.stepUsage).toEqual(stepUsage);
      expect((await context.store.listApprovals({ runId: run.id, limit: 10 }))[0]?.stepUsage).toEqual(stepUsage);

      const stepRow = step(run.id, 1, { output: pending.proposal, finishedAt: DECIDED_AT, usage: stepUsage });
      const outcome = await context.store.decideApproval(decision(pending.id, { step: stepRow }));
      expect(outcome.approval.stepUsage).toEqual(stepUsage);
      expect((await context.store.getSteps(run.id)).at(-1)?.usage).toEqual(stepUsage);
    });

    it("refuses and writes nothing under a failed guard", async () => {
      const run = await runAtCursor(context.store, 1);
      const before = await snapshotOf(context.store, run.id);
      for (const guard of [guardOf(run.id, 0), guardOf(run.id, 1, OTHER_OWNER)]) {
        const pending = approval(run.id, 1);
        expect(await context.store.openApproval({ guard, approval: pending, at: START + 2000, events: [event(run.id, "approval.requested")] })).toBe(false);
        expect(await context.store.getApproval(pending.id)).toBeUndefined();
      }
      expect(await snapshotOf(context.store, run.id)).toEqual(before);
    });

    it("lists approvals newest first, by run and status, up to the limit", async () => {
      const first = await runAwaitingApproval(context.store);
      const second = await runAwaitingApproval(context.store);
      await context.store.decideApproval(decision(second.approval.id, { status: "rejected", runStatus: "rejected", leaseOwner: null, leaseExpiresAt: null }));

      const ids = async (filter: Parameters<typeof context.store.listApprovals>[0]) => (await context.store.listApprovals(filter)).map((item) => item.id);
      expect(await ids({ limit: 10 })).toEqual([second.approval.id, first.approval.id]);
      expect(await ids({ limit: 1 })).toEqual([second.approval.id]);
      expect(await ids({ limit: 10, statuses: ["pending"] })).toEqual([first.approval.id]);
      expect(await ids({ limit: 10, runId: second.run.id })).toEqual([second.approval.id]);
      expect(await ids({ limit: 10, runId: second.run.id, statuses: ["pending"] })).toEqual([]);
      expect(await ids({ limit: 10, runId: "r_missing" })).toEqual([]);
      expect(await context.store.getApproval("a_missing")).toBeUndefined();
    });
  });

  describe("decideApproval", () => {
    it("a run's events after a decision follow the earlier ones, whoever appends them and however many runs wrote meanwhile", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      // This store object appends to the run ...
      await context.store.appendEvents([event(run.id, "approval.denied", { actor: "U0INTERN" })]);
      // ... other runs write while it waits ...
      for (let index = 0; index < 3; index += 1) await runAtCursor(context.store, 2);
      // ... and another store object (another process) decides and carries on.
      const other = context.underTest.connectAgain();
      const decided = await other.decideApproval(decision(pending.id, { events: [event(run.id, "approval.decided", { actor: "U0ONCALL" })] }));
      expect(decided.applied).toBe(true);
      expect(await other.commitStep(stepCommit(run.id, 1, { guard: guardOf(run.id, 1, OTHER_OWNER) }))).toBe(true);
      // The first store object's next append must land after all of that, not where it last wrote.
      await context.store.appendEvents([event(run.id, "effect.replayed", { actor: null })]);
      await other.appendEvents([event(run.id, "approval.denied", { actor: "U0LATE" })]);

      const expected = [
        "run.started",
        "model.call",
        "step.finished",
        "approval.requested",
        "approval.denied",
        "approval.decided",
        "model.call",
        "step.finished",
        "effect.replayed",
        "approval.denied",
      ];
      for (const store of [context.store, other]) {
        const events = await store.listEvents(run.id);
        expect(events.map((item) => item.type)).toEqual(expected);
        const sequences = events.map((item) => item.sequence);
        expect(sequences).toEqual([...sequences].sort((left, right) => left - right));
        expect(new Set(sequences).size).toBe(sequences.length);
      }
    });

    it("approve: records the decision, writes the step, moves the cursor past it and hands the run a lease", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      const stepRow = decidedStep(run.id, 1, pending.proposal);
      const events = [event(run.id, "approval.decided", { actor: "U0ONCALL", data: { decision: "approve" } })];

      const outcome = await context.store.decideApproval(decision(pending.id, { step: stepRow, events }));

      expect(outcome).toMatchObject({ applied: true });
      expect(outcome.approval).toEqual({ ...pending, status: "approved", decidedAt: DECIDED_AT, decidedBy: "U0ONCALL" });
      expect(await context.store.getRun(run.id)).toMatchObject({
        status: "running",
        cursor: 2,
        updatedAt: DECIDED_AT,
        finishedAt: null,
        leaseOwner: OTHER_OWNER,
        leaseExpiresAt: DECIDED_AT + 60_000,
      });
      expect((await context.store.getSteps(run.id)).at(-1)).toEqual(stepRow);
      expect((await context.store.listEvents(run.id)).at(-1)).toMatchObject({ type: "approval.decided", actor: "U0ONCALL" });
    });

    it("approve of the last step: the run succeeds, finishedAt set", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 2);
      const outcome = await context.store.decideApproval(
        decision(pending.id, { step: decidedStep(run.id, 2, pending.proposal), runStatus: "succeeded", leaseOwner: null, leaseExpiresAt: null }),
      );
      expect(outcome.applied).toBe(true);
      expect(await context.store.getRun(run.id)).toMatchObject({ status: "succeeded", cursor: 3, finishedAt: DECIDED_AT, leaseOwner: null });
    });

    it("edit: keeps the edited output on the approval and as the step's output", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      const edited = { plan: ["resize volume only"], risk: "low", note: "naïve → ✓" };

      const outcome = await context.store.decideApproval(
        decision(pending.id, { status: "edited", editedOutput: edited, step: decidedStep(run.id, 1, edited), comment: "smaller change" }),
      );

      expect(outcome.applied).toBe(true);
      expect(outcome.approval).toMatchObject({ status: "edited", editedOutput: edited, comment: "smaller change", proposal: pending.proposal });
      expect(outcome.approval).toEqual(await context.store.getApproval(pending.id));
      expect((await context.store.getSteps(run.id)).at(-1)?.output).toEqual(edited);
      expect((await context.store.getRun(run.id))?.cursor).toBe(2);
    });

    it("request changes: no step, the cursor stays, the run goes on under the new lease", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      const stepsBefore = await context.store.getSteps(run.id);

      const outcome = await context.store.decideApproval(decision(pending.id, { status: "changes_requested", comment: "use the runbook" }));

      expect(outcome).toMatchObject({ applied: true, approval: { status: "changes_requested", comment: "use the runbook", editedOutput: null } });
      expect(await context.store.getRun(run.id)).toMatchObject({ status: "running", cursor: 1, leaseOwner: OTHER_OWNER, finishedAt: null });
      expect(await context.store.getSteps(run.id)).toEqual(stepsBefore);
    });

    it("reject: the run ends rejected, finishedAt set, no lease", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);

      const outcome = await context.store.decideApproval(
        decision(pending.id, { status: "rejected", comment: "not during the sale", runStatus: "rejected", leaseOwner: null, leaseExpiresAt: null }),
      );

      expect(outcome).toMatchObject({ applied: true, approval: { status: "rejected", comment: "not during the sale" } });
      expect(await context.store.getRun(run.id)).toMatchObject({
        status: "rejected",
        cursor: 1,
        finishedAt: DECIDED_AT,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect(await context.store.listRunsInFlight()).toEqual([]);
    });

    it("a second decision does not apply and returns the first, changing nothing", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      await context.store.decideApproval(decision(pending.id, { step: decidedStep(run.id, 1, pending.proposal) }));
      const before = await snapshotOf(context.store, run.id);

      const second = await context.store.decideApproval(
        decision(pending.id, { status: "rejected", decidedBy: "U0OTHER", runStatus: "rejected", events: [event(run.id, "approval.decided")] }),
      );

      expect(second).toEqual({ applied: false, approval: { ...pending, status: "approved", decidedAt: DECIDED_AT, decidedBy: "U0ONCALL" } });
      expect(await snapshotOf(context.store, run.id)).toEqual(before);
    });

    it("throws APPROVAL_NOT_FOUND for an approval that does not exist", async () => {
      const error: unknown = await context.store.decideApproval(decision("a_missing")).catch((caught: unknown) => caught);
      expect(isBatonError(error, "APPROVAL_NOT_FOUND")).toBe(true);
      expect(String(error)).toContain("a_missing");
    });

    it("two store objects deciding the same approval at once: exactly one applies", async () => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);
      const other = context.underTest.connectAgain();

      const [first, second] = await Promise.all([
        context.store.decideApproval(
          decision(pending.id, {
            step: decidedStep(run.id, 1, pending.proposal),
            decidedBy: "U1",
            events: [event(run.id, "approval.decided", { actor: "U1" })],
          }),
        ),
        other.decideApproval(
          decision(pending.id, {
            status: "rejected",
            decidedBy: "U2",
            runStatus: "rejected",
            leaseOwner: null,
            leaseExpiresAt: null,
            events: [event(run.id, "approval.decided", { actor: "U2" })],
          }),
        ),
      ]);

      expect([first.applied, second.applied].filter(Boolean)).toHaveLength(1);
      const winner = first.applied ? first : second;
      const loser = first.applied ? second : first;
      expect(loser.approval).toEqual(winner.approval);
      const decidedEvents = (await context.store.listEvents(run.id)).filter((item) => item.type === "approval.decided");
      expect(decidedEvents).toHaveLength(1);
      expect((await other.getRun(run.id))?.status).toBe(winner.approval.status === "approved" ? "running" : "rejected");
    });
  });

  describe("finishRun", () => {
    it("ends a running run held by the owner, with the error kept", async () => {
      const run = await runAtCursor(context.store, 1);
      const failure = { code: "STEP_FAILED", message: "model kept answering prose", stepId: "step-1", details: { attempts: 3, raw: "Sure! Here…" } };

      const finished = await context.store.finishRun({
        runId: run.id,
        fromStatuses: ["running"],
        owner: OWNER,
        status: "failed",
        error: failure,
        at: START + 7000,
        events: [event(run.id, "run.finished", { data: { status: "failed" } })],
      });

      expect(finished).toBe(true);
      expect(await context.store.getRun(run.id)).toMatchObject({
        status: "failed",
        error: failure,
        finishedAt: START + 7000,
        updatedAt: START + 7000,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect((await context.store.listEvents(run.id)).at(-1)?.type).toBe("run.finished");
    });

    it.each([
      ["cancelled", "cancelled"],
      ["expired", "expired"],
    ] as const)("%s: the run's pending approval becomes %s", async (status, approvalStatus) => {
      const { run, approval: pending } = await runAwaitingApproval(context.store, 1);

      const finished = await context.store.finishRun({
        runId: run.id,
        fromStatuses: ["awaiting_approval"],
        owner: null,
        status,
        error: null,
        at: START + 8000,
        events: [],
      });

      expect(finished).toBe(true);
      expect((await context.store.getRun(run.id))?.status).toBe(status);
      expect(await context.store.getApproval(pending.id)).toMatchObject({ status: approvalStatus, decidedBy: null });
      const late = await context.store.decideApproval(decision(pending.id));
      expect(late.applied).toBe(false);
    });

    it("refuses and writes nothing when the status or the owner does not match, or the run is unknown", async () => {
      const run = await runAtCursor(context.store, 1);
      const before = await snapshotOf(context.store, run.id);
      const attempt = { runId: run.id, status: "cancelled" as const, error: null, at: START + 9000, events: [event(run.id, "run.finished")] };

      expect(await context.store.finishRun({ ...attempt, fromStatuses: ["awaiting_approval"], owner: null })).toBe(false);
      expect(await context.store.finishRun({ ...attempt, fromStatuses: ["running"], owner: OTHER_OWNER })).toBe(false);
      expect(await context.store.finishRun({ ...attempt, fromStatuses: [], owner: null })).toBe(false);
      expect(await context.store.finishRun({ ...attempt, runId: "r_missing", fromStatuses: ["running"], owner: null, events: [] })).toBe(false);
      expect(await snapshotOf(context.store, run.id)).toEqual(before);

      expect(await context.store.finishRun({ ...attempt, fromStatuses: ["running"], owner: null })).toBe(true);
      expect(await context.store.finishRun({ ...attempt, fromStatuses: ["running"], owner: null })).toBe(false);
    });
  });
}
