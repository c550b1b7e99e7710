import { BatonError, describeError, isBatonError } from "./errors.js";
import type { EventBus } from "./event-bus.js";
import { FINISHED_RUN_STATUSES, type RunFailure, type RunRecord } from "./ports.js";
import type { ExecutionEnvironment, RunnerEvents } from "./runner-types.js";

/**
 * How a run ends other than by finishing its steps: cancelled by a person, expired at an
 * approval's deadline, or failed outside any step. Each is one guarded `finishRun` (a
 * compare-and-set on the run's status), so a run ends once however many processes try.
 */

type Environment = Pick<ExecutionEnvironment, "store" | "clock" | "owner" | "logger">;

/** Cancel `run`; returns the failure recorded. RUN_NOT_ACTIVE when it has ended (or ends first). */
export async function cancelRun(
  environment: Environment,
  run: RunRecord,
  actor: string,
  reason: string,
  reread: () => Promise<RunRecord>,
): Promise<RunFailure> {
  const { store, clock } = environment;
  if (FINISHED_RUN_STATUSES.includes(run.status)) {
    throw new BatonError("RUN_NOT_ACTIVE", `Run ${run.id} has already ended (${run.status}); there is nothing to cancel.`, {
      runId: run.id,
      status: run.status,
    });
  }
  const at = clock.now();
  const error = { code: "CANCELLED", message: `Cancelled by ${actor}${reason ? `: ${reason}` : ""}.` };
  const applied = await store.finishRun({
    runId: run.id,
    fromStatuses: ["running", "awaiting_approval"],
    owner: null,
    status: "cancelled",
    error,
    at,
    events: [{ runId: run.id, at, type: "run.finished", stepId: null, actor, data: { status: "cancelled", reason } }],
  });
  if (!applied) {
    const now = await reread();
    throw new BatonError("RUN_NOT_ACTIVE", `Run ${run.id} ended (${now.status}) before it could be cancelled.`, { runId: run.id, status: now.status });
  }
  return error;
}

/** Expire a pending approval and end its run `expired`; false when someone decided (or cancelled) first. */
export async function expireApproval(environment: Environment, events: EventBus<RunnerEvents>, approvalId: string): Promise<boolean> {
  const { store, clock } = environment;
  const approval = await store.getApproval(approvalId);
  if (approval?.status !== "pending") return false;
  const at = clock.now();
  const error = {
    code: "APPROVAL_EXPIRED",
    message: `Nobody decided on step "${approval.stepId}" before its deadline; the run ended without it.`,
    stepId: approval.stepId,
  };
  const applied = await store.finishRun({
    runId: approval.runId,
    fromStatuses: ["awaiting_approval"],
    owner: null,
    status: "expired",
    error,
    at,
    events: [
      {
        runId: approval.runId,
        at,
        type: "run.finished",
        stepId: approval.stepId,
        actor: null,
        data: { status: "expired", approvalId, deadlineAt: approval.deadlineAt },
      },
    ],
  });
  if (!applied) return false;
  const expired = await store.getApproval(approvalId);
  if (expired) events.emit("approval.decided", { approval: expired });
  events.emit("run.finished", { runId: approval.runId, chainId: approval.chainId, status: "expired", error });
  return true;
}

/** A run that failed outside any step (a bug, a store error): recorded when the store allows. */
export async function recordUnexpectedFailure(environment: Environment, events: EventBus<RunnerEvents>, run: RunRecord, error: unknown): Promise<void> {
  const { store, clock, owner, logger } = environment;
  logger.error({ runId: run.id, error: describeError(error) }, "run failed outside any step");
  const at = clock.now();
  const failure = { code: isBatonError(error) ? error.code : "STEP_FAILED", message: describeError(error) };
  try {
    const finished = await store.finishRun({
      runId: run.id,
      fromStatuses: ["running"],
      owner,
      status: "failed",
      error: failure,
      at,
      events: [{ runId: run.id, at, type: "run.finished", stepId: null, actor: null, data: { status: "failed", code: failure.code } }],
    });
    if (finished) events.emit("run.finished", { runId: run.id, chainId: run.chainId, status: "failed", error: failure });
  } catch (storeError) {
    logger.error({ runId: run.id, error: describeError(storeError) }, "could not record the failure; the run will be recovered when its lease expires");
  }
}
