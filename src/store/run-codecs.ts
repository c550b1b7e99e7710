import { z } from "zod";
import type { AuditEvent, EffectRecord, RunRecord, StepRecord } from "../core/ports.js";
import { eventTypeOfCode } from "./event-type-codes.js";
import { KEYS_PER_RUN } from "./key-layout.js";
import {
  corruptRow,
  decodeColumn,
  decodeNullableColumn,
  integer,
  jsonColumnSchema,
  parseColumn,
  parseRow,
  runStatusSchema,
  usageColumns,
} from "./row-parsing.js";
import { DERIVED_CURSOR } from "./run-cursor.js";

/**
 * Run, step, event and effect rows → records, checked with zod (see `row-parsing.ts`).
 * Approvals have their own codecs (`approval-codecs.ts`).
 */

// ─── Schemas of stored values ──────────────────────────────────────────────

// Built once: a zod schema is an object graph, and building one per row costs more than using it.
const originSchema = z.object({ source: z.string(), reference: z.record(z.string(), z.string()).optional() }).nullable();
const failureSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    stepId: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .nullable();
const eventDataSchema = z.record(z.string(), z.unknown());

// ─── Row schemas (column names as in migrations.ts) ─────────────────────────

export const RUN_COLUMNS = `key, id, chain_id, status, ${DERIVED_CURSOR} AS cursor, step_count, started_by, created_at, updated_at, finished_at, lease_owner, lease_expires_at, origin, error, input`;

const runRowSchema = z.object({
  key: integer,
  id: z.string(),
  chain_id: z.string(),
  status: runStatusSchema,
  cursor: integer,
  step_count: integer,
  started_by: z.string(),
  created_at: integer,
  updated_at: integer,
  finished_at: integer.nullable(),
  lease_owner: z.string().nullable(),
  lease_expires_at: integer.nullable(),
  origin: jsonColumnSchema.nullable(),
  error: jsonColumnSchema.nullable(),
  input: jsonColumnSchema,
});

/** Step columns (`s` is steps); the step index is the low part of the key. */
export const STEP_COLUMNS =
  `s.key % ${String(KEYS_PER_RUN)} AS step_index, s.step_id, s.skipped, s.started_at, s.finished_at, s.executions, ` +
  "s.model_calls, s.input_tokens, s.cached_input_tokens, s.output_tokens, s.cost_usd, s.output";

const stepRowSchema = z.object({
  step_index: integer,
  step_id: z.string(),
  skipped: z.union([z.literal(0), z.literal(1)]),
  started_at: integer,
  finished_at: integer,
  executions: integer,
  ...usageColumns,
  output: jsonColumnSchema,
});

/** Event columns (`e` is events) beside the `sequence` each query derives from the key and segment. */
export const EVENT_FIELDS = "e.at, e.type, e.step_id, e.actor, e.data";

const eventRowSchema = z.object({
  sequence: integer,
  at: integer,
  type: integer,
  step_id: z.string().nullable(),
  actor: z.string().nullable(),
  data: jsonColumnSchema,
});

export const EFFECT_COLUMNS = "key, run_id, recorded_at, result";

const effectRowSchema = z.object({ key: z.string(), run_id: z.string(), recorded_at: integer, result: jsonColumnSchema });

// ─── Rows → records ─────────────────────────────────────────────────────────

export function toRunRecord(row: unknown): RunRecord {
  const run = parseRow(runRowSchema, row, "runs");
  return {
    id: run.id,
    chainId: run.chain_id,
    status: run.status,
    cursor: run.cursor,
    stepCount: run.step_count,
    input: decodeColumn(run.input, "runs", run.id),
    startedBy: run.started_by,
    origin: parseColumn(originSchema, decodeNullableColumn(run.origin, "runs", run.id), "runs", run.id),
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    finishedAt: run.finished_at,
    error: parseColumn(failureSchema, decodeNullableColumn(run.error, "runs", run.id), "runs", run.id),
    leaseOwner: run.lease_owner,
    leaseExpiresAt: run.lease_expires_at,
  };
}

export function toStepRecord(row: unknown, runId: string): StepRecord {
  const step = parseRow(stepRowSchema, row, "steps");
  const rowId = `${runId}#${String(step.step_index)}`;
  return {
    runId,
    stepIndex: step.step_index,
    stepId: step.step_id,
    status: step.skipped === 1 ? "skipped" : "succeeded",
    output: decodeColumn(step.output, "steps", rowId),
    startedAt: step.started_at,
    finishedAt: step.finished_at,
    executions: step.executions,
    usage: {
      modelCalls: step.model_calls,
      inputTokens: step.input_tokens,
      cachedInputTokens: step.cached_input_tokens,
      outputTokens: step.output_tokens,
      costUsd: step.cost_usd,
    },
  };
}

export function toAuditEvent(row: unknown, runId: string): AuditEvent {
  const event = parseRow(eventRowSchema, row, "events");
  const rowId = String(event.sequence);
  const type = eventTypeOfCode(event.type);
  if (type === undefined) throw corruptRow("events", rowId, `unknown event type code ${String(event.type)}`);
  return {
    sequence: event.sequence,
    runId,
    at: event.at,
    type,
    stepId: event.step_id,
    actor: event.actor,
    data: parseColumn(eventDataSchema, decodeColumn(event.data, "events", rowId), "events", rowId),
  };
}

export function toEffectRecord(row: unknown): EffectRecord {
  const effect = parseRow(effectRowSchema, row, "effects");
  return {
    key: effect.key,
    runId: effect.run_id,
    result: decodeColumn(effect.result, "effects", effect.key),
    recordedAt: effect.recorded_at,
  };
}
