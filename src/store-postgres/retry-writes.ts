import type { PoolClient } from "pg";
import type { NewRerun, RetrySchedule, RunReopen } from "../core/ports.js";
import { STATEMENTS } from "./postgres-statements.js";
import { insertEvents } from "./record-values.js";
import { writeNewRun } from "./run-writes.js";
import { queryCount } from "./transactions.js";

/**
 * Writes for runs that recover, each the body of one transaction: a waiting run's next try,
 * reopening a finished run, and re-runs with their lineage (as sqlite-run-retries.ts does). The
 * retry row goes by itself when the step is written or the run's status changes (migration 2's
 * triggers).
 */

export async function writeRetrySchedule(client: PoolClient, schedule: RetrySchedule): Promise<boolean> {
  const { guard, retry } = schedule;
  const released = await queryCount(client, STATEMENTS.releaseForRetry, [guard.runId, guard.owner, guard.cursor, schedule.at]);
  if (released === 0) return false;
  await queryCount(client, STATEMENTS.upsertRetry, [
    guard.runId,
    retry.stepId,
    retry.stepIndex,
    retry.attempt,
    retry.nextAttemptAt,
    retry.waitingSince,
    retry.waitingFor,
    retry.code,
    retry.message,
  ]);
  await insertEvents(client, schedule.events);
  return true;
}

/** Back to `running` at the cursor its step rows give (every step before the cursor has one). */
export async function writeRunReopen(client: PoolClient, reopen: RunReopen): Promise<boolean> {
  const reopened = await queryCount(client, STATEMENTS.reopenRun, [reopen.runId, reopen.fromStatuses, reopen.owner, reopen.leaseExpiresAt, reopen.at]);
  if (reopened === 0) return false;
  await insertEvents(client, reopen.events);
  return true;
}

export async function writeRerun(client: PoolClient, rerun: NewRerun): Promise<void> {
  const { run } = rerun;
  await writeNewRun(client, run, rerun.fromStepIndex, []);
  await queryCount(client, STATEMENTS.copySteps, [run.id, rerun.parentRunId, rerun.fromStepIndex]);
  await queryCount(client, STATEMENTS.insertLineage, [run.id, rerun.parentRunId, rerun.fromStepId, run.at]);
  await insertEvents(client, rerun.events);
}
