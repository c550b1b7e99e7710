import type Database from "better-sqlite3";
import { z } from "zod";
import type { NewRerun, RetrySchedule, RunLineage, RunReopen, RunRetry } from "../core/ports.js";
import { encodeJson, encodeNullableJson, type JsonColumnOptions } from "./json-columns.js";
import { KEYS_PER_RUN } from "./key-layout.js";
import { encodeEvents } from "./record-parameters.js";
import { integer, parseRow } from "./row-parsing.js";
import { DERIVED_CURSOR } from "./run-cursor.js";
import type { WriteTransactions } from "./write-transactions.js";

/**
 * The store's part for runs that recover (migration 8): a waiting run's next try, reopening a
 * failed or expired run, and re-runs with their lineage. Each write is one `BEGIN IMMEDIATE`
 * transaction whose compare-and-set is checked under the write lock, like write-transactions.ts.
 */

const K = String(KEYS_PER_RUN);
/** As in statements.ts: the run's key and the event segment its new events go to. */
const RUN_PLACE = `key, coalesce(json_extract(event_segments, '$[#-1]'), key) AS segment`;

/** Retry columns with the run's id and chain joined in (`t` is run_retries, `r` is runs); also read by sqlite-export.ts. */
export const RETRY_COLUMNS = `r.id AS run_id, r.chain_id, t.step_id, t.step_index, t.attempt, t.next_attempt_at, t.waiting_since, t.waiting_for, t.code, t.message`;

const retryRowSchema = z.object({
  run_id: z.string(),
  chain_id: z.string(),
  step_id: z.string(),
  step_index: integer,
  attempt: integer,
  next_attempt_at: integer,
  waiting_since: integer,
  waiting_for: z.string(),
  code: z.string(),
  message: z.string(),
});

export const lineageRowSchema = z.object({ run_id: z.string(), parent_run_id: z.string(), from_step_id: z.string(), created_at: integer });

export function toRunRetry(row: unknown): RunRetry {
  const retry = parseRow(retryRowSchema, row, "run_retries");
  return {
    runId: retry.run_id,
    chainId: retry.chain_id,
    stepId: retry.step_id,
    stepIndex: retry.step_index,
    attempt: retry.attempt,
    nextAttemptAt: retry.next_attempt_at,
    waitingSince: retry.waiting_since,
    waitingFor: retry.waiting_for,
    code: retry.code,
    message: retry.message,
  };
}

type Parameters = Record<string, string | number | bigint | Buffer | null>;

export class SqliteRunRetries {
  readonly #statements;
  readonly scheduleRetry: (schedule: RetrySchedule) => boolean;
  readonly reopenRun: (reopen: RunReopen) => boolean;
  readonly createRerun: (rerun: NewRerun) => void;

  constructor(
    database: Database.Database,
    private readonly writes: WriteTransactions,
    private readonly json: JsonColumnOptions,
  ) {
    const named = (sql: string) => database.prepare<[Parameters], unknown>(sql);
    this.#statements = {
      // The guard of commitStep: running, at the cursor, leased to the owner.
      releaseForRetry: named(
        `UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = @at
         WHERE id = @runId AND status = 'running' AND lease_owner = @owner AND ${DERIVED_CURSOR} = @cursor
         RETURNING ${RUN_PLACE}`,
      ).raw(),
      upsertRetry: named(
        `REPLACE INTO run_retries (run_key, step_id, step_index, attempt, next_attempt_at, waiting_since, waiting_for, code, message)
         VALUES (@runKey, @stepId, @stepIndex, @attempt, @nextAttemptAt, @waitingSince, @waitingFor, @code, @message)`,
      ),
      selectRetry: database.prepare<[string], unknown>(`SELECT ${RETRY_COLUMNS} FROM run_retries t JOIN runs r ON r.key = t.run_key WHERE r.id = ?`),
      listRetries: named(`SELECT ${RETRY_COLUMNS} FROM run_retries t JOIN runs r ON r.key = t.run_key ORDER BY t.next_attempt_at LIMIT @limit`),
      reopenRun: named(
        `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, lease_owner = @owner,
           lease_expires_at = @leaseExpiresAt, updated_at = @at, cursor = ${DERIVED_CURSOR}
         WHERE id = @runId AND status IN (SELECT value FROM json_each(@fromStatuses))
         RETURNING ${RUN_PLACE}`,
      ).raw(),
      insertRerun: named(
        `INSERT INTO runs (id, chain_id, status, cursor, step_count, started_by, created_at, updated_at,
           lease_owner, lease_expires_at, origin, input)
         VALUES (@id, @chainId, 'running', @cursor, @stepCount, @startedBy, @at, @at, @leaseOwner, @leaseExpiresAt, @origin, @input)
         RETURNING ${RUN_PLACE}`,
      ).raw(),
      // The parent's outputs before the step, as stored; their cost was paid by the parent.
      copySteps: named(
        `INSERT INTO steps (key, step_id, skipped, started_at, finished_at, executions, model_calls, input_tokens, output_tokens, cost_usd, output)
         SELECT @runKey * ${K} + s.key % ${K}, s.step_id, s.skipped, s.started_at, s.finished_at, s.executions, 0, 0, 0, 0, s.output
         FROM runs p JOIN steps s ON s.key >= p.key * ${K} AND s.key < p.key * ${K} + @fromStepIndex
         WHERE p.id = @parentRunId`,
      ),
      insertLineage: named(`INSERT INTO run_lineage (run_id, parent_run_id, from_step_id, created_at) VALUES (@runId, @parentRunId, @fromStepId, @at)`),
      selectParent: database.prepare<[string], unknown>(`SELECT run_id, parent_run_id, from_step_id, created_at FROM run_lineage WHERE run_id = ?`),
      selectChildren: database.prepare<[string], unknown>(
        `SELECT run_id, parent_run_id, from_step_id, created_at FROM run_lineage WHERE parent_run_id = ? ORDER BY created_at, run_id`,
      ),
    };
    const statements = this.#statements;
    this.scheduleRetry = database.transaction((schedule: RetrySchedule): boolean => {
      const { guard, retry } = schedule;
      const place = statements.releaseForRetry.get({ runId: guard.runId, owner: guard.owner, cursor: guard.cursor, at: schedule.at });
      if (place === undefined) return false;
      const [runKey] = place as [number, number];
      statements.upsertRetry.run({
        runKey,
        stepId: retry.stepId,
        stepIndex: retry.stepIndex,
        attempt: retry.attempt,
        nextAttemptAt: retry.nextAttemptAt,
        waitingSince: retry.waitingSince,
        waitingFor: retry.waitingFor,
        code: retry.code,
        message: retry.message,
      });
      this.writes.appendEventsInTransaction(encodeEvents(schedule.events, this.json), guard.runId, place);
      return true;
    }).immediate;
    this.reopenRun = database.transaction((reopen: RunReopen): boolean => {
      const place = statements.reopenRun.get({
        runId: reopen.runId,
        fromStatuses: JSON.stringify(reopen.fromStatuses),
        owner: reopen.owner,
        leaseExpiresAt: reopen.leaseExpiresAt,
        at: reopen.at,
      });
      if (place === undefined) return false;
      this.writes.appendEventsInTransaction(encodeEvents(reopen.events, this.json), reopen.runId, place);
      return true;
    }).immediate;
    this.createRerun = database.transaction((rerun: NewRerun): void => {
      const { run } = rerun;
      const place = statements.insertRerun.get({
        id: run.id,
        chainId: run.chainId,
        cursor: rerun.fromStepIndex,
        stepCount: run.stepCount,
        startedBy: run.startedBy,
        at: run.at,
        leaseOwner: run.leaseOwner,
        leaseExpiresAt: run.leaseExpiresAt,
        origin: encodeNullableJson(run.origin, this.json),
        input: encodeJson(run.input, this.json),
      });
      const [runKey] = place as [number, number];
      statements.copySteps.run({ runKey, fromStepIndex: rerun.fromStepIndex, parentRunId: rerun.parentRunId });
      statements.insertLineage.run({ runId: run.id, parentRunId: rerun.parentRunId, fromStepId: rerun.fromStepId, at: run.at });
      this.writes.appendEventsInTransaction(encodeEvents(rerun.events, this.json), run.id, place);
    }).immediate;
  }

  getRetry(runId: string): RunRetry | undefined {
    const row = this.#statements.selectRetry.get(runId);
    return row === undefined ? undefined : toRunRetry(row);
  }

  listRetries(limit: number): RunRetry[] {
    return this.#statements.listRetries.all({ limit }).map(toRunRetry);
  }

  getLineage(runId: string): RunLineage {
    const parentRow = this.#statements.selectParent.get(runId);
    const parent = parentRow === undefined ? null : parseRow(lineageRowSchema, parentRow, "run_lineage");
    return {
      parent: parent === null ? null : { runId: parent.parent_run_id, fromStepId: parent.from_step_id },
      children: this.#statements.selectChildren.all(runId).map((row) => {
        const child = parseRow(lineageRowSchema, row, "run_lineage");
        return { runId: child.run_id, fromStepId: child.from_step_id, createdAt: child.created_at };
      }),
    };
  }
}
