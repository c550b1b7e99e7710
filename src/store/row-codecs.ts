import { z } from "zod";
import { BatonError } from "../core/errors.js";
import type { ApprovalRecord, AuditEvent, EffectRecord, RunRecord, StepRecord } from "../core/ports.js";
import { listIssues, toIssues } from "../core/validation.js";
import { eventTypeOfCode } from "./event-type-codes.js";
import { decodeJson, JsonColumnError, type JsonColumnValue } from "./json-columns.js";
import { KEYS_PER_RUN } from "./migrations.js";
import { DERIVED_CURSOR } from "./run-cursor.js";

/**
 * Rows → records. What comes out of the database is `unknown` until a zod schema has checked
 * it: a row that does not fit (edited by hand, damaged) is a `DATABASE_CORRUPT` error naming
 * the table and the row, never a half-typed record.
 */

// ─── Schemas of stored values ──────────────────────────────────────────────

const runStatusSchema = z.enum(["running", "awaiting_approval", "succeeded", "failed", "rejected", "cancelled", "expired"]);
const approvalStatusSchema = z.enum(["pending", "approved", "edited", "changes_requested", "rejected", "expired", "cancelled"]);
const jsonColumnSchema = z.union([z.string(), z.instanceof(Buffer)]);
const integer = z.number().int();

const originSchema = z.object({ source: z.string(), reference: z.record(z.string(), z.string()).optional() });
const failureSchema = z.object({
  code: z.string(),
  message: z.string(),
  stepId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
const eventDataSchema = z.record(z.string(), z.unknown());
const approversSchema = z.array(z.string());

// ─── Row schemas (column names as in migrations.ts) ─────────────────────────

export const RUN_COLUMNS = `key, id, chain_id, status, ${DERIVED_CURSOR} AS cursor, step_count, started_by, created_at, updated_at, finished_at, lease_owner, lease_expires_at, origin, error, input`;

/** The run's columns as stored, for a write that sets the `cursor` column itself (`RETURNING`). */
export const STORED_RUN_COLUMNS = `key, id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, finished_at, lease_owner, lease_expires_at, origin, error, input`;

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
  "s.model_calls, s.input_tokens, s.output_tokens, s.cost_usd, s.output";

const usageColumns = {
  model_calls: integer,
  input_tokens: integer,
  output_tokens: integer,
  cost_usd: z.number(),
};

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

/** Approval columns, with the run's id and chain joined in (`a` is approvals, `r` is runs). */
export const APPROVAL_COLUMNS =
  "a.id, r.id AS run_id, r.chain_id, a.step_id, a.step_index, a.round, a.status, a.approvers, a.allow_self_approval, " +
  "a.requested_by, a.requested_at, a.deadline_at, a.step_started_at, a.step_executions, a.model_calls, a.input_tokens, " +
  "a.output_tokens, a.cost_usd, a.decided_at, a.decided_by, a.comment, a.edited_output, a.proposal";

const approvalRowSchema = z.object({
  id: z.string(),
  run_id: z.string(),
  chain_id: z.string(),
  step_id: z.string(),
  step_index: integer,
  round: integer,
  status: approvalStatusSchema,
  approvers: jsonColumnSchema,
  allow_self_approval: z.union([z.literal(0), z.literal(1)]),
  requested_by: z.string(),
  requested_at: integer,
  deadline_at: integer.nullable(),
  step_started_at: integer,
  step_executions: integer,
  ...usageColumns,
  decided_at: integer.nullable(),
  decided_by: z.string().nullable(),
  comment: z.string().nullable(),
  edited_output: jsonColumnSchema.nullable(),
  proposal: jsonColumnSchema,
});

/** Event columns (`e` is events); the sequence is the low part of the key. */
export const EVENT_COLUMNS = `e.key % ${String(KEYS_PER_RUN)} AS sequence, e.at, e.type, e.step_id, e.actor, e.data`;

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
    origin: parseColumn(originSchema.nullable(), decodeNullableColumn(run.origin, "runs", run.id), "runs", run.id),
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    finishedAt: run.finished_at,
    error: parseColumn(failureSchema.nullable(), decodeNullableColumn(run.error, "runs", run.id), "runs", run.id),
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
    usage: { modelCalls: step.model_calls, inputTokens: step.input_tokens, outputTokens: step.output_tokens, costUsd: step.cost_usd },
  };
}

export function toApprovalRecord(row: unknown): ApprovalRecord {
  return approvalRecordOf(parseRow(approvalRowSchema, row, "approvals"));
}

function approvalRecordOf(approval: z.infer<typeof approvalRowSchema>): ApprovalRecord {
  const id = approval.id;
  const record: ApprovalRecord = {
    id,
    runId: approval.run_id,
    chainId: approval.chain_id,
    stepId: approval.step_id,
    stepIndex: approval.step_index,
    round: approval.round,
    status: approval.status,
    proposal: undefined,
    approvers: parseColumn(approversSchema, decodeColumn(approval.approvers, "approvals", id), "approvals", id),
    allowSelfApproval: approval.allow_self_approval === 1,
    requestedBy: approval.requested_by,
    requestedAt: approval.requested_at,
    deadlineAt: approval.deadline_at,
    stepStartedAt: approval.step_started_at,
    stepUsage: {
      modelCalls: approval.model_calls,
      inputTokens: approval.input_tokens,
      outputTokens: approval.output_tokens,
      costUsd: approval.cost_usd,
    },
    stepExecutions: approval.step_executions,
    decidedAt: approval.decided_at,
    decidedBy: approval.decided_by,
    editedOutput: undefined,
    comment: approval.comment,
  };
  // The proposal (and an edit) is most of the row and is stored compressed; many readers only
  // want the approval's status or id (lookups, lists, the decision's checks). It is inflated
  // and parsed when first read, once; a damaged column is DATABASE_CORRUPT at that read.
  decodeOnFirstRead(record, "proposal", approval.proposal, id);
  if (approval.edited_output === null) record.editedOutput = null;
  else decodeOnFirstRead(record, "editedOutput", approval.edited_output, id);
  return record;
}

/**
 * Makes `record[field]` an own, enumerable property whose value is decoded from `stored` when
 * first read (spread, JSON.stringify and equality checks read it like any other property).
 * Assigning it replaces the stored value.
 */
function decodeOnFirstRead(record: ApprovalRecord, field: "proposal" | "editedOutput", stored: JsonColumnValue, rowId: string): void {
  Object.defineProperty(record, field, {
    enumerable: true,
    configurable: true,
    get(this: ApprovalRecord): unknown {
      const value = decodeColumn(stored, "approvals", rowId);
      Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
      return value;
    },
    set(this: ApprovalRecord, value: unknown): void {
      Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** A copy of an approval with `changes` applied; a value not decoded yet stays so in the copy. */
export function copyApproval(approval: ApprovalRecord, changes: Partial<ApprovalRecord>): ApprovalRecord {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(approval)) as ApprovalRecord;
  return Object.assign(copy, changes);
}

/** An approval row read for a decision: the approval, plus its run's key and status. */
export interface ApprovalForDecision {
  approval: ApprovalRecord;
  runKey: number;
  runStatus: RunRecord["status"];
}

/** Approval columns for a decision (`a` is approvals, `r` is runs): the approval's, its run's key and status. */
export const DECISION_APPROVAL_COLUMNS = `${APPROVAL_COLUMNS}, a.run_key, r.status AS run_status`;

const decisionApprovalRowSchema = approvalRowSchema.extend({ run_key: integer, run_status: runStatusSchema });

/** What a decision checks when the caller already holds the approval. */
export interface DecisionState {
  approvalStatus: ApprovalRecord["status"];
  runKey: number;
  stepIndex: number;
  runId: string;
  runStatus: RunRecord["status"];
}

const decisionStateRowSchema = z.object({
  approval_status: approvalStatusSchema,
  run_key: integer,
  step_index: integer,
  run_id: z.string(),
  run_status: runStatusSchema,
});

export function toDecisionState(row: unknown): DecisionState {
  const state = parseRow(decisionStateRowSchema, row, "approvals");
  return { approvalStatus: state.approval_status, runKey: state.run_key, stepIndex: state.step_index, runId: state.run_id, runStatus: state.run_status };
}

export function toApprovalForDecision(row: unknown): ApprovalForDecision {
  const parsed = parseRow(decisionApprovalRowSchema, row, "approvals");
  return { approval: approvalRecordOf(parsed), runKey: parsed.run_key, runStatus: parsed.run_status };
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

/** A value of an INTEGER PRIMARY KEY (`RETURNING key`, `SELECT key`, `max(key)`). */
export function toRowKey(value: unknown, table: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  throw corruptRow(table, "(key)", `a key is not an integer but ${typeof value}`);
}

// ─── Helpers ────────────────────────────────────────────────────────────────

function parseRow<T>(schema: z.ZodType<T>, row: unknown, table: string): T {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const id = typeof row === "object" && row !== null && "id" in row ? String(row.id) : "(unknown)";
  throw corruptRow(table, id, `the row does not match the schema:\n${listIssues(toIssues(result.error))}`);
}

function parseColumn<T>(schema: z.ZodType<T>, value: unknown, table: string, rowId: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw corruptRow(table, rowId, `a JSON column does not match its schema:\n${listIssues(toIssues(result.error))}`);
}

function decodeColumn(stored: JsonColumnValue, table: string, rowId: string): unknown {
  try {
    return decodeJson(stored);
  } catch (error) {
    if (error instanceof JsonColumnError) throw corruptRow(table, rowId, error.message, error);
    throw error;
  }
}

function decodeNullableColumn(stored: JsonColumnValue | null, table: string, rowId: string): unknown {
  return stored === null ? null : decodeColumn(stored, table, rowId);
}

function corruptRow(table: string, rowId: string, reason: string, cause?: unknown): BatonError {
  return new BatonError(
    "DATABASE_CORRUPT",
    `A row of the baton database cannot be read (table ${table}, row ${rowId}): ${reason}\n` +
      `The database was changed by something other than baton, or is damaged. Restore it from a backup, or move ` +
      `it aside so baton starts a new one.`,
    { table, rowId },
    cause === undefined ? undefined : { cause },
  );
}
