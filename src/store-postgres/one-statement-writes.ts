import type { Pool } from "pg";
import type { AuditEventInput, NewRun, StepCommit } from "../core/ports.js";
import { jsonText, nullableJsonText, stepValues } from "./record-values.js";
import { queryCount, statement, type QueryValue } from "./transactions.js";

/**
 * The two writes every run makes on its way (creating it, and committing each step) as one
 * statement each, sent on the pool outside a transaction block: PostgreSQL runs a single
 * statement as its own transaction, all of it or none. A step then costs one round trip and
 * one commit instead of BEGIN, three statements and COMMIT (five round trips). The statements
 * of a WITH query share one snapshot; the events are numbered from the run row's
 * `event_count`, which the same statement increments, so its row lock orders them as
 * `appendEvents` does.
 *
 * Only for events of the run being written: a list naming another run goes the long way
 * (run-writes.ts), which reports an unknown run.
 */

const STEP_COLUMNS =
  "run_id, step_index, step_id, skipped, started_at, finished_at, executions, model_calls, input_tokens, cached_input_tokens, output_tokens, cost_usd, output";

/** Events $e..$e+4 (at, type, step_id, actor, data) numbered after `base`, for the run the CTE `run` returns. */
const insertEventsFrom = (first: number) =>
  `INSERT INTO events (run_id, sequence, at, type, step_id, actor, data)
   SELECT run.id, (run.base + e.position)::bigint, e.at, e.type, e.step_id, e.actor, e.data
   FROM run, unnest($${first}::bigint[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::json[])
     WITH ORDINALITY AS e(at, type, step_id, actor, data, position)`;

/**
 * The step's CTEs after the run's UPDATE (the CTE `run`): its row, upserted as `upsertStep`
 * does, and its events. $6..$17 are the step's columns (from its index on), $18..$22 the
 * events. Both read the run's row, so the UPDATE (and its row lock) comes first, and nothing is
 * written when it found no row (the guard did not hold). The statement returns the run's row.
 */
const STEP_AND_EVENTS = `
   step AS (
     INSERT INTO steps (${STEP_COLUMNS})
     SELECT run.id, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::json FROM run
     ON CONFLICT (run_id, step_index) DO UPDATE SET step_id = EXCLUDED.step_id, skipped = EXCLUDED.skipped,
       started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, executions = EXCLUDED.executions,
       model_calls = EXCLUDED.model_calls, input_tokens = EXCLUDED.input_tokens, cached_input_tokens = EXCLUDED.cached_input_tokens,
       output_tokens = EXCLUDED.output_tokens, cost_usd = EXCLUDED.cost_usd, output = EXCLUDED.output
   ),
   appended AS (${insertEventsFrom(18)})
   SELECT id FROM run`;

/** The guard of every guarded write ($1 run, $2 owner, $3 cursor), as postgres-statements.ts has it. */
const RUN_GUARD = "id = $1 AND status = 'running' AND lease_owner = $2 AND cursor = $3";
const EVENT_COUNT = "event_count = event_count + cardinality($18::bigint[])";
const RETURNING_BASE = "RETURNING id, event_count - cardinality($18::bigint[]) AS base";

// $5 is when the run finished: null for every step but the last. After the last one the run
// has succeeded and lets go of its lease, as `completeRun` does; before it, only the cursor moves.
const COMMIT_STEP = statement(
  "baton_commit_step",
  `WITH run AS (
     UPDATE runs SET cursor = greatest(cursor, $4 + 1), ${EVENT_COUNT},
       status = CASE WHEN $5::bigint IS NULL THEN status ELSE 'succeeded' END,
       updated_at = coalesce($5, updated_at), finished_at = coalesce($5, finished_at),
       lease_owner = CASE WHEN $5 IS NULL THEN lease_owner END, lease_expires_at = CASE WHEN $5 IS NULL THEN lease_expires_at END
     WHERE ${RUN_GUARD} ${RETURNING_BASE}
   ),${STEP_AND_EVENTS}`,
);

const CREATE_RUN = statement(
  "baton_create_run",
  `WITH run AS (
     INSERT INTO runs (id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, lease_owner, lease_expires_at, origin, input, event_count)
     VALUES ($1, $2, 'running', $3, $4, $5, $6, $6, $7, $8, $9::json, $10::json, cardinality($11::bigint[]))
     RETURNING id, 0 AS base
   )
   ${insertEventsFrom(11)}`,
);

/** Whether every event is the run's: then the one-statement writes apply. */
export function eventsOfRunOnly(runId: string, events: ReadonlyArray<AuditEventInput>): boolean {
  return events.every((event) => event.runId === runId);
}

function eventArrays(events: ReadonlyArray<AuditEventInput>): QueryValue[] {
  return [
    events.map((event) => event.at),
    events.map((event) => event.type),
    events.map((event) => event.stepId),
    events.map((event) => event.actor),
    events.map((event) => jsonText(event.data)),
  ];
}

/** `commitStep` in one statement; false when the guard did not hold (then nothing was written). */
export async function commitStepInOneStatement(pool: Pool, commit: StepCommit): Promise<boolean> {
  const { guard, step } = commit;
  // stepValues starts with the run id; the statement takes it from the guarded row instead.
  const [, ...stepColumns] = stepValues(step);
  const finishedAt = commit.nextStatus === "succeeded" ? commit.at : null;
  const moved = await queryCount(pool, COMMIT_STEP, [
    guard.runId,
    guard.owner,
    guard.cursor,
    step.stepIndex,
    finishedAt,
    ...stepColumns,
    ...eventArrays(commit.events),
  ]);
  return moved > 0;
}

/** `createRun` in one statement: the run row at `cursor 0` and its first events. */
export async function createRunInOneStatement(pool: Pool, run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
  await queryCount(pool, CREATE_RUN, [
    run.id,
    run.chainId,
    0,
    run.stepCount,
    run.startedBy,
    run.at,
    run.leaseOwner,
    run.leaseExpiresAt,
    nullableJsonText(run.origin),
    jsonText(run.input),
    ...eventArrays(events),
  ]);
}
