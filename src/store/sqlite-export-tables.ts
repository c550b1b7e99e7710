import type Database from "better-sqlite3";
import { z } from "zod";
import { NormalizedAlertSchema } from "../core/incidents.js";
import type { CopiedDelivery, CopiedIncidentAlert, CopiedIncidentUpdate, CopiedIntent, RecordPage, RetentionLogEntry } from "../core/state-copy.js";
import { APPROVAL_COLUMNS, toApprovalRecord } from "./approval-codecs.js";
import { decodeColumn, integer, jsonColumnSchema, parseColumn, parseRow } from "./row-parsing.js";
import { EFFECT_COLUMNS, RUN_COLUMNS, toAuditEvent, toEffectRecord, toRunRecord, toStepRecord } from "./run-codecs.js";
import { toSummary } from "./sqlite-alert-store.js";
import { toPostedMessage } from "./sqlite-message-ledger.js";
import { lineageRowSchema, RETRY_COLUMNS, toRunRetry } from "./sqlite-run-retries.js";
import { prepareStatements } from "./statements.js";

/**
 * Every table of a baton database as pages of records, for sqlite-export.ts (which holds the
 * read transaction). Each table is read in its key order after the last key read (keyset
 * paging: one index range per page, whatever the table's size). Runs, steps, approvals, events,
 * effects, retries, messages and incidents go through the same codecs and statements the stores
 * read them with; a run's steps and events through the store's own per-run statements, so how
 * keys are packed (runs, event segments) stays the store's business.
 */

type Row = Record<string, unknown>;
const alertsSchema = z.array(NormalizedAlertSchema);
const keyRowSchema = z.object({ key: integer, id: z.string() });
const runOrderSchema = z.object({ key: integer, detail_pruned_at: integer.nullable() });
const rowOrderSchema = z.object({ row_order: integer });

export function* readTablePages(database: Database.Database, pageSize: number): Generator<RecordPage> {
  const statements = prepareStatements(database);
  const page = (sql: string) => database.prepare<[unknown, number], Row>(sql);
  const byRowOrder = (row: Row) => rowOrderSchema.parse(row).row_order;

  const runs = page(`SELECT ${RUN_COLUMNS}, detail_pruned_at FROM runs WHERE key > ? ORDER BY key LIMIT ?`);
  for (const rows of keyedPages(runs, 0, (row) => runOrderSchema.parse(row).key, pageSize)) {
    const records = rows.map((row) => {
      const order = runOrderSchema.parse(row);
      return { run: toRunRecord(row), creationOrder: order.key, detailPrunedAt: order.detail_pruned_at };
    });
    yield { table: "runs", records };
  }

  const runIds = page("SELECT key, id FROM runs WHERE key > ? ORDER BY key LIMIT ?");
  for (const records of perRunPages(runIds, pageSize, (runId) => statements.selectSteps.all(runId).map((row) => toStepRecord(row, runId)))) {
    yield { table: "steps", records };
  }

  const approvals = page(
    `SELECT ${APPROVAL_COLUMNS}, a.rowid AS row_order FROM approvals a JOIN runs r ON r.key = a.run_key WHERE a.rowid > ? ORDER BY a.rowid LIMIT ?`,
  );
  for (const rows of keyedPages(approvals, 0, byRowOrder, pageSize)) {
    yield { table: "approvals", records: rows.map((row) => ({ approval: toApprovalRecord(row), requestOrder: byRowOrder(row) })) };
  }

  for (const records of perRunPages(runIds, pageSize, (runId) => statements.selectEvents.all({ runId }).map((row) => toAuditEvent(row, runId)))) {
    yield { table: "events", records };
  }

  const retries = page(
    `SELECT ${RETRY_COLUMNS}, t.run_key AS row_order FROM run_retries t JOIN runs r ON r.key = t.run_key WHERE t.run_key > ? ORDER BY t.run_key LIMIT ?`,
  );
  for (const rows of keyedPages(retries, 0, byRowOrder, pageSize)) yield { table: "run_retries", records: rows.map(toRunRetry) };

  const lineage = page("SELECT run_id, parent_run_id, from_step_id, created_at FROM run_lineage WHERE run_id > ? ORDER BY run_id LIMIT ?");
  for (const rows of keyedPages(lineage, "", (row) => String(row["run_id"]), pageSize)) {
    const records = rows.map((row) => parseRow(lineageRowSchema, row, "run_lineage"));
    yield {
      table: "run_lineage",
      records: records.map((row) => ({ runId: row.run_id, parentRunId: row.parent_run_id, fromStepId: row.from_step_id, createdAt: row.created_at })),
    };
  }

  const effects = page(`SELECT ${EFFECT_COLUMNS} FROM effects WHERE key > ? ORDER BY key LIMIT ?`);
  for (const rows of keyedPages(effects, "", (row) => String(row["key"]), pageSize)) yield { table: "effects", records: rows.map(toEffectRecord) };

  const messages = page("SELECT * FROM posted_messages WHERE key > ? ORDER BY key LIMIT ?");
  for (const rows of keyedPages(messages, "", (row) => String(row["key"]), pageSize)) {
    yield { table: "posted_messages", records: rows.map(toPostedMessage) };
  }

  // Raw bodies can be large: a fifth of the page size.
  const deliveries = page("SELECT rowid AS row_order, * FROM deliveries WHERE rowid > ? ORDER BY rowid LIMIT ?");
  for (const rows of keyedPages(deliveries, 0, byRowOrder, Math.max(1, Math.floor(pageSize / 5)))) {
    yield { table: "deliveries", records: rows.map(toDelivery) };
  }

  const incidents = page("SELECT rowid AS row_order, * FROM incidents WHERE rowid > ? ORDER BY rowid LIMIT ?");
  for (const rows of keyedPages(incidents, 0, byRowOrder, pageSize)) yield { table: "incidents", records: rows.map(toSummary) };

  // WITHOUT ROWID, keyed by (incident, fingerprint): paged on that pair.
  const incidentAlerts = database.prepare<[string, string, number], Row>(
    "SELECT * FROM incident_alerts WHERE (incident_id, fingerprint) > (?, ?) ORDER BY incident_id, fingerprint LIMIT ?",
  );
  const readAlerts = { all: ([incidentId, fingerprint]: [string, string], limit: number) => incidentAlerts.all(incidentId, fingerprint, limit) };
  for (const rows of keyedPages(readAlerts, ["", ""], (row) => [String(row["incident_id"]), String(row["fingerprint"])], pageSize)) {
    yield { table: "incident_alerts", records: rows.map(toIncidentAlert) };
  }

  const updates = page("SELECT id AS row_order, * FROM incident_updates WHERE id > ? ORDER BY id LIMIT ?");
  for (const rows of keyedPages(updates, 0, byRowOrder, pageSize)) yield { table: "incident_updates", records: rows.map(toIncidentUpdate) };

  const intents = page("SELECT rowid AS row_order, * FROM command_intents WHERE rowid > ? ORDER BY rowid LIMIT ?");
  for (const rows of keyedPages(intents, 0, byRowOrder, pageSize)) yield { table: "command_intents", records: rows.map(toIntent) };

  const retentionLog = page("SELECT rowid AS row_order, * FROM retention_log WHERE rowid > ? ORDER BY rowid LIMIT ?");
  for (const rows of keyedPages(retentionLog, 0, byRowOrder, pageSize)) {
    yield { table: "retention_log", records: rows.map((row) => parseRow(retentionLogRowSchema, row, "retention_log")) };
  }
}

/** Pages of `limit` rows after the last key read, until a page comes back short. */
function* keyedPages<Key>(read: { all(after: Key, limit: number): Row[] }, first: Key, keyOf: (row: Row) => Key, limit: number): Generator<Row[]> {
  let after = first;
  for (;;) {
    const rows = read.all(after, limit);
    const last = rows.at(-1);
    if (last === undefined) return;
    yield rows;
    if (rows.length < limit) return;
    after = keyOf(last);
  }
}

/** The records of each run (in creation order), gathered into pages of about `size`. */
function* perRunPages<Record>(runIds: { all(after: number, limit: number): Row[] }, size: number, recordsOf: (runId: string) => Record[]): Generator<Record[]> {
  let gathered: Record[] = [];
  for (const rows of keyedPages(runIds, 0, (row) => keyRowSchema.parse(row).key, size)) {
    for (const row of rows) {
      gathered.push(...recordsOf(keyRowSchema.parse(row).id));
      if (gathered.length >= size) {
        yield gathered;
        gathered = [];
      }
    }
  }
  if (gathered.length > 0) yield gathered;
}

// ─── The tables whose rows no store reads back whole ────────────────────────

const deliveryRowSchema = z.object({
  id: z.string(),
  source: z.enum(["alertmanager", "grafana", "pagerduty", "generic"]),
  delivery_key: z.string(),
  received_at: integer,
  raw_body: jsonColumnSchema,
  alerts: jsonColumnSchema,
});

function toDelivery(row: Row): CopiedDelivery {
  const delivery = parseRow(deliveryRowSchema, row, "deliveries");
  const id = delivery.id;
  return {
    id,
    source: delivery.source,
    deliveryKey: delivery.delivery_key,
    receivedAt: delivery.received_at,
    rawBody: parseColumn(z.string(), decodeColumn(delivery.raw_body, "deliveries", id), "deliveries", id),
    alerts: parseColumn(alertsSchema, decodeColumn(delivery.alerts, "deliveries", id), "deliveries", id),
  };
}

const incidentAlertRowSchema = z.object({
  incident_id: z.string(),
  fingerprint: z.string(),
  position: integer,
  status: z.enum(["firing", "resolved"]),
  alert: jsonColumnSchema,
});

function toIncidentAlert(row: Row): CopiedIncidentAlert {
  const stored = parseRow(incidentAlertRowSchema, row, "incident_alerts");
  const rowId = `${stored.incident_id}/${stored.fingerprint}`;
  return {
    incidentId: stored.incident_id,
    fingerprint: stored.fingerprint,
    position: stored.position,
    status: stored.status,
    alert: parseColumn(NormalizedAlertSchema, decodeColumn(stored.alert, "incident_alerts", rowId), "incident_alerts", rowId),
  };
}

const incidentUpdateRowSchema = z.object({
  id: integer,
  incident_id: z.string(),
  delivery_id: z.string(),
  resolves: z.union([z.literal(0), z.literal(1)]),
  new_alerts: jsonColumnSchema,
  resolved_alerts: jsonColumnSchema,
  created_at: integer,
  batch: z.string().nullable(),
  posted_at: integer.nullable(),
});

function toIncidentUpdate(row: Row): CopiedIncidentUpdate {
  const update = parseRow(incidentUpdateRowSchema, row, "incident_updates");
  const rowId = String(update.id);
  return {
    id: update.id,
    incidentId: update.incident_id,
    deliveryId: update.delivery_id,
    resolves: update.resolves === 1,
    newAlerts: parseColumn(alertsSchema, decodeColumn(update.new_alerts, "incident_updates", rowId), "incident_updates", rowId),
    resolvedAlerts: parseColumn(alertsSchema, decodeColumn(update.resolved_alerts, "incident_updates", rowId), "incident_updates", rowId),
    createdAt: update.created_at,
    batch: update.batch,
    postedAt: update.posted_at,
  };
}

const intentRowSchema = z.object({ id: z.string(), kind: z.string(), payload: jsonColumnSchema, created_at: integer, finished_at: integer.nullable() });

function toIntent(row: Row): CopiedIntent {
  const intent = parseRow(intentRowSchema, row, "command_intents");
  return {
    intent: { id: intent.id, kind: intent.kind, payload: decodeColumn(intent.payload, "command_intents", intent.id), createdAt: intent.created_at },
    finishedAt: intent.finished_at,
  };
}

const retentionLogRowSchema: z.ZodType<RetentionLogEntry> = z.object({
  at: integer,
  cutoff: integer,
  runs: integer,
  events: integer,
  effects: integer,
  deliveries: integer,
});
