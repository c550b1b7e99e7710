import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { listIssues, toIssues } from "../core/validation.js";
import { decodeJson, JsonColumnError, type JsonColumnValue } from "./json-columns.js";

/**
 * Reading rows safely: what comes out of the database is `unknown` until a zod schema has
 * checked it, and a row that does not fit (edited by hand, damaged) is a `DATABASE_CORRUPT`
 * error naming the table and the row, never a half-typed record. Shared by the run and
 * approval codecs.
 */

export const runStatusSchema = z.enum(["running", "awaiting_approval", "succeeded", "failed", "rejected", "cancelled", "expired"]);
export const jsonColumnSchema = z.union([z.string(), z.instanceof(Buffer)]);
export const integer = z.number().int();

/** Usage columns as steps and approvals store them. */
export const usageColumns = {
  model_calls: integer,
  input_tokens: integer,
  cached_input_tokens: integer,
  output_tokens: integer,
  cost_usd: z.number(),
};

/** A value of an INTEGER PRIMARY KEY (`RETURNING key`, `SELECT key`, `max(key)`). */
export function toRowKey(value: unknown, table: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  throw corruptRow(table, "(key)", `a key is not an integer but ${typeof value}`);
}

export function parseRow<T>(schema: z.ZodType<T>, row: unknown, table: string): T {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const id = typeof row === "object" && row !== null && "id" in row ? String(row.id) : "(unknown)";
  throw corruptRow(table, id, `the row does not match the schema:\n${listIssues(toIssues(result.error))}`);
}

export function parseColumn<T>(schema: z.ZodType<T>, value: unknown, table: string, rowId: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw corruptRow(table, rowId, `a JSON column does not match its schema:\n${listIssues(toIssues(result.error))}`);
}

export function decodeColumn(stored: JsonColumnValue, table: string, rowId: string): unknown {
  try {
    return decodeJson(stored);
  } catch (error) {
    if (error instanceof JsonColumnError) throw corruptRow(table, rowId, error.message, error);
    throw error;
  }
}

export function decodeNullableColumn(stored: JsonColumnValue | null, table: string, rowId: string): unknown {
  return stored === null ? null : decodeColumn(stored, table, rowId);
}

export function corruptRow(table: string, rowId: string, reason: string, cause?: unknown): BatonError {
  return new BatonError(
    "DATABASE_CORRUPT",
    `A row of the baton database cannot be read (table ${table}, row ${rowId}): ${reason}\n` +
      `The database was changed by something other than baton, or is damaged. Restore it from a backup, or move ` +
      `it aside so baton starts a new one.`,
    { table, rowId },
    cause === undefined ? undefined : { cause },
  );
}

const eventSegmentsSchema = z.array(z.number().int().nonnegative());

/**
 * The key ranges that hold a run's events (migration 7): its own key first, then its event
 * segments (`runs.event_segments`, a JSON array, NULL while it has none), oldest first.
 */
export function eventRangesOfRun(runKey: number, eventSegments: unknown, runId: string): number[] {
  if (eventSegments === null || eventSegments === undefined) return [runKey];
  if (typeof eventSegments !== "string") throw corruptRow("runs", runId, "event_segments is not JSON text");
  return [runKey, ...parseColumn(eventSegmentsSchema, decodeColumn(eventSegments, "runs", runId), "runs", runId)];
}
