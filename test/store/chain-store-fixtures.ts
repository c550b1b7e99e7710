import type { ApprovalRecord, AuditEventInput, AuditEventType, ChainStore, NewRun, RunGuard, StepCommit, StepRecord } from "../../src/core/ports.js";

/**
 * Builders for the ChainStore contract: records with every field set to something that can be
 * told apart after a round trip, and small helpers for the usual sequences.
 */

/** One ChainStore implementation under test, on fresh storage. */
export interface StoreUnderTest {
  store: ChainStore;
  /** Another store object on the same storage, as a second process would have. */
  connectAgain(): ChainStore;
  /** Close every store object and delete the storage. */
  dispose(): void;
}

export const OWNER = "host-a:4242:1a2b";
export const OTHER_OWNER = "host-b:777:9f9f";
export const START = 1_760_000_000_000;

let sequence = 0;
/** Time-ordered ids, as the runtime's generator makes them. */
export function nextId(prefix: string): string {
  sequence += 1;
  return `${prefix}_${(START + sequence).toString(36)}${sequence.toString(36).padStart(4, "0")}`;
}

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: nextId("r"),
    chainId: "incident-response",
    stepCount: 3,
    input: { alert: "DiskFull", host: "db-1", labels: { severity: "page" } },
    startedBy: "U024BE7LH",
    origin: { source: "webhook:alertmanager", reference: { receiver: "ops", groupKey: '{}:{alertname="DiskFull"}' } },
    at: START,
    leaseOwner: OWNER,
    leaseExpiresAt: START + 60_000,
    ...overrides,
  };
}

export function event(runId: string, type: AuditEventType, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return { runId, at: START + 1, type, stepId: null, actor: "system", data: { note: type }, ...overrides };
}

export function step(runId: string, stepIndex: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    runId,
    stepIndex,
    stepId: `step-${String(stepIndex)}`,
    status: "succeeded",
    output: { index: stepIndex, summary: `output of step ${String(stepIndex)}`, items: ["a", "b"] },
    startedAt: START + 100 * stepIndex,
    finishedAt: START + 100 * stepIndex + 42,
    executions: 1,
    usage: { modelCalls: 1, inputTokens: 800 + stepIndex, cachedInputTokens: 512 + stepIndex, outputTokens: 200 + stepIndex, costUsd: 0.000123 },
    ...overrides,
  };
}

export function guardOf(runId: string, cursor: number, owner = OWNER): RunGuard {
  return { runId, owner, cursor };
}

export function stepCommit(runId: string, cursor: number, overrides: Partial<StepCommit> = {}): StepCommit {
  return {
    guard: guardOf(runId, cursor),
    step: step(runId, cursor),
    nextStatus: "running",
    at: START + 1000 + cursor,
    events: [
      event(runId, "model.call", { stepId: `step-${String(cursor)}`, data: { model: "gpt-4o-mini", inputTokens: 800 } }),
      event(runId, "step.finished", { stepId: `step-${String(cursor)}` }),
    ],
    ...overrides,
  };
}

export function approval(runId: string, stepIndex: number, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: nextId("a"),
    runId,
    chainId: "incident-response",
    stepId: `step-${String(stepIndex)}`,
    stepIndex,
    round: 1,
    status: "pending",
    proposal: { plan: ["drain node", "resize volume"], risk: "medium" },
    approvers: ["U0ONCALL", "S0SRE"],
    allowSelfApproval: false,
    requestedBy: "system",
    requestedAt: START + 2000,
    deadlineAt: START + 86_400_000,
    stepStartedAt: START + 1900,
    stepUsage: { modelCalls: 2, inputTokens: 1500, cachedInputTokens: 1024, outputTokens: 400, costUsd: 0.0009 },
    stepExecutions: 1,
    decidedAt: null,
    decidedBy: null,
    editedOutput: null,
    comment: null,
    ...overrides,
  };
}

/** A run at cursor `cursor` (steps 0..cursor-1 committed), still running and leased to OWNER. */
export async function runAtCursor(store: ChainStore, cursor: number, overrides: Partial<NewRun> = {}): Promise<NewRun> {
  const run = newRun(overrides);
  await store.createRun(run, [event(run.id, "run.started")]);
  for (let index = 0; index < cursor; index++) {
    if (!(await store.commitStep(stepCommit(run.id, index)))) throw new Error(`setup: commit of step ${String(index)} failed`);
  }
  return run;
}

/** A run paused at step `cursor` with a pending approval. */
export async function runAwaitingApproval(store: ChainStore, cursor = 1): Promise<{ run: NewRun; approval: ApprovalRecord }> {
  const run = await runAtCursor(store, cursor);
  const pending = approval(run.id, cursor);
  const opened = await store.openApproval({
    guard: guardOf(run.id, cursor),
    approval: pending,
    at: START + 2000,
    events: [event(run.id, "approval.requested", { stepId: pending.stepId, data: { approvalId: pending.id } })],
  });
  if (!opened) throw new Error("setup: openApproval failed");
  return { run, approval: pending };
}

/** Everything the store holds about a run, to check that a refused write changed nothing. */
export async function snapshotOf(store: ChainStore, runId: string): Promise<unknown> {
  return {
    run: await store.getRun(runId),
    steps: await store.getSteps(runId),
    approvals: await store.listApprovals({ runId, limit: 100 }),
    events: await store.listEvents(runId),
  };
}
