import type Database from "better-sqlite3";
import { z } from "zod";
import { NormalizedAlertSchema, type IncidentUpdateBatch, type NormalizedAlert } from "../core/ports.js";
import { COMPRESS_FROM_BYTES, decodeJson, encodeJson } from "./json-columns.js";

/**
 * The outbox of incident updates (`incident_updates`, migration 8): what an incident's run
 * thread is owed, written in the delivery's transaction by the alert store and posted later in
 * batches. A batch is claimed under a key before it is posted, so after a crash between the
 * post and `markPosted` the same rows come back under the same key, never in another batch.
 * Synchronous: the alert store runs these inside its own transactions and settles them.
 */

/** How many owed rows one thread reply folds at most; the rest go in the next. */
const MAX_ROWS_PER_BATCH = 1_000;

const UpdateRow = z.object({
  id: z.number(),
  incident_id: z.string(),
  delivery_id: z.string(),
  resolves: z.number(),
  new_alerts: z.union([z.string(), z.instanceof(Buffer)]),
  resolved_alerts: z.union([z.string(), z.instanceof(Buffer)]),
});

const AlertsSchema = z.array(NormalizedAlertSchema);

const json = { compressFromBytes: COMPRESS_FROM_BYTES };

export interface OwedUpdate {
  incidentId: string;
  deliveryId: string;
  resolves: boolean;
  newAlerts: ReadonlyArray<NormalizedAlert>;
  resolvedAlerts: ReadonlyArray<NormalizedAlert>;
  at: number;
}

export class SqliteIncidentUpdates {
  readonly #database: Database.Database;
  readonly #statements;

  constructor(database: Database.Database) {
    this.#database = database;
    this.#statements = {
      insertUpdate: database.prepare(
        "INSERT INTO incident_updates (incident_id, delivery_id, resolves, new_alerts, resolved_alerts, created_at) VALUES (@incidentId, @deliveryId, @resolves, @newAlerts, @resolvedAlerts, @at)",
      ),
      owedIncidents: database.prepare<[number], { incident_id: string }>(
        "SELECT incident_id FROM incident_updates WHERE posted_at IS NULL GROUP BY incident_id ORDER BY min(id) LIMIT ?",
      ),
      claimedBatch: database.prepare<[string], { batch: string }>(
        "SELECT batch FROM incident_updates WHERE incident_id = ? AND posted_at IS NULL AND batch IS NOT NULL ORDER BY id LIMIT 1",
      ),
      unclaimed: database.prepare<[string, number], { id: number }>(
        "SELECT id FROM incident_updates WHERE incident_id = ? AND batch IS NULL ORDER BY id LIMIT ?",
      ),
      claim: database.prepare("UPDATE incident_updates SET batch = @batch WHERE incident_id = @incidentId AND batch IS NULL AND id >= @first AND id <= @last"),
      rowsOfBatch: database.prepare<[string], unknown>(
        "SELECT id, incident_id, delivery_id, resolves, new_alerts, resolved_alerts FROM incident_updates WHERE batch = ? ORDER BY id",
      ),
      markPosted: database.prepare("UPDATE incident_updates SET posted_at = @at WHERE batch = @batch AND posted_at IS NULL"),
    };
  }

  /** Record what the thread is owed; the caller's transaction makes it part of the delivery. */
  owe(update: OwedUpdate): void {
    this.#statements.insertUpdate.run({
      incidentId: update.incidentId,
      deliveryId: update.deliveryId,
      resolves: update.resolves ? 1 : 0,
      newAlerts: encodeJson(update.newAlerts, json),
      resolvedAlerts: encodeJson(update.resolvedAlerts, json),
      at: update.at,
    });
  }

  owedIncidents(limit: number): string[] {
    return this.#statements.owedIncidents.all(limit).map((row) => row.incident_id);
  }

  /** The incident's batch to post: the one claimed before (not yet posted), else a new claim. */
  claim(incidentId: string): IncidentUpdateBatch | undefined {
    return this.#database
      .transaction(() => {
        const statements = this.#statements;
        const claimed = statements.claimedBatch.get(incidentId)?.batch;
        if (claimed !== undefined) return this.#batch(claimed);
        const owed = statements.unclaimed.all(incidentId, MAX_ROWS_PER_BATCH);
        const first = owed[0]?.id;
        const last = owed.at(-1)?.id;
        if (first === undefined || last === undefined) return undefined;
        // The key names the incident and its first row: unique, and stable until posted.
        const batch = `incident-update:${incidentId}:${String(first)}`;
        statements.claim.run({ batch, incidentId, first, last });
        return this.#batch(batch);
      })
      .immediate();
  }

  markPosted(key: string, at: number): void {
    this.#statements.markPosted.run({ batch: key, at });
  }

  #batch(key: string): IncidentUpdateBatch | undefined {
    const rows = this.#statements.rowsOfBatch.all(key).map((row) => UpdateRow.parse(row));
    const last = rows.at(-1);
    if (last === undefined) return undefined;
    return {
      key,
      incidentId: last.incident_id,
      deliveryId: last.delivery_id,
      resolves: rows.some((row) => row.resolves === 1),
      newAlerts: rows.flatMap((row) => AlertsSchema.parse(decodeJson(row.new_alerts))),
      resolvedAlerts: rows.flatMap((row) => AlertsSchema.parse(decodeJson(row.resolved_alerts))),
    };
  }
}
