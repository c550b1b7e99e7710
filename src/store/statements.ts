import type Database from "better-sqlite3";
import { KEYS_PER_RUN } from "./key-layout.js";
import type { SqlValue } from "./record-parameters.js";
import { APPROVAL_COLUMNS, DECISION_APPROVAL_COLUMNS } from "./approval-codecs.js";
import { EFFECT_COLUMNS, EVENT_FIELDS, RUN_COLUMNS, STEP_COLUMNS } from "./run-codecs.js";
import { DERIVED_CURSOR } from "./run-cursor.js";

/**
 * Every statement the store runs, prepared once when the store opens. Parameters are named
 * after the record fields (`@runId`), columns after the schema (`run_id`). Guarded updates
 * return the run's key and its current event segment (RUN_PLACE), which says both "it applied"
 * and where the rows that belong to the run go.
 *
 * Steps and events are keyed `run key × KEYS_PER_RUN + n` (see migrations.ts): a run's rows
 * are the key range [key × K, (key + 1) × K). From a run's first decision on, its events go to
 * event segments instead: ranges [segment × K, (segment + 1) × K) at the end of the log.
 *
 * Optional filters are written as `(@x IS NULL OR column = @x)` so one prepared statement
 * serves every combination; status lists arrive as a JSON array read with `json_each`.
 */

type Parameters = Record<string, SqlValue>;
type NamedStatement = Database.Statement<[Parameters], unknown>;
type KeyedStatement = Database.Statement<[string], unknown>;

const K = String(KEYS_PER_RUN);

/**
 * The event segment a run's new events go to (migration 7): the last one it was given, or its
 * own key while it has none. Guarded writes return it beside the key (RUN_PLACE).
 */
const CURRENT_SEGMENT = `coalesce(json_extract(event_segments, '$[#-1]'), key)`;
const RUN_PLACE = `key, ${CURRENT_SEGMENT} AS segment`;

/** Guard of commitStep and openApproval: running, at the cursor, leased to the owner. */
const RUN_GUARD = `id = @runId AND status = 'running' AND lease_owner = @owner AND ${DERIVED_CURSOR} = @cursor`;

/** The rows of a run (`r`) in steps or events (`child`), as a range of the child's rowid. */
const rowsOfRun = (child: string) => `${child}.key >= r.key * ${K} AND ${child}.key < (r.key + 1) * ${K}`;

/**
 * Approvals whose status is in `@statuses` (a JSON array of status names), or all when it is
 * NULL. A text search in the array instead of `json_each`: the virtual table makes SQLite build
 * a bloom filter and a temporary B-tree on every call of this frequent lookup. Status names
 * are fixed words without quotes, so the quoted search cannot mis-match.
 */
const APPROVAL_STATUS_FILTER = `(@statuses IS NULL OR instr(@statuses, '"' || a.status || '"') > 0)`;

/** The rows of runs in `@statuses` (a JSON array), or all when it is NULL. */
const STATUS_FILTER = "(@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))";

export function prepareStatements(database: Database.Database) {
  const named = (sql: string): NamedStatement => database.prepare<[Parameters], unknown>(sql);
  const keyed = (sql: string): KeyedStatement => database.prepare<[string], unknown>(sql);
  return {
    // ─── runs ───
    insertRun: named(
      `INSERT INTO runs (id, chain_id, status, cursor, step_count, started_by, created_at, updated_at,
         lease_owner, lease_expires_at, origin, input)
       VALUES (@id, @chainId, 'running', 0, @stepCount, @startedBy, @at, @at, @leaseOwner, @leaseExpiresAt, @origin, @input)
       RETURNING ${RUN_PLACE}`,
    ).raw(),
    selectRun: keyed(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    /** [key, current event segment] of a run (see CURRENT_SEGMENT). */
    selectRunPlace: keyed(`SELECT ${RUN_PLACE} FROM runs WHERE id = ?`).raw(),
    listRuns: named(
      `SELECT ${RUN_COLUMNS} FROM runs
       WHERE ${STATUS_FILTER}
         AND (@chainId IS NULL OR chain_id = @chainId)
         AND (@startedBy IS NULL OR started_by = @startedBy)
       -- Newest first: keys grow with every run created, so this walks the table backwards and
       -- stops at the limit instead of sorting every run (created_at could tie or skew).
       ORDER BY key DESC
       LIMIT @limit`,
    ),
    listRunsInFlight: database.prepare<[], unknown>(
      `SELECT ${RUN_COLUMNS} FROM runs INDEXED BY runs_running_by_owner WHERE status = 'running' ORDER BY created_at, key`,
    ),
    // A run that stays `running` is only checked: the step row it gets moves its cursor.
    advanceRun: named(`SELECT ${RUN_PLACE} FROM runs WHERE ${RUN_GUARD}`).raw(),
    completeRun: named(
      `UPDATE runs SET cursor = @cursor + 1, status = 'succeeded', updated_at = @at, finished_at = @at,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE ${RUN_GUARD} RETURNING ${RUN_PLACE}`,
    ).raw(),
    pauseRun: named(
      `UPDATE runs SET status = 'awaiting_approval', updated_at = @at, lease_owner = NULL, lease_expires_at = NULL
       WHERE ${RUN_GUARD} RETURNING ${RUN_PLACE}`,
    ).raw(),
    // The decision also gives the run a new event segment (@segment, from allocateEventSegment).
    resumeRun: named(
      `UPDATE runs SET status = @runStatus, cursor = @cursor, updated_at = @at,
         finished_at = @finishedAt, lease_owner = @leaseOwner, lease_expires_at = @leaseExpiresAt,
         event_segments = json_insert(coalesce(event_segments, '[]'), '$[#]', @segment)
       WHERE key = @runKey AND status = 'awaiting_approval'`,
    ),
    finishRun: named(
      `UPDATE runs SET status = @status, error = @error, updated_at = @at, finished_at = @at,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @runId
         AND status IN (SELECT value FROM json_each(@fromStatuses))
         AND (@owner IS NULL OR lease_owner = @owner)
       RETURNING ${RUN_PLACE}`,
    ).raw(),
    // `IS` compares NULL with NULL as equal: claiming an unowned run expects NULL.
    claimRun: named(
      `UPDATE runs SET lease_owner = @owner, lease_expires_at = @leaseExpiresAt, updated_at = @at
       WHERE id = @runId AND status = 'running' AND lease_owner IS @expectedOwner
       RETURNING ${RUN_PLACE}`,
    ).raw(),
    renewLeases: named(
      `UPDATE runs INDEXED BY runs_running_by_owner SET lease_expires_at = @leaseExpiresAt
       WHERE status = 'running' AND lease_owner = @owner`,
    ),

    // ─── steps ───
    // A step committed again (re-run after a crash, or after a change request) replaces its row.
    upsertStep: named(
      `REPLACE INTO steps (key, step_id, skipped, started_at, finished_at, executions,
         model_calls, input_tokens, cached_input_tokens, output_tokens, cost_usd, output)
       VALUES (@runKey * ${K} + @stepIndex, @stepId, @skipped, @startedAt, @finishedAt, @executions,
         @modelCalls, @inputTokens, @cachedInputTokens, @outputTokens, @costUsd, @output)`,
    ),
    selectSteps: keyed(`SELECT ${STEP_COLUMNS} FROM runs r JOIN steps s ON ${rowsOfRun("s")} WHERE r.id = ? ORDER BY s.key`),

    // ─── approvals ───
    insertApproval: named(
      `INSERT INTO approvals (id, run_key, step_id, step_index, round, status, approvers, allow_self_approval,
         requested_by, requested_at, deadline_at, step_started_at, step_executions, model_calls, input_tokens,
         cached_input_tokens, output_tokens, cost_usd, decided_at, decided_by, comment, edited_output, proposal)
       VALUES (@id, @runKey, @stepId, @stepIndex, @round, @status, @approvers, @allowSelfApproval,
         @requestedBy, @requestedAt, @deadlineAt, @stepStartedAt, @stepExecutions, @modelCalls, @inputTokens,
         @cachedInputTokens, @outputTokens, @costUsd, @decidedAt, @decidedBy, @comment, @editedOutput, @proposal)`,
    ),
    selectApproval: keyed(`SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.key = a.run_key WHERE a.id = ?`),
    selectApprovalForDecision: keyed(`SELECT ${DECISION_APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.key = a.run_key WHERE a.id = ?`),
    decideApproval: named(
      `UPDATE approvals SET status = @status, decided_at = @at, decided_by = @decidedBy,
         edited_output = @editedOutput, comment = @comment
       WHERE id = @approvalId AND status = 'pending'`,
    ),
    closePendingApprovals: named(`UPDATE approvals SET status = @status, decided_at = @at WHERE run_key = @runKey AND status = 'pending'`),
    listApprovals: named(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.key = a.run_key
       WHERE ${APPROVAL_STATUS_FILTER}
       ORDER BY a.requested_at DESC, a.rowid DESC
       LIMIT @limit`,
    ),
    // No LIMIT parameter here: with STAT4 statistics SQLite re-plans a statement whenever a
    // bound LIMIT changes, on every call of this frequent query. A run has a handful of
    // approvals; the store slices the rows instead.
    listApprovalsOfRun: named(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN runs r ON r.key = a.run_key
       WHERE r.id = @runId AND ${APPROVAL_STATUS_FILTER}
       ORDER BY a.requested_at DESC, a.rowid DESC`,
    ),

    // ─── events (append-only: there is no UPDATE or DELETE statement for them) ───
    /** The key of the last event in a segment (a run's own range is its first segment), or NULL. */
    lastEventKey: named(`SELECT max(key) FROM events WHERE key > @segment * ${K} AND key < (@segment + 1) * ${K}`).pluck(),
    /** A new event segment's number: one past the last handed out. */
    allocateEventSegment: database.prepare<[], unknown>(`UPDATE event_segment_counter SET last = last + 1 WHERE id = 1 RETURNING last`).pluck(),
    insertEvent: named(`INSERT INTO events (key, at, type, step_id, actor, data) VALUES (@key, @at, @type, @stepId, @actor, @data)`),
    // The run's own range, then each of its segments; the n-th segment's sequence numbers start
    // at n × K, so they keep increasing (the audit_log view numbers them the same way).
    selectEvents: named(
      `SELECT e.key % ${K} AS sequence, ${EVENT_FIELDS} FROM runs r JOIN events e ON ${rowsOfRun("e")} WHERE r.id = @runId
       UNION ALL
       SELECT (g.key + 1) * ${K} + e.key % ${K} AS sequence, ${EVENT_FIELDS}
       FROM runs r JOIN json_each(r.event_segments) g JOIN events e ON e.key >= g.value * ${K} AND e.key < (g.value + 1) * ${K}
       WHERE r.id = @runId
       ORDER BY sequence`,
    ),

    // ─── effects ───
    // The first record of a key wins; a repeat changes nothing.
    insertEffect: named(
      `INSERT INTO effects (key, run_id, recorded_at, result) VALUES (@key, @runId, @recordedAt, @result)
       ON CONFLICT (key) DO NOTHING`,
    ),
    selectEffect: keyed(`SELECT ${EFFECT_COLUMNS} FROM effects WHERE key = ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
