import type { Actor } from "./approval-rules.js";
import type { ChainDefinition, Step } from "./chain.js";
import { BatonError } from "./errors.js";
import { diffJson } from "./json-diff.js";
import type { ApprovalRecord, AuditEventInput, DecisionCommit, StepRecord } from "./ports.js";
import { listIssues, parseWith } from "./validation.js";

/** What a person decided. */
export type DecisionRequest =
  | { kind: "approve" }
  /** `output` is the whole edited output; it is validated with the step's schema. */
  | { kind: "edit"; output: unknown }
  | { kind: "request_changes"; feedback: string }
  | { kind: "reject"; reason: string };

interface DecisionInput {
  approval: ApprovalRecord;
  chain: ChainDefinition;
  request: DecisionRequest;
  actor: Actor;
  at: number;
  owner: string;
  leaseExpiresAt: number;
}

function stepOf(chain: ChainDefinition, approval: ApprovalRecord): Step {
  const step = chain.steps[approval.stepIndex];
  if (!step || step.id !== approval.stepId) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Chain "${chain.id}" no longer has step "${approval.stepId}" at position ${approval.stepIndex + 1}; it changed while run ${approval.runId} was waiting. Restore the chain's steps or reject this approval.`,
      { chainId: chain.id, stepId: approval.stepId, runId: approval.runId },
    );
  }
  return step;
}

function requireText(text: string, what: string, approvalId: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw new BatonError("DECISION_INVALID", `A ${what} needs text saying why. Write it and decide again.`, { approvalId });
  return trimmed;
}

/**
 * Turn a decision into the store write that applies it: the approval's new status, the step row
 * for approve and edit, and the run's next status. An invalid edit throws before anything is
 * written, listing zod's paths.
 */
export function buildDecision(input: DecisionInput): DecisionCommit {
  const { approval, chain, request, actor, at, owner, leaseExpiresAt } = input;
  const step = stepOf(chain, approval);
  const isLast = approval.stepIndex === chain.steps.length - 1;
  const base = { runId: approval.runId, at, stepId: approval.stepId, actor: actor.id };
  const decided = (data: Record<string, unknown>): AuditEventInput => ({
    ...base,
    type: "approval.decided",
    data: { approvalId: approval.id, round: approval.round, ...data },
  });
  const runFinished = (status: string): AuditEventInput => ({ ...base, stepId: null, type: "run.finished", data: { status } });
  const stepRow = (output: unknown): StepRecord => ({
    runId: approval.runId,
    stepIndex: approval.stepIndex,
    stepId: approval.stepId,
    status: "succeeded",
    output,
    startedAt: approval.stepStartedAt,
    finishedAt: at,
    executions: approval.stepExecutions,
    usage: approval.stepUsage,
  });
  const continuing = { leaseOwner: isLast ? null : owner, leaseExpiresAt: isLast ? null : leaseExpiresAt };
  const proceed = (status: "approved" | "edited", output: unknown, data: Record<string, unknown>): DecisionCommit => ({
    approvalId: approval.id,
    status,
    decidedBy: actor.id,
    at,
    editedOutput: status === "edited" ? output : null,
    comment: null,
    step: stepRow(output),
    runStatus: isLast ? "succeeded" : "running",
    ...continuing,
    events: [
      decided({ decision: status, ...data }),
      { ...base, type: "step.finished", data: { startedAt: approval.stepStartedAt, round: approval.round } },
      ...(isLast ? [runFinished("succeeded")] : []),
    ],
  });

  switch (request.kind) {
    case "approve":
      return proceed("approved", approval.proposal, {});
    case "edit": {
      const schema = step.output;
      const parsed = schema ? parseWith(schema, request.output) : { ok: true as const, value: request.output };
      if (!parsed.ok) {
        throw new BatonError(
          "EDIT_INVALID",
          `The edited output of step "${approval.stepId}" does not fit its schema:\n${listIssues(parsed.issues)}\nCorrect these fields and submit the edit again; nothing was changed.`,
          {
            approvalId: approval.id,
            issues: parsed.issues,
          },
        );
      }
      return proceed("edited", parsed.value, { changes: diffJson(approval.proposal, parsed.value) });
    }
    case "request_changes": {
      const feedback = requireText(request.feedback, "change request", approval.id);
      return {
        approvalId: approval.id,
        status: "changes_requested",
        decidedBy: actor.id,
        at,
        editedOutput: null,
        comment: feedback,
        step: null,
        runStatus: "running",
        leaseOwner: owner,
        leaseExpiresAt,
        events: [decided({ decision: "changes_requested", feedback })],
      };
    }
    case "reject": {
      const reason = requireText(request.reason, "rejection", approval.id);
      return {
        approvalId: approval.id,
        status: "rejected",
        decidedBy: actor.id,
        at,
        editedOutput: null,
        comment: reason,
        step: null,
        runStatus: "rejected",
        leaseOwner: null,
        leaseExpiresAt: null,
        events: [decided({ decision: "rejected", reason }), runFinished("rejected")],
      };
    }
  }
}
