import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { listIssues, toIssues } from "../core/validation.js";
import type { ApprovalRecord, AuditEvent, AuditEventType, EffectRecord, RunRecord, RunRetry, StepRecord } from "../core/ports.js";

/**
 * PostgreSQL rows → records. What pg hands back is `unknown` until these schemas check it: a
 * row that does not fit (changed by hand, or by another program) is DATABASE_CORRUPT naming the
 * table and the row, never a half-typed record. pg returns `bigint` columns as text (they can
 * exceed 2^53) and `json` columns already parsed.
 */

/** A `bigint` column holding milliseconds or a count: text from pg, a safe integer here. */
export const bigintColumn = z
  .string()
  .regex(/^-?\d+$/)
  .transform(Number)
  .pipe(z.number().int().refine(Number.isSafeInteger, "is beyond 2^53"));
const integerColumn = z.number().int();

const runStatusSchema = z.enum(["running", "awaiting_approval", "succeeded", "failed", "rejected", "cancelled", "expired"]);
const approvalStatusSchema = z.enum(["pending", "approved", "edited", "changes_requested", "rejected", "expired", "cancelled"]);

/** Every event type, so a new one is a compile error here until it is listed. */
const EVENT_TYPES: Readonly<Record<AuditEventType, true>> = {
  "run.started": true,
  "run.recovered": true,
  "run.finished": true,
  "step.started": true,
  "step.finished": true,
  "step.skipped": true,
  "step.failed": true,
  "model.call": true,
  "model.output_invalid": true,
  "approval.requested": true,
  "approval.decided": true,
  "approval.denied": true,
  "effect.replayed": true,
  "step.retry_scheduled": true,
  "run.retried": true,
  "run.rerun": true,
};
const eventTypeSchema = z.custom<AuditEventType>((value) => typeof value === "string" && Object.hasOwn(EVENT_TYPES, value), "is not a known event type");

const originSchema = z.object({ source: z.string(), reference: z.record(z.string(), z.string()).optional() }).nullable();
const failureSchema = z
  .object({ code: z.string(), message: z.string(), stepId: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() })
  .nullable();
const usageColumns = {
  model_calls: integerColumn,
  input_tokens: integerColumn,
  cached_input_tokens: integerColumn,
  output_tokens: integerColumn,
  cost_usd: z.number(),
};

export const RUN_COLUMNS =
  "r.id, r.chain_id, r.status, r.cursor, r.step_count, r.started_by, r.created_at, r.updated_at, r.finished_at, " +
  "r.lease_owner, r.lease_expires_at, r.origin, r.error, r.input";

const runRowSchema = z.object({
  id: z.string(),
  chain_id: z.string(),
  status: runStatusSchema,
  cursor: integerColumn,
  step_count: integerColumn,
  started_by: z.string(),
  created_at: bigintColumn,
  updated_at: bigintColumn,
  finished_at: bigintColumn.nullable(),
  lease_owner: z.string().nullable(),
  lease_expires_at: bigintColumn.nullable(),
  origin: originSchema,
  error: failureSchema,
  input: z.unknown(),
});

export const STEP_COLUMNS =
  "s.run_id, s.step_index, s.step_id, s.skipped, s.started_at, s.finished_at, s.executions, s.model_calls, s.input_tokens, " +
  "s.cached_input_tokens, s.output_tokens, s.cost_usd, s.output";

const stepRowSchema = z.object({
  run_id: z.string(),
  step_index: integerColumn,
  step_id: z.string(),
  skipped: z.boolean(),
  started_at: bigintColumn,
  finished_at: bigintColumn,
  executions: integerColumn,
  ...usageColumns,
  output: z.unknown(),
});

/** Approval columns with the run's chain joined in (`a` is approvals, `r` is runs). */
export const APPROVAL_COLUMNS =
  "a.id, a.run_id, r.chain_id, a.step_id, a.step_index, a.round, a.status, a.approvers, a.allow_self_approval, a.requested_by, " +
  "a.requested_at, a.deadline_at, a.step_started_at, a.step_executions, a.model_calls, a.input_tokens, a.cached_input_tokens, " +
  "a.output_tokens, a.cost_usd, a.decided_at, a.decided_by, a.comment, a.edited_output, a.proposal";

const approvalRowSchema = z.object({
  id: z.string(),
  run_id: z.string(),
  chain_id: z.string(),
  step_id: z.string(),
  step_index: integerColumn,
  round: integerColumn,
  status: approvalStatusSchema,
  approvers: z.array(z.string()),
  allow_self_approval: z.boolean(),
  requested_by: z.string(),
  requested_at: bigintColumn,
  deadline_at: bigintColumn.nullable(),
  step_started_at: bigintColumn,
  step_executions: integerColumn,
  ...usageColumns,
  decided_at: bigintColumn.nullable(),
  decided_by: z.string().nullable(),
  comment: z.string().nullable(),
  edited_output: z.unknown(),
  proposal: z.unknown(),
});

export const EVENT_COLUMNS = "e.run_id, e.sequence, e.at, e.type, e.step_id, e.actor, e.data";

const eventRowSchema = z.object({
  run_id: z.string(),
  // bigint since migration 8: text from pg, like the timestamps.
  sequence: bigintColumn,
  at: bigintColumn,
  type: eventTypeSchema,
  step_id: z.string().nullable(),
  actor: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const EFFECT_COLUMNS = "key, run_id, recorded_at, result";

const effectRowSchema = z.object({ key: z.string(), run_id: z.string(), recorded_at: bigintColumn, result: z.unknown() });

export const RETRY_COLUMNS = "t.run_id, r.chain_id, t.step_id, t.step_index, t.attempt, t.next_attempt_at, t.waiting_since, t.waiting_for, t.code, t.message";

const retryRowSchema = z.object({
  run_id: z.string(),
  chain_id: z.string(),
  step_id: z.string(),
  step_index: integerColumn,
  attempt: integerColumn,
  next_attempt_at: bigintColumn,
  waiting_since: bigintColumn,
  waiting_for: z.string(),
  code: z.string(),
  message: z.string(),
});

export const LINEAGE_COLUMNS = "run_id, parent_run_id, from_step_id, created_at";

export const lineageRowSchema = z.object({ run_id: z.string(), parent_run_id: z.string(), from_step_id: z.string(), created_at: bigintColumn });

export function parseRow<T>(schema: z.ZodType<T>, row: unknown, table: string): T {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const id = typeof row === "object" && row !== null && "id" in row ? String(row.id) : "(unknown)";
  throw new BatonError(
    "DATABASE_CORRUPT",
    `A row of the baton PostgreSQL database cannot be read (table ${table}, row ${id}): it does not match the schema:\n` +
      `${listIssues(toIssues(result.error))}\nSomething other than baton changed it. Restore the row from a backup, or ` +
      `correct it by hand to what baton writes (see src/store-postgres/migrations).`,
    { table, rowId: id },
  );
}

export function toRunRecord(row: unknown): RunRecord {
  const run = parseRow(runRowSchema, row, "runs");
  return {
    id: run.id,
    chainId: run.chain_id,
    status: run.status,
    cursor: run.cursor,
    stepCount: run.step_count,
    input: run.input,
    startedBy: run.started_by,
    origin: run.origin,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    finishedAt: run.finished_at,
    error: run.error,
    leaseOwner: run.lease_owner,
    leaseExpiresAt: run.lease_expires_at,
  };
}

export function toStepRecord(row: unknown): StepRecord {
  const step = parseRow(stepRowSchema, row, "steps");
  return {
    runId: step.run_id,
    stepIndex: step.step_index,
    stepId: step.step_id,
    status: step.skipped ? "skipped" : "succeeded",
    output: step.output,
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

export function toApprovalRecord(row: unknown): ApprovalRecord {
  const approval = parseRow(approvalRowSchema, row, "approvals");
  return {
    id: approval.id,
    runId: approval.run_id,
    chainId: approval.chain_id,
    stepId: approval.step_id,
    stepIndex: approval.step_index,
    round: approval.round,
    status: approval.status,
    proposal: approval.proposal,
    approvers: approval.approvers,
    allowSelfApproval: approval.allow_self_approval,
    requestedBy: approval.requested_by,
    requestedAt: approval.requested_at,
    deadlineAt: approval.deadline_at,
    stepStartedAt: approval.step_started_at,
    stepUsage: {
      modelCalls: approval.model_calls,
      inputTokens: approval.input_tokens,
      cachedInputTokens: approval.cached_input_tokens,
      outputTokens: approval.output_tokens,
      costUsd: approval.cost_usd,
    },
    stepExecutions: approval.step_executions,
    decidedAt: approval.decided_at,
    decidedBy: approval.decided_by,
    editedOutput: approval.edited_output,
    comment: approval.comment,
  };
}

export function toAuditEvent(row: unknown): AuditEvent {
  const event = parseRow(eventRowSchema, row, "events");
  return { sequence: event.sequence, runId: event.run_id, at: event.at, type: event.type, stepId: event.step_id, actor: event.actor, data: event.data };
}

export function toEffectRecord(row: unknown): EffectRecord {
  const effect = parseRow(effectRowSchema, row, "effects");
  return { key: effect.key, runId: effect.run_id, result: effect.result, recordedAt: effect.recorded_at };
}

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
