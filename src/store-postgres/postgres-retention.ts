import type { PoolClient } from "pg";
import { z } from "zod";
import { RETAINED_EVENT_TYPES, type PruneBatchInput, type PruneBatchResult, type PruneCounts, type RetentionStore } from "../core/retention.js";
import type { PoolAccess } from "./pool-access.js";
import { bigintColumn, parseRow } from "./row-codecs.js";
import { queryCount, queryRows, statement } from "./transactions.js";

/**
 * The retention port on PostgreSQL (migration 6). A pass runs alone across replicas: it holds a
 * session advisory lock on a connection of its own while its batches run, and a replica that
 * cannot take the lock skips its tick. Each batch is one transaction that opens the audit log's
 * delete exception for itself only (`set_config(..., true)` ends with the transaction), deletes,
 * and marks the runs pruned. Runs still running or awaiting approval are never selected.
 */

/** The pass lock: an int4 pair (class, 0), apart from the bigint key of the migration lock. */
export const RETENTION_LOCK_CLASS = 0x62746e02;

const PRUNABLE = "r.finished_at IS NOT NULL AND r.finished_at < $1 AND r.detail_pruned_at IS NULL AND r.status NOT IN ('running', 'awaiting_approval')";

const STATEMENTS = {
  tryLock: statement("baton_retention_try_lock", `SELECT pg_try_advisory_lock(${String(RETENTION_LOCK_CLASS)}, 0) AS locked`),
  unlock: statement("baton_retention_unlock", `SELECT pg_advisory_unlock(${String(RETENTION_LOCK_CLASS)}, 0)`),
  openPass: statement("baton_retention_open_pass", "SELECT set_config('baton.retention_pass', 'on', true)"),
  // In creation order from where the last batch stopped: one pass reads the runs once. Locked,
  // so a run being reopened meanwhile is pruned before or after, never halfway.
  prunableRuns: statement(
    "baton_retention_prunable_runs",
    `SELECT r.created_sequence, r.id FROM runs r WHERE r.created_sequence > $2 AND ${PRUNABLE}
     ORDER BY r.created_sequence LIMIT $3 FOR UPDATE`,
  ),
  deleteEvents: statement("baton_retention_delete_events", "DELETE FROM events WHERE run_id = ANY($1::text[]) AND type <> ALL($2::text[])"),
  deleteEffects: statement("baton_retention_delete_effects", "DELETE FROM effects WHERE run_id = ANY($1::text[])"),
  markPruned: statement("baton_retention_mark_pruned", "UPDATE runs SET detail_pruned_at = $2 WHERE id = ANY($1::text[])"),
  // Deliveries arrive in time order: the oldest first.
  deleteDeliveries: statement(
    "baton_retention_delete_deliveries",
    "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE received_at < $1 ORDER BY received_at LIMIT $2)",
  ),
  // What was owed and is done (posted thread updates, finished command intents) goes with the deliveries' age.
  deletePostedUpdates: statement(
    "baton_retention_delete_posted_updates",
    "DELETE FROM incident_updates WHERE id IN (SELECT id FROM incident_updates WHERE posted_at IS NOT NULL AND created_at < $1 ORDER BY id LIMIT $2)",
  ),
  deleteFinishedIntents: statement(
    "baton_retention_delete_finished_intents",
    "DELETE FROM command_intents WHERE id IN (SELECT id FROM command_intents WHERE finished_at IS NOT NULL AND created_at < $1 LIMIT $2)",
  ),
  // One statement, so the four counts are of one snapshot.
  countPrunable: statement(
    "baton_retention_count_prunable",
    `SELECT
       (SELECT count(*) FROM runs r WHERE ${PRUNABLE}) AS runs,
       (SELECT count(*) FROM events e JOIN runs r ON r.id = e.run_id WHERE ${PRUNABLE} AND e.type <> ALL($2::text[])) AS events,
       (SELECT count(*) FROM effects f JOIN runs r ON r.id = f.run_id WHERE ${PRUNABLE}) AS effects,
       (SELECT count(*) FROM deliveries WHERE received_at < $1) AS deliveries`,
  ),
  logPass: statement("baton_retention_log_pass", "INSERT INTO retention_log (at, cutoff, runs, events, effects, deliveries) VALUES ($1, $2, $3, $4, $5, $6)"),
} as const;

const lockedRowSchema = z.object({ locked: z.boolean() });
const prunableRowSchema = z.object({ created_sequence: bigintColumn, id: z.string() });
const countsRowSchema = z.object({ runs: bigintColumn, events: bigintColumn, effects: bigintColumn, deliveries: bigintColumn });

export class PostgresRetention implements RetentionStore {
  /** Shares the pool of the state it was opened with (`openPostgresState`), which closes it. */
  constructor(private readonly access: PoolAccess) {}

  /**
   * Takes the pass lock on a connection held for the pass (the batches use others). If this
   * process dies, the server ends its session and the lock with it.
   */
  runAlone<Result>(pass: () => Promise<Result>): Promise<Result | undefined> {
    return this.access.guard(async () => {
      const client = await this.access.pool.connect();
      let broken: Error | undefined;
      try {
        const [row] = await queryRows(client, STATEMENTS.tryLock, []);
        if (!parseRow(lockedRowSchema, row, "pg_locks").locked) return undefined;
        try {
          return await pass();
        } finally {
          broken = await unlock(client);
        }
      } finally {
        client.release(broken);
      }
    });
  }

  pruneBatch(input: PruneBatchInput): Promise<PruneBatchResult> {
    return this.access.transaction(async (client) => {
      await queryRows(client, STATEMENTS.openPass, []);
      const runs = (await queryRows(client, STATEMENTS.prunableRuns, [input.cutoff, input.after ?? 0, input.maxRuns])).map((row) =>
        parseRow(prunableRowSchema, row, "runs"),
      );
      const runIds = runs.map((run) => run.id);
      const events = runIds.length === 0 ? 0 : await queryCount(client, STATEMENTS.deleteEvents, [runIds, RETAINED_EVENT_TYPES]);
      const effects = runIds.length === 0 ? 0 : await queryCount(client, STATEMENTS.deleteEffects, [runIds]);
      if (runIds.length > 0) await queryCount(client, STATEMENTS.markPruned, [runIds, input.at]);
      const deliveries = await queryCount(client, STATEMENTS.deleteDeliveries, [input.cutoff, input.maxDeliveries]);
      await queryCount(client, STATEMENTS.deletePostedUpdates, [input.cutoff, input.maxDeliveries]);
      await queryCount(client, STATEMENTS.deleteFinishedIntents, [input.cutoff, input.maxDeliveries]);
      const after = runs.at(-1)?.created_sequence ?? input.after ?? 0;
      return { runs: runs.length, events, effects, deliveries, after, done: runs.length < input.maxRuns && deliveries < input.maxDeliveries };
    });
  }

  async countPrunable(cutoff: number): Promise<PruneCounts> {
    const [row] = await this.access.rows(STATEMENTS.countPrunable, [cutoff, RETAINED_EVENT_TYPES]);
    return parseRow(countsRowSchema, row, "runs");
  }

  async logPass(input: { at: number; cutoff: number } & PruneCounts): Promise<void> {
    await this.access.count(STATEMENTS.logPass, [input.at, input.cutoff, input.runs, input.events, input.effects, input.deliveries]);
  }
}

/** Gives the pass lock back; a connection that cannot (gone, confused) must not be pooled again. */
async function unlock(client: PoolClient): Promise<Error | undefined> {
  try {
    await queryRows(client, STATEMENTS.unlock, []);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
