import type Database from "better-sqlite3";
import { z } from "zod";
import { NormalizedAlertSchema, type AlertStore, type DeliveryInput, type DeliveryOutcome, type IdGenerator, type IncidentChange, type IncidentRecord, type NormalizedAlert } from "../core/ports.js";
import { COMPRESS_FROM_BYTES, decodeJson, encodeJson } from "./json-columns.js";
import { toStoreError } from "./store-errors.js";

/**
 * The `AlertStore` on the baton database (tables `deliveries` and `incidents`, migration 3).
 * A delivery is one `BEGIN IMMEDIATE` transaction: the raw body, the redelivery check and the
 * incident grouping are written together or not at all, so an accepted alert is never lost and
 * two processes cannot both open an incident for one group. Shares the store's connection.
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
  alerts: z.union([z.string(), z.instanceof(Buffer)]),
});

function toIncident(row: unknown): IncidentRecord {
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
    alerts: z.array(NormalizedAlertSchema).parse(decodeJson(parsed.alerts)),
  };
}

/** The incident's alerts after this delivery: latest state per fingerprint, in arrival order. */
function merge(existing: ReadonlyArray<NormalizedAlert>, incoming: ReadonlyArray<NormalizedAlert>): { alerts: NormalizedAlert[]; added: NormalizedAlert[]; resolved: NormalizedAlert[] } {
  const byFingerprint = new Map(existing.map((alert) => [alert.fingerprint, alert]));
  const added: NormalizedAlert[] = [];
  const resolved: NormalizedAlert[] = [];
  for (const alert of incoming) {
    const before = byFingerprint.get(alert.fingerprint);
    if (!before && alert.status === "firing") added.push(alert);
    if (before?.status === "firing" && alert.status === "resolved") resolved.push(alert);
    if (before || alert.status === "firing") byFingerprint.set(alert.fingerprint, alert);
  }
  return { alerts: [...byFingerprint.values()], added, resolved };
}

export class SqliteAlertStore implements AlertStore {
  readonly #database: Database.Database;
  readonly #ids: IdGenerator;
  readonly #statements;

  constructor(database: Database.Database, ids: IdGenerator) {
    this.#database = database;
    this.#ids = ids;
    this.#statements = {
      deliveryByKey: database.prepare<[string], { id: string }>("SELECT id FROM deliveries WHERE delivery_key = ?"),
      insertDelivery: database.prepare("INSERT INTO deliveries (id, source, delivery_key, received_at, raw_body, alerts) VALUES (@id, @source, @deliveryKey, @receivedAt, @rawBody, @alerts)"),
      openIncident: database.prepare<[string, string], unknown>("SELECT * FROM incidents WHERE source = ? AND group_key = ? AND status = 'open'"),
      insertIncident: database.prepare(
        "INSERT INTO incidents (id, source, group_key, status, title, run_id, opened_at, updated_at, resolved_at, alerts) VALUES (@id, @source, @groupKey, 'open', @title, NULL, @at, @at, NULL, @alerts)",
      ),
      updateIncident: database.prepare("UPDATE incidents SET status = @status, updated_at = @at, resolved_at = @resolvedAt, alerts = @alerts WHERE id = @id"),
      incidentById: database.prepare<[string], unknown>("SELECT * FROM incidents WHERE id = ?"),
      incidentByRun: database.prepare<[string], unknown>("SELECT * FROM incidents WHERE run_id = ?"),
      listIncidents: database.prepare<Record<string, unknown>, unknown>(
        "SELECT * FROM incidents WHERE (@status IS NULL OR status = @status) AND opened_at >= @since ORDER BY opened_at DESC, id DESC LIMIT @limit",
      ),
      attachRun: database.prepare("UPDATE incidents SET run_id = @runId WHERE id = @id AND run_id IS NULL"),
      countDeliveries: database.prepare<[], { count: number }>("SELECT count(*) AS count FROM deliveries"),
    };
  }

  recordDelivery(input: DeliveryInput): Promise<DeliveryOutcome> {
    return this.#settle(() => this.#database.transaction(() => this.#record(input)).immediate());
  }

  getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    return this.#settle(() => {
      const row = this.#statements.incidentById.get(incidentId);
      return row === undefined ? undefined : toIncident(row);
    });
  }

  findIncidentByRun(runId: string): Promise<IncidentRecord | undefined> {
    return this.#settle(() => {
      const row = this.#statements.incidentByRun.get(runId);
      return row === undefined ? undefined : toIncident(row);
    });
  }

  listIncidents(filter: { status?: "open" | "resolved"; since?: number; limit: number }): Promise<IncidentRecord[]> {
    return this.#settle(() => this.#statements.listIncidents.all({ status: filter.status ?? null, since: filter.since ?? 0, limit: filter.limit }).map(toIncident));
  }

  attachRun(incidentId: string, runId: string): Promise<boolean> {
    return this.#settle(() => this.#statements.attachRun.run({ id: incidentId, runId }).changes === 1);
  }

  countDeliveries(): Promise<number> {
    return this.#settle(() => this.#statements.countDeliveries.get()?.count ?? 0);
  }

  #record(input: DeliveryInput): DeliveryOutcome {
    const statements = this.#statements;
    const existing = statements.deliveryByKey.get(input.deliveryKey);
    if (existing) return { deliveryId: existing.id, duplicate: true, changes: [] };
    const deliveryId = this.#ids.next("d_");
    statements.insertDelivery.run({ id: deliveryId, source: input.source, deliveryKey: input.deliveryKey, receivedAt: input.receivedAt, rawBody: encodeJson(input.rawBody, json), alerts: encodeJson(input.alerts, json) });
    const openRow = statements.openIncident.get(input.source, input.groupKey);
    const at = input.receivedAt;
    if (openRow === undefined) {
      const firing = input.alerts.filter((alert) => alert.status === "firing");
      // Only resolutions for a group with no open incident: nothing to open (kept as a delivery).
      if (firing.length === 0) return { deliveryId, duplicate: false, changes: [] };
      const id = this.#ids.next("i_");
      statements.insertIncident.run({ id, source: input.source, groupKey: input.groupKey, title: input.title, at, alerts: encodeJson(firing, json) });
      const incident = toIncident(statements.incidentById.get(id));
      return { deliveryId, duplicate: false, changes: [{ incident, change: "opened", newAlerts: firing, resolvedAlerts: [] }] };
    }
    const before = toIncident(openRow);
    const merged = merge(before.alerts, input.alerts);
    const allResolved = merged.alerts.every((alert) => alert.status === "resolved");
    const change: IncidentChange["change"] = allResolved ? "resolved" : merged.added.length > 0 || merged.resolved.length > 0 ? "updated" : "unchanged";
    statements.updateIncident.run({ id: before.id, status: allResolved ? "resolved" : "open", at, resolvedAt: allResolved ? at : null, alerts: encodeJson(merged.alerts, json) });
    const incident = toIncident(statements.incidentById.get(before.id));
    return { deliveryId, duplicate: false, changes: [{ incident, change, newAlerts: merged.added, resolvedAlerts: merged.resolved }] };
  }

  #settle<Result>(work: () => Result): Promise<Result> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toStoreError(error, this.#database.name));
    }
  }
}
