import { APPROVAL_COLUMNS, EFFECT_COLUMNS, EVENT_COLUMNS, LINEAGE_COLUMNS, RETRY_COLUMNS, RUN_COLUMNS, STEP_COLUMNS } from "./row-codecs.js";
import { statement } from "./transactions.js";

/**
 * Every statement the PostgreSQL store runs, named so each connection prepares it once. JSON
 * parameters arrive as JSON text and are cast to `json`; optional filters are written
 * `($n::type IS NULL OR column = $n)` so one statement serves every combination.
 */

/** The claim every guarded write checks: running, at the cursor, leased to the owner ($1 run, $2 owner, $3 cursor). */
const RUN_GUARD = "id = $1 AND status = 'running' AND lease_owner = $2 AND cursor = $3";

const STEP_INSERT_COLUMNS =
  "run_id, step_index, step_id, skipped, started_at, finished_at, executions, model_calls, input_tokens, cached_input_tokens, output_tokens, cost_usd, output";

export const STATEMENTS = {
  // ─── runs ───
  insertRun: statement(
    "baton_insert_run",
    `INSERT INTO runs (id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, lease_owner, lease_expires_at, origin, input)
     VALUES ($1, $2, 'running', $3, $4, $5, $6, $6, $7, $8, $9::json, $10::json)`,
  ),
  selectRun: statement("baton_select_run", `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = $1`),
  listRuns: statement(
    "baton_list_runs",
    `SELECT ${RUN_COLUMNS} FROM runs r
     WHERE ($1::text[] IS NULL OR r.status = ANY($1::text[]))
       AND ($2::text IS NULL OR r.chain_id = $2)
       AND ($3::text IS NULL OR r.started_by = $3)
     ORDER BY r.created_sequence DESC
     LIMIT $4`,
  ),
  listRunsInFlight: statement(
    "baton_list_runs_in_flight",
    `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.status = 'running' ORDER BY r.created_at, r.created_sequence`,
  ),
  // A step commit moves the cursor, not updated_at (which tracks status and lease changes).
  advanceRun: statement("baton_advance_run", `UPDATE runs SET cursor = greatest(cursor, $4 + 1) WHERE ${RUN_GUARD} RETURNING id`),
  completeRun: statement(
    "baton_complete_run",
    `UPDATE runs SET cursor = greatest(cursor, $4 + 1), status = 'succeeded', updated_at = $5, finished_at = $5,
       lease_owner = NULL, lease_expires_at = NULL
     WHERE ${RUN_GUARD} RETURNING id`,
  ),
  pauseRun: statement(
    "baton_pause_run",
    `UPDATE runs SET status = 'awaiting_approval', updated_at = $4, lease_owner = NULL, lease_expires_at = NULL WHERE ${RUN_GUARD} RETURNING id`,
  ),
  releaseForRetry: statement(
    "baton_release_for_retry",
    `UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = $4 WHERE ${RUN_GUARD} RETURNING id`,
  ),
  /** Takes the run's row lock first: every write path does, so they queue instead of deadlocking. */
  lockRun: statement("baton_lock_run", "SELECT status FROM runs WHERE id = $1 FOR UPDATE"),
  resumeRun: statement(
    "baton_resume_run",
    `UPDATE runs SET status = $2, cursor = $3, updated_at = $4, finished_at = $5, lease_owner = $6, lease_expires_at = $7
     WHERE id = $1 AND status = 'awaiting_approval' RETURNING id`,
  ),
  finishRun: statement(
    "baton_finish_run",
    `UPDATE runs SET status = $2, error = $3::json, updated_at = $4, finished_at = $4, lease_owner = NULL, lease_expires_at = NULL
     WHERE id = $1 AND status = ANY($5::text[]) AND ($6::text IS NULL OR lease_owner = $6) RETURNING id`,
  ),
  // SKIP LOCKED: a run another replica is writing right now (claiming it too, or committing its
  // step) is alive; the claim gives up at once instead of queueing behind it to find it changed.
  claimRun: statement(
    "baton_claim_run",
    `UPDATE runs SET lease_owner = $3, lease_expires_at = $4, updated_at = $5
     WHERE id = (SELECT id FROM runs WHERE id = $1 AND status = 'running' AND lease_owner IS NOT DISTINCT FROM $2::text FOR UPDATE SKIP LOCKED)
     RETURNING id`,
  ),
  renewLeases: statement("baton_renew_leases", "UPDATE runs SET lease_expires_at = $2 WHERE status = 'running' AND lease_owner = $1"),
  reopenRun: statement(
    "baton_reopen_run",
    `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, lease_owner = $3, lease_expires_at = $4, updated_at = $5,
       cursor = (SELECT coalesce(max(s.step_index) + 1, 0) FROM steps s WHERE s.run_id = runs.id)
     WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
  ),

  // ─── steps ───
  // A step committed again (after a crash, or a change request) replaces its row.
  upsertStep: statement(
    "baton_upsert_step",
    `INSERT INTO steps (${STEP_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::json)
     ON CONFLICT (run_id, step_index) DO UPDATE SET step_id = EXCLUDED.step_id, skipped = EXCLUDED.skipped,
       started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, executions = EXCLUDED.executions,
       model_calls = EXCLUDED.model_calls, input_tokens = EXCLUDED.input_tokens, cached_input_tokens = EXCLUDED.cached_input_tokens,
       output_tokens = EXCLUDED.output_tokens, cost_usd = EXCLUDED.cost_usd, output = EXCLUDED.output`,
  ),
  selectSteps: statement("baton_select_steps", `SELECT ${STEP_COLUMNS} FROM steps s WHERE s.run_id = $1 ORDER BY s.step_index`),
  // A re-run's steps before its start, copied from the parent; their cost was paid by the parent.
  copySteps: statement(
    "baton_copy_steps",
    `INSERT INTO steps (${STEP_INSERT_COLUMNS})
     SELECT $1, step_index, step_id, skipped, started_at, finished_at, executions, 0, 0, 0, 0, 0, output
     FROM steps WHERE run_id = $2 AND step_index < $3`,
  ),

  // ─── approvals ───
  insertApproval: statement(
    "baton_insert_approval",
    `INSERT INTO approvals (id, run_id, step_id, step_index, round, status, approvers, allow_self_approval, requested_by,
       requested_at, deadline_at, step_started_at, step_executions, model_calls, input_tokens, cached_input_tokens, output_tokens,
       cost_usd, decided_at, decided_by, comment, edited_output, proposal)
     VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22::json, $23::json)`,
  ),
  selectApproval: statement("baton_select_approval", `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.id = a.run_id WHERE a.id = $1`),
  selectApprovalRun: statement("baton_select_approval_run", "SELECT run_id FROM approvals WHERE id = $1"),
  listApprovals: statement(
    "baton_list_approvals",
    `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.id = a.run_id
     WHERE ($1::text IS NULL OR a.run_id = $1) AND ($2::text[] IS NULL OR a.status = ANY($2::text[]))
     ORDER BY a.requested_at DESC, a.requested_sequence DESC
     LIMIT $3`,
  ),
  // The compare-and-set: only a pending approval is decided. Returns it as decided.
  decideApproval: statement(
    "baton_decide_approval",
    `UPDATE approvals a SET status = $2, decided_at = $3, decided_by = $4, edited_output = $5::json, comment = $6
     FROM runs r WHERE a.id = $1 AND a.status = 'pending' AND r.id = a.run_id
     RETURNING ${APPROVAL_COLUMNS}`,
  ),
  closePendingApprovals: statement(
    "baton_close_pending_approvals",
    "UPDATE approvals SET status = $2, decided_at = $3 WHERE run_id = $1 AND status = 'pending'",
  ),

  // ─── events (append-only: no UPDATE or DELETE statement exists for them) ───
  // Numbering and inserting in one statement: incrementing event_count locks the run's row, so
  // appends to one run from several connections are numbered in turn. No row: no such run.
  appendEvents: statement(
    "baton_append_events",
    `WITH counted AS (
       UPDATE runs SET event_count = event_count + cardinality($2::bigint[]) WHERE id = $1
       RETURNING event_count - cardinality($2::bigint[]) AS base
     )
     INSERT INTO events (run_id, sequence, at, type, step_id, actor, data)
     SELECT $1, (counted.base + e.position)::bigint, e.at, e.type, e.step_id, e.actor, e.data
     FROM counted, unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::json[]) WITH ORDINALITY AS e(at, type, step_id, actor, data, position)`,
  ),
  selectEvents: statement("baton_select_events", `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.run_id = $1 ORDER BY e.sequence`),

  // ─── effects ───
  // The first record of a key wins; a repeat changes nothing.
  insertEffect: statement(
    "baton_insert_effect",
    "INSERT INTO effects (key, run_id, recorded_at, result) VALUES ($1, $2, $3, $4::json) ON CONFLICT (key) DO NOTHING",
  ),
  selectEffect: statement("baton_select_effect", `SELECT ${EFFECT_COLUMNS} FROM effects WHERE key = $1`),

  // ─── retries and lineage ───
  upsertRetry: statement(
    "baton_upsert_retry",
    `INSERT INTO run_retries (run_id, step_id, step_index, attempt, next_attempt_at, waiting_since, waiting_for, code, message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (run_id) DO UPDATE SET step_id = EXCLUDED.step_id, step_index = EXCLUDED.step_index, attempt = EXCLUDED.attempt,
       next_attempt_at = EXCLUDED.next_attempt_at, waiting_since = EXCLUDED.waiting_since, waiting_for = EXCLUDED.waiting_for,
       code = EXCLUDED.code, message = EXCLUDED.message`,
  ),
  selectRetry: statement("baton_select_retry", `SELECT ${RETRY_COLUMNS} FROM run_retries t JOIN runs r ON r.id = t.run_id WHERE t.run_id = $1`),
  listRetries: statement(
    "baton_list_retries",
    `SELECT ${RETRY_COLUMNS} FROM run_retries t JOIN runs r ON r.id = t.run_id ORDER BY t.next_attempt_at, t.run_id LIMIT $1`,
  ),
  insertLineage: statement("baton_insert_lineage", "INSERT INTO run_lineage (run_id, parent_run_id, from_step_id, created_at) VALUES ($1, $2, $3, $4)"),
  selectParent: statement("baton_select_parent", `SELECT ${LINEAGE_COLUMNS} FROM run_lineage WHERE run_id = $1`),
  selectChildren: statement("baton_select_children", `SELECT ${LINEAGE_COLUMNS} FROM run_lineage WHERE parent_run_id = $1 ORDER BY created_at, run_id`),
} as const;
