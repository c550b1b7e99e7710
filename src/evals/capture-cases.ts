import type { ApprovalRecord, AuditEvent, ChainStore, RunRecord, StepRecord } from "../core/ports.js";
import { BatonError } from "../core/errors.js";
import type { EvalCase, ReferenceKind } from "./eval-case.js";
import { redactValue } from "./redact.js";

/** Which runs to capture: named ones, or a chain's runs since a time. */
export type CaptureSelection = { runIds: ReadonlyArray<string> } | { chainId: string; since: number };

const DECIDED_KIND: Partial<Record<ApprovalRecord["status"], ReferenceKind>> = {
  approved: "approved",
  edited: "edited",
  changes_requested: "changes_requested",
  rejected: "rejected",
};

async function selectRuns(store: ChainStore, selection: CaptureSelection): Promise<RunRecord[]> {
  if ("runIds" in selection) {
    const runs: RunRecord[] = [];
    for (const runId of selection.runIds) {
      const run = await store.getRun(runId);
      if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List runs with \`baton runs\`.`, { runId });
      runs.push(run);
    }
    return runs;
  }
  const runs = await store.listRuns({ chainId: selection.chainId, limit: 100_000 });
  return runs.filter((run) => run.createdAt >= selection.since).reverse();
}

/**
 * Eval cases from real runs: one per model step (LLM or map) that got an answer a human judged
 * (approved as is, edited, sent back, rejected) or that the run used without a gate. A step
 * still waiting, expired or cancelled has no human answer yet and gives no case.
 */
export async function captureCases(store: ChainStore, selection: CaptureSelection, now: number): Promise<EvalCase[]> {
  const cases: EvalCase[] = [];
  for (const run of await selectRuns(store, selection)) {
    const [steps, approvals, events] = await Promise.all([
      store.getSteps(run.id),
      store.listApprovals({ runId: run.id, limit: 1_000 }),
      store.listEvents(run.id),
    ]);
    const modelStepIds = [...new Set(events.filter((event) => event.type === "model.call" && event.stepId !== null).map((event) => event.stepId as string))];
    for (const stepId of modelStepIds) {
      const captured = caseOf(run, stepId, steps, approvals, events, now);
      if (captured) cases.push(captured);
    }
  }
  return cases;
}

function caseOf(
  run: RunRecord,
  stepId: string,
  steps: ReadonlyArray<StepRecord>,
  approvals: ReadonlyArray<ApprovalRecord>,
  events: ReadonlyArray<AuditEvent>,
  now: number,
): EvalCase | undefined {
  const record = steps.find((step) => step.stepId === stepId);
  const rounds = approvals.filter((approval) => approval.stepId === stepId).sort((left, right) => left.round - right.round);
  const first = rounds[0];
  const stepIndex = record?.stepIndex ?? first?.stepIndex;
  if (stepIndex === undefined) return undefined; // the step failed: nothing was proposed
  let kind: ReferenceKind;
  if (first) {
    const decided = DECIDED_KIND[first.status];
    if (decided === undefined) return undefined;
    kind = decided;
  } else {
    if (record?.status !== "succeeded") return undefined;
    kind = "unreviewed";
  }
  const outputs: Record<string, unknown> = {};
  for (const step of steps) if (step.stepIndex < stepIndex && step.status === "succeeded") outputs[step.stepId] = step.output;
  const call = events.find((event) => event.type === "model.call" && event.stepId === stepId && event.data["outcome"] === "valid");
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  const feedback = rounds
    .filter((approval) => (approval.status === "changes_requested" || approval.status === "rejected") && approval.comment !== null)
    .map((approval) => approval.comment as string);
  return {
    format: 1,
    id: `${run.id}-${stepId}`,
    chainId: run.chainId,
    stepId,
    capturedFrom: {
      runId: run.id,
      capturedAt: new Date(now).toISOString(),
      model: text(call?.data["model"]),
      promptVersion: text(call?.data["promptVersion"]),
    },
    context: { input: redactValue(run.input), outputs: redactValue(outputs) as Record<string, unknown> },
    proposal: redactValue(first ? first.proposal : record?.output),
    reference: {
      kind,
      // The step row holds what the run went on with: the proposal approved, the edit, or a later round's answer.
      output: record && record.status === "succeeded" && kind !== "rejected" ? redactValue(record.output) : null,
      feedback: feedback.map((item) => redactValue(item) as string),
    },
  };
}
