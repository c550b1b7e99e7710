import { mayDecide, type Actor } from "./approval-rules.js";
import { buildDecision, type DecisionRequest } from "./decision.js";
import { BatonError } from "./errors.js";
import type { ApprovalRecord, ChainStore, RunRecord, RunStatus } from "./ports.js";
import { cancelRun } from "./run-endings.js";
import type { ExecutionEnvironment } from "./runner-types.js";

/**
 * What people do to runs from outside the executor: decide an approval and cancel a run. Kept
 * apart from the Runner so it holds only scheduling; each action gets the Runner's hooks
 * (schedule a run, abort an in-flight execution) instead of reaching into its state.
 */

export type DecisionResult =
  | { applied: true; approval: ApprovalRecord; runStatus: RunStatus }
  /** Someone else decided first; `approval` shows who and what. */
  | { applied: false; approval: ApprovalRecord };

type Environment = Pick<ExecutionEnvironment, "store" | "chains" | "clock" | "owner" | "leaseMs" | "logger" | "events">;

/** The run, or RUN_NOT_FOUND saying how to list the runs there are. */
export async function requireRun(store: ChainStore, runId: string): Promise<RunRecord> {
  const run = await store.getRun(runId);
  if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List runs with \`baton runs\`.`, { runId });
  return run;
}

/** Apply a human decision to a pending approval, exactly once (compare-and-set); `schedule` continues the run. */
export async function decideApproval(
  environment: Environment,
  approvalId: string,
  request: DecisionRequest,
  actor: Actor,
  schedule: (run: RunRecord) => void,
): Promise<DecisionResult> {
  const { store, chains, clock, owner, leaseMs, events } = environment;
  const approval = await store.getApproval(approvalId);
  if (!approval) {
    throw new BatonError(
      "APPROVAL_NOT_FOUND",
      `There is no approval "${approvalId}". List pending approvals with \`baton runs --status awaiting_approval\` or \`baton show <run-id>\`.`,
      {
        approvalId,
      },
    );
  }
  if (approval.status !== "pending") return { applied: false, approval };
  const permission = mayDecide(approval, actor);
  if (!permission.allowed) {
    await store.appendEvents([
      {
        runId: approval.runId,
        at: clock.now(),
        type: "approval.denied",
        stepId: approval.stepId,
        actor: actor.id,
        data: { approvalId, decision: request.kind, reason: permission.reason },
      },
    ]);
    throw new BatonError("APPROVAL_NOT_ALLOWED", `You may not decide this approval: ${permission.reason}.`, {
      approvalId,
      actor: actor.id,
      approvers: approval.approvers,
    });
  }
  const chain = chains.get(approval.chainId);
  const at = clock.now();
  const commit = buildDecision({ approval, chain, request, actor, at, owner, leaseExpiresAt: at + leaseMs });
  const outcome = await store.decideApproval(commit);
  if (!outcome.applied) return { applied: false, approval: outcome.approval };

  events.emit("approval.decided", { approval: outcome.approval });
  if (commit.runStatus === "running") {
    const run = await store.getRun(approval.runId);
    if (run) schedule(run);
  } else {
    events.emit("run.finished", { runId: approval.runId, chainId: approval.chainId, status: commit.runStatus, error: null });
  }
  return { applied: true, approval: outcome.approval, runStatus: commit.runStatus };
}

/** Stop a run that is running or waiting; `abort` stops its in-flight execution in this process. */
export async function cancelAndAbort(
  environment: Environment,
  runId: string,
  actor: string,
  reason: string,
  abort: (reason: BatonError) => void,
): Promise<void> {
  const run = await requireRun(environment.store, runId);
  const error = await cancelRun(environment, run, actor, reason, () => requireRun(environment.store, runId));
  abort(new BatonError("RUN_NOT_ACTIVE", `Run ${runId} was cancelled.`, { runId }));
  environment.events.emit("run.finished", { runId, chainId: run.chainId, status: "cancelled", error });
}
