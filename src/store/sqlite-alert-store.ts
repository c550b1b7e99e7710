import type Database from "better-sqlite3";
import { z } from "zod";
import {
  NormalizedAlertSchema,
  type AlertStore,
  type DeliveryInput,
  type DeliveryOutcome,
  type IdGenerator,
  type IncidentChange,
  type IncidentRecord,
  type IncidentSummary,
  type IncidentUpdateBatch,
  type NormalizedAlert,
} from "../core/ports.js";
import { COMPRESS_FROM_BYTES, decodeJson, encodeJson } from "./json-columns.js";
import { SqliteIncidentUpdates } from "./sqlite-incident-updates.js";
import { settle } from "./store-errors.js";

/**
 * The `AlertStore` on the baton database (tables `deliveries` and `incidents`, migration 3; an
 * incident's alerts are rows of `incident_alerts`, migration 5).
 * A delivery is one `BEGIN IMMEDIATE` transaction: the raw body, the redelivery check and the
 * incident grouping are written together or not at all, so an accepted alert is never lost and
 * two processes cannot both open an incident for one group. The same transaction writes what the
 * incident's run thread is owed (`incident_updates`, migration 8, in sqlite-incident-updates.ts),
 * so an accepted update is posted after a crash too. Shares the store's connection.
 */

const json = { compressFromBytes: COMPRESS_FROM_BYTES };

const IncidentRow = z.object({
  id: z.string(),
  source: z.enum(["alertmanager", "grafana", "pagerduty", "generic"]),
  group_key: z.string(),
  status: z.enum(["open", "resolved"]),
  title: z.string(),
  run_id: z.string().nullable(),
  opened_at: z.number(),
  updated_at: z.number(),
  resolved_at: z.number().nullable(),
  alert_count: z.number(),
  firing_count: z.number(),
});

/** An `incidents` row → the incident without its alerts (also read by sqlite-export.ts). */
export function toSummary(row: unknown): IncidentSummary {
  const parsed = IncidentRow.parse(row);
  return {
    id: parsed.id,
    source: parsed.source,
    groupKey: parsed.group_key,
    status: parsed.status,
    title: parsed.title,
    runId: parsed.run_id,
    openedAt: parsed.opened_at,
    updatedAt: parsed.updated_at,
    resolvedAt: parsed.resolved_at,
    alertCount: parsed.alert_count,
    firingCount: parsed.firing_count,
  };
}

const AlertsSchema = z.array(NormalizedAlertSchema);

export class SqliteAlertStore implements AlertStore {
  readonly #database: Database.Database;
  readonly #ids: IdGenerator;
  readonly #statements;
  readonly #updates: SqliteIncidentUpdates;

  constructor(database: Database.Database, ids: IdGenerator) {
    this.#database = database;
    this.#ids = ids;
    this.#updates = new SqliteIncidentUpdates(database);
    this.#statements = {
      deliveryByKey: database.prepare<[string], { id: string }>("SELECT id FROM deliveries WHERE delivery_key = ?"),
      insertDelivery: database.prepare(
        "INSERT INTO deliveries (id, source, delivery_key, received_at, raw_body, alerts) VALUES (@id, @source, @deliveryKey, @receivedAt, @rawBody, @alerts)",
      ),
      openIncident: database.prepare<[string, string], { id: string; alert_count: number; firing_count: number }>(
        "SELECT id, alert_count, firing_count FROM incidents WHERE source = ? AND group_key = ? AND status = 'open'",
      ),
      insertIncident: database.prepare(
        "INSERT INTO incidents (id, source, group_key, status, title, run_id, opened_at, updated_at, resolved_at, alert_count, firing_count) VALUES (@id, @source, @groupKey, 'open', @title, NULL, @at, @at, NULL, 0, 0)",
      ),
      updateIncident: database.prepare<Record<string, unknown>, unknown>(
        "UPDATE incidents SET status = @status, updated_at = @at, resolved_at = @resolvedAt, alert_count = @alertCount, firing_count = @firingCount WHERE id = @id RETURNING *",
      ),
      alertStatus: database.prepare<[string, string], { status: string }>("SELECT status FROM incident_alerts WHERE incident_id = ? AND fingerprint = ?"),
      insertAlert: database.prepare(
        "INSERT INTO incident_alerts (incident_id, fingerprint, position, status, alert) VALUES (@incidentId, @fingerprint, @position, @status, @alert)",
      ),
      updateAlert: database.prepare(
        "UPDATE incident_alerts SET status = @status, alert = @alert WHERE incident_id = @incidentId AND fingerprint = @fingerprint",
      ),
      alertsOf: database.prepare<[string], { alert: string | Buffer }>("SELECT alert FROM incident_alerts WHERE incident_id = ? ORDER BY position"),
      incidentById: database.prepare<[string], unknown>("SELECT * FROM incidents WHERE id = ?"),
      incidentByRun: database.prepare<[string], unknown>("SELECT * FROM incidents WHERE run_id = ?"),
      listIncidents: database.prepare<Record<string, unknown>, unknown>(
        "SELECT * FROM incidents WHERE (@status IS NULL OR status = @status) AND opened_at >= @since ORDER BY opened_at DESC, id DESC LIMIT @limit",
      ),
      attachRun: database.prepare("UPDATE incidents SET run_id = @runId WHERE id = @id AND run_id IS NULL"),
      replaceRun: database.prepare("UPDATE incidents SET run_id = @toRunId WHERE id = @id AND run_id = @fromRunId"),
      countDeliveries: database.prepare<[], { count: number }>("SELECT count(*) AS count FROM deliveries"),
    };
  }

  recordDelivery(input: DeliveryInput): Promise<DeliveryOutcome> {
    return this.#settle(() => this.#database.transaction(() => this.#record(input)).immediate());
  }

  getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    return this.#settle(() => {
      const row = this.#statements.incidentById.get(incidentId);
      return row === undefined ? undefined : this.#withAlerts(row);
    });
  }

  findIncidentByRun(runId: string): Promise<IncidentRecord | undefined> {
    return this.#settle(() => {
      const row = this.#statements.incidentByRun.get(runId);
      return row === undefined ? undefined : this.#withAlerts(row);
    });
  }

  listIncidents(filter: { status?: "open" | "resolved"; since?: number; limit: number }): Promise<IncidentRecord[]> {
    return this.#settle(() =>
      this.#statements.listIncidents.all({ status: filter.status ?? null, since: filter.since ?? 0, limit: filter.limit }).map((row) => this.#withAlerts(row)),
    );
  }

  attachRun(incidentId: string, runId: string): Promise<boolean> {
    return this.#settle(() => this.#statements.attachRun.run({ id: incidentId, runId }).changes === 1);
  }

  replaceRun(incidentId: string, fromRunId: string, toRunId: string): Promise<boolean> {
    return this.#settle(() => this.#statements.replaceRun.run({ id: incidentId, fromRunId, toRunId }).changes === 1);
  }

  countDeliveries(): Promise<number> {
    return this.#settle(() => this.#statements.countDeliveries.get()?.count ?? 0);
  }

  listIncidentsOwedUpdates(limit: number): Promise<string[]> {
    return this.#settle(() => this.#updates.owedIncidents(limit));
  }

  claimIncidentUpdates(incidentId: string): Promise<IncidentUpdateBatch | undefined> {
    return this.#settle(() => this.#updates.claim(incidentId));
  }

  markIncidentUpdatesPosted(key: string, at: number): Promise<void> {
    return this.#settle(() => this.#updates.markPosted(key, at));
  }

  #withAlerts(row: unknown): IncidentRecord {
    const summary = toSummary(row);
    const alerts = this.#statements.alertsOf.all(summary.id).map((alertRow) => decodeJson(alertRow.alert));
    return { ...summary, alerts: AlertsSchema.parse(alerts) };
  }

  #record(input: DeliveryInput): DeliveryOutcome {
    const statements = this.#statements;
    const existing = statements.deliveryByKey.get(input.deliveryKey);
    if (existing) return { deliveryId: existing.id, duplicate: true, changes: [] };
    const deliveryId = this.#ids.next("d_");
    statements.insertDelivery.run({
      id: deliveryId,
      source: input.source,
      deliveryKey: input.deliveryKey,
      receivedAt: input.receivedAt,
      rawBody: encodeJson(input.rawBody, json),
      alerts: encodeJson(input.alerts, json),
    });
    // The last state of each fingerprint in the delivery wins, as if it came alone.
    const latest = new Map<string, NormalizedAlert>();
    for (const alert of input.alerts) latest.set(alert.fingerprint, alert);
    const open = statements.openIncident.get(input.source, input.groupKey);
    const at = input.receivedAt;
    let incidentId: string;
    let alertCount: number;
    let firingCount: number;
    if (open === undefined) {
      // Only resolutions for a group with no open incident: nothing to open (kept as a delivery).
      if (![...latest.values()].some((alert) => alert.status === "firing")) return { deliveryId, duplicate: false, changes: [] };
      incidentId = this.#ids.next("i_");
      statements.insertIncident.run({ id: incidentId, source: input.source, groupKey: input.groupKey, title: input.title, at });
      alertCount = 0;
      firingCount = 0;
    } else {
      incidentId = open.id;
      alertCount = open.alert_count;
      firingCount = open.firing_count;
    }
    // Each incoming alert against its own row only: latest state per fingerprint. A resolution
    // of an alert this incident never saw firing is not kept (nothing to resolve).
    const added: NormalizedAlert[] = [];
    const resolved: NormalizedAlert[] = [];
    for (const alert of latest.values()) {
      const before = statements.alertStatus.get(incidentId, alert.fingerprint)?.status;
      const stored = { incidentId, fingerprint: alert.fingerprint, status: alert.status, alert: encodeJson(alert, json) };
      if (before === undefined) {
        if (alert.status !== "firing") continue;
        statements.insertAlert.run({ ...stored, position: alertCount });
        alertCount += 1;
        firingCount += 1;
        added.push(alert);
        continue;
      }
      statements.updateAlert.run(stored);
      if (before === "firing" && alert.status === "resolved") {
        firingCount -= 1;
        resolved.push(alert);
      } else if (before === "resolved" && alert.status === "firing") {
        // Fires again: the thread hears it like a new alert.
        firingCount += 1;
        added.push(alert);
      }
    }
    const allResolved = firingCount === 0;
    const change: IncidentChange["change"] =
      open === undefined ? "opened" : allResolved ? "resolved" : added.length > 0 || resolved.length > 0 ? "updated" : "unchanged";
    const row = statements.updateIncident.get({
      id: incidentId,
      status: allResolved ? "resolved" : "open",
      at,
      resolvedAt: allResolved ? at : null,
      alertCount,
      firingCount,
    });
    if (change === "updated" || change === "resolved") {
      // Owed to the run's thread, in this transaction: accepted (202) means it will be posted.
      this.#updates.owe({ incidentId, deliveryId, resolves: change === "resolved", newAlerts: added, resolvedAlerts: resolved, at });
    }
    return { deliveryId, duplicate: false, changes: [{ incident: toSummary(row), change, newAlerts: added, resolvedAlerts: resolved }] };
  }

  #settle<Result>(work: () => Result): Promise<Result> {
    return settle(this.#database.name, work);
  }
}
