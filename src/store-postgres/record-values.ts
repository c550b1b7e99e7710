import type { ApprovalRecord, AuditEventInput, StepRecord } from "../core/ports.js";
import { STATEMENTS } from "./postgres-statements.js";
import { queryCount, type Queryable, type QueryValue } from "./transactions.js";
import { eventOfUnknownRun } from "./postgres-errors.js";

/**
 * Records → the positional parameters of postgres-statements.ts. JSON values are sent as JSON
 * text (cast to `json` in the SQL): pg would turn a JavaScript array into a PostgreSQL array and
 * send a bare string unquoted.
 */

/** A value as JSON text; `undefined` is stored as null, as JSON.stringify would drop it. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

export function nullableJsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : jsonText(value);
}

/** An optional status filter: null (every status) when missing or empty, as the SQLite store reads it. */
export function statusFilter(statuses: ReadonlyArray<string> | undefined): ReadonlyArray<string> | null {
  return statuses === undefined || statuses.length === 0 ? null : statuses;
}

/** The parameters of `upsertStep`. */
export function stepValues(step: StepRecord): QueryValue[] {
  return [
    step.runId,
    step.stepIndex,
    step.stepId,
    step.status === "skipped",
    step.startedAt,
    step.finishedAt,
    step.executions,
    step.usage.modelCalls,
    step.usage.inputTokens,
    step.usage.cachedInputTokens,
    step.usage.outputTokens,
    step.usage.costUsd,
    jsonText(step.output),
  ];
}

/** The parameters of `insertApproval`. */
export function approvalValues(approval: ApprovalRecord): QueryValue[] {
  return [
    approval.id,
    approval.runId,
    approval.stepId,
    approval.stepIndex,
    approval.round,
    approval.status,
    jsonText(approval.approvers),
    approval.allowSelfApproval,
    approval.requestedBy,
    approval.requestedAt,
    approval.deadlineAt,
    approval.stepStartedAt,
    approval.stepExecutions,
    approval.stepUsage.modelCalls,
    approval.stepUsage.inputTokens,
    approval.stepUsage.cachedInputTokens,
    approval.stepUsage.outputTokens,
    approval.stepUsage.costUsd,
    approval.decidedAt,
    approval.decidedBy,
    approval.comment,
    nullableJsonText(approval.editedOutput),
    jsonText(approval.proposal),
  ];
}

/**
 * Append events inside the caller's transaction: one statement per run, runs in id order (so two
 * transactions appending to the same runs lock them in the same order), each run's events in
 * the order given. Throws RUN_NOT_FOUND (rolling the transaction back) for an unknown run.
 */
export async function insertEvents(client: Queryable, events: ReadonlyArray<AuditEventInput>): Promise<void> {
  const byRun = new Map<string, AuditEventInput[]>();
  for (const event of events) {
    const ofRun = byRun.get(event.runId);
    if (ofRun === undefined) byRun.set(event.runId, [event]);
    else ofRun.push(event);
  }
  for (const runId of [...byRun.keys()].sort()) {
    const ofRun = byRun.get(runId) ?? [];
    const inserted = await queryCount(client, STATEMENTS.appendEvents, [
      runId,
      ofRun.map((event) => event.at),
      ofRun.map((event) => event.type),
      ofRun.map((event) => event.stepId),
      ofRun.map((event) => event.actor),
      ofRun.map((event) => jsonText(event.data)),
    ]);
    if (inserted !== ofRun.length) throw eventOfUnknownRun(runId);
  }
}
