import type { PoolClient } from "pg";
import type { ApprovalOpen, AuditEventInput, NewRun, RunClaim, RunFinish, StepCommit } from "../core/ports.js";
import { STATEMENTS } from "./postgres-statements.js";
import { approvalValues, insertEvents, jsonText, nullableJsonText, stepValues } from "./record-values.js";
import { queryCount } from "./transactions.js";

/**
 * The run's writes, each the body of one transaction (postgres-chain-store.ts opens it). A
 * guarded write starts with the UPDATE of the run's row that checks the guard: the row lock it
 * takes holds until commit, so a second writer with the same guard waits, then finds the row
 * changed and does nothing. READ COMMITTED re-checks the WHERE clause on the newest row version.
 */

export async function writeNewRun(client: PoolClient, run: NewRun, cursor: number, events: ReadonlyArray<AuditEventInput>): Promise<void> {
  await queryCount(client, STATEMENTS.insertRun, [
    run.id,
    run.chainId,
    cursor,
    run.stepCount,
    run.startedBy,
    run.at,
    run.leaseOwner,
    run.leaseExpiresAt,
    nullableJsonText(run.origin),
    jsonText(run.input),
  ]);
  await insertEvents(client, events);
}

export async function writeStepCommit(client: PoolClient, commit: StepCommit): Promise<boolean> {
  const { guard, step } = commit;
  const moved =
    commit.nextStatus === "succeeded"
      ? await queryCount(client, STATEMENTS.completeRun, [guard.runId, guard.owner, guard.cursor, step.stepIndex, commit.at])
      : await queryCount(client, STATEMENTS.advanceRun, [guard.runId, guard.owner, guard.cursor, step.stepIndex]);
  if (moved === 0) return false;
  await queryCount(client, STATEMENTS.upsertStep, stepValues(step));
  await insertEvents(client, commit.events);
  return true;
}

export async function writeApprovalOpen(client: PoolClient, open: ApprovalOpen): Promise<boolean> {
  const { guard } = open;
  const paused = await queryCount(client, STATEMENTS.pauseRun, [guard.runId, guard.owner, guard.cursor, open.at]);
  if (paused === 0) return false;
  await queryCount(client, STATEMENTS.insertApproval, approvalValues({ ...open.approval, runId: guard.runId }));
  await insertEvents(client, open.events);
  return true;
}

/** Ends the run, and closes its pending approvals: `expired` for an expiry, `cancelled` otherwise. */
export async function writeRunFinish(client: PoolClient, finish: RunFinish): Promise<boolean> {
  const finished = await queryCount(client, STATEMENTS.finishRun, [
    finish.runId,
    finish.status,
    nullableJsonText(finish.error),
    finish.at,
    finish.fromStatuses,
    finish.owner,
  ]);
  if (finished === 0) return false;
  const approvalStatus = finish.status === "expired" ? "expired" : "cancelled";
  await queryCount(client, STATEMENTS.closePendingApprovals, [finish.runId, approvalStatus, finish.at]);
  await insertEvents(client, finish.events);
  return true;
}

export async function writeRunClaim(client: PoolClient, claim: RunClaim): Promise<boolean> {
  const claimed = await queryCount(client, STATEMENTS.claimRun, [claim.runId, claim.expectedOwner, claim.owner, claim.leaseExpiresAt, claim.at]);
  if (claimed === 0) return false;
  await insertEvents(client, claim.events);
  return true;
}
