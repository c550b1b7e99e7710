import type Database from "better-sqlite3";
import type { PruneBatchInput, PruneBatchResult, PruneCounts, RetentionStore } from "../core/retention.js";
import { RETAINED_EVENT_TYPES } from "../core/retention.js";
import { EVENT_TYPE_CODES } from "./event-type-codes.js";
import { KEYS_PER_RUN } from "./key-layout.js";
import { eventRangesOfRun } from "./row-parsing.js";
import { settle } from "./store-errors.js";

/**
 * The retention port on the baton database (migration 6). Each batch is one `BEGIN IMMEDIATE`
 * transaction that opens the audit log's delete exception (the `retention_pass` row), deletes,
 * and closes it again before committing. Runs still running or awaiting approval are never
 * selected: only terminal statuses with a `finished_at` before the cutoff. The port is
 * asynchronous for PostgreSQL's sake; here each method is one synchronous transaction.
 */

const OPEN_STATUSES = "('running', 'awaiting_approval')";
const retainedCodes = RETAINED_EVENT_TYPES.map((type) => EVENT_TYPE_CODES[type]).join(", ");

export class SqliteRetention implements RetentionStore {
  readonly #database: Database.Database;
  readonly #statements;

  constructor(database: Database.Database) {
    this.#database = database;
    this.#statements = {
      // In key order from where the last batch stopped: one pass reads the runs table once.
      prunableRuns: database.prepare<[number, number, number], { key: number; id: string; event_segments: unknown }>(
        `SELECT key, id, event_segments FROM runs WHERE key > ? AND finished_at IS NOT NULL AND finished_at < ? AND detail_pruned_at IS NULL AND status NOT IN ${OPEN_STATUSES} ORDER BY key LIMIT ?`,
      ),
      openPass: database.prepare("INSERT INTO retention_pass (id) VALUES (1)"),
      closePass: database.prepare("DELETE FROM retention_pass"),
      deleteEvents: database.prepare<[number, number], unknown>(`DELETE FROM events WHERE key >= ? AND key < ? AND type NOT IN (${retainedCodes})`),
      // Effect keys begin with the run id and a colon (idempotencyKeyFor): a range of the primary key.
      deleteEffects: database.prepare<[string, string, string], unknown>("DELETE FROM effects WHERE key >= ? AND key < ? AND run_id = ?"),
      markPruned: database.prepare<[number, number], unknown>("UPDATE runs SET detail_pruned_at = ? WHERE key = ?"),
      // Deliveries are appended in time order, so the oldest are first in rowid order.
      deleteDeliveries: database.prepare<[number, number], unknown>(
        "DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries WHERE received_at < ? ORDER BY rowid LIMIT ?)",
      ),
      // What was owed and is done (posted thread updates, finished command intents) goes with the deliveries' age.
      deletePostedUpdates: database.prepare<[number, number], unknown>(
        "DELETE FROM incident_updates WHERE id IN (SELECT id FROM incident_updates WHERE posted_at IS NOT NULL AND created_at < ? ORDER BY id LIMIT ?)",
      ),
      deleteFinishedIntents: database.prepare<[number, number], unknown>(
        "DELETE FROM command_intents WHERE id IN (SELECT id FROM command_intents WHERE finished_at IS NOT NULL AND created_at < ? LIMIT ?)",
      ),
      countRuns: database.prepare<[number], { count: number }>(
        `SELECT count(*) AS count FROM runs WHERE finished_at IS NOT NULL AND finished_at < ? AND detail_pruned_at IS NULL AND status NOT IN ${OPEN_STATUSES}`,
      ),
      countEvents: database.prepare<[number, number], { count: number }>(
        `SELECT count(*) AS count FROM events WHERE key >= ? AND key < ? AND type NOT IN (${retainedCodes})`,
      ),
      countEffects: database.prepare<[string, string, string], { count: number }>(
        "SELECT count(*) AS count FROM effects WHERE key >= ? AND key < ? AND run_id = ?",
      ),
      countDeliveries: database.prepare<[number], { count: number }>("SELECT count(*) AS count FROM deliveries WHERE received_at < ?"),
      logPass: database.prepare(
        "INSERT INTO retention_log (at, cutoff, runs, events, effects, deliveries) VALUES (@at, @cutoff, @runs, @events, @effects, @deliveries)",
      ),
    };
  }

  /**
   * Runs every pass. One SQLite file lives on one host, and two processes' passes cannot
   * repeat work: their batches take turns on the write lock, and a pruned run is marked.
   */
  runAlone<Result>(pass: () => Promise<Result>): Promise<Result | undefined> {
    return pass();
  }

  pruneBatch(input: PruneBatchInput): Promise<PruneBatchResult> {
    return settle(this.#database.name, () => this.#pruneBatch(input));
  }

  countPrunable(cutoff: number): Promise<PruneCounts> {
    return settle(this.#database.name, () => this.#countPrunable(cutoff));
  }

  logPass(input: { at: number; cutoff: number } & PruneCounts): Promise<void> {
    return settle(this.#database.name, () => {
      this.#statements.logPass.run(input);
    });
  }

  #pruneBatch(input: PruneBatchInput): PruneBatchResult {
    const statements = this.#statements;
    const batch = this.#database.transaction(() => {
      const runs = statements.prunableRuns.all(input.after ?? 0, input.cutoff, input.maxRuns);
      statements.openPass.run();
      let events = 0;
      let effects = 0;
      try {
        for (const run of runs) {
          for (const range of eventRangesOfRun(run.key, run.event_segments, run.id)) {
            events += statements.deleteEvents.run(range * KEYS_PER_RUN, (range + 1) * KEYS_PER_RUN).changes;
          }
          effects += statements.deleteEffects.run(`${run.id}:`, `${run.id};`, run.id).changes;
          statements.markPruned.run(input.at, run.key);
        }
      } finally {
        statements.closePass.run();
      }
      const deliveries = statements.deleteDeliveries.run(input.cutoff, input.maxDeliveries).changes;
      statements.deletePostedUpdates.run(input.cutoff, input.maxDeliveries);
      statements.deleteFinishedIntents.run(input.cutoff, input.maxDeliveries);
      const after = runs.at(-1)?.key ?? input.after ?? 0;
      return { runs: runs.length, events, effects, deliveries, after, done: runs.length < input.maxRuns && deliveries < input.maxDeliveries };
    });
    return batch.immediate();
  }

  #countPrunable(cutoff: number): PruneCounts {
    const statements = this.#statements;
    const read = this.#database.transaction(() => {
      const runs = statements.prunableRuns.all(0, cutoff, Number.MAX_SAFE_INTEGER);
      let events = 0;
      let effects = 0;
      for (const run of runs) {
        for (const range of eventRangesOfRun(run.key, run.event_segments, run.id)) {
          events += statements.countEvents.get(range * KEYS_PER_RUN, (range + 1) * KEYS_PER_RUN)?.count ?? 0;
        }
        effects += statements.countEffects.get(`${run.id}:`, `${run.id};`, run.id)?.count ?? 0;
      }
      return { runs: statements.countRuns.get(cutoff)?.count ?? 0, events, effects, deliveries: statements.countDeliveries.get(cutoff)?.count ?? 0 };
    });
    return read.deferred();
  }
}
