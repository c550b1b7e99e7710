import { BatonError } from "../core/errors.js";
import type { ApprovalRecord, AuditEventInput, StepRecord } from "../core/ports.js";
import { EVENT_TYPE_CODES } from "./event-type-codes.js";
import { encodeJson, encodeNullableJson, type JsonColumnOptions } from "./json-columns.js";
import { KEYS_PER_RUN } from "./key-layout.js";

/**
 * Records → the named parameters of the statements in statements.ts (`@stepId` for
 * `step.stepId`): booleans as 0/1, usage as columns, JSON through json-columns.ts.
 */

/** A value better-sqlite3 binds as-is. */
export type SqlValue = string | number | bigint | Buffer | null;

/** Named statement parameters. */
export type Parameters = Record<string, SqlValue>;

/** An event encoded before its transaction starts; `key` (its place in the log) is added inside. */
export interface EncodedEvent {
  runId: string;
  parameters: Parameters;
}

/** The step row without its run key, which the guarded update returns inside the transaction. */
export function stepParameters(step: StepRecord, json: JsonColumnOptions): Parameters {
  if (!Number.isSafeInteger(step.stepIndex) || step.stepIndex < 0 || step.stepIndex >= KEYS_PER_RUN) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Step index ${String(step.stepIndex)} of run ${step.runId} cannot be stored: a run's steps are numbered 0 to ` +
        `${String(KEYS_PER_RUN - 1)}. Check the chain definition and the runner's cursor.`,
      { runId: step.runId, stepIndex: step.stepIndex },
    );
  }
  return {
    stepIndex: step.stepIndex,
    stepId: step.stepId,
    skipped: step.status === "skipped" ? 1 : 0,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    executions: step.executions,
    modelCalls: step.usage.modelCalls,
    inputTokens: step.usage.inputTokens,
    cachedInputTokens: step.usage.cachedInputTokens,
    outputTokens: step.usage.outputTokens,
    costUsd: step.usage.costUsd,
    output: encodeJson(step.output, json),
  };
}

/** The approval row without its run key. */
export function approvalParameters(approval: ApprovalRecord, json: JsonColumnOptions): Parameters {
  return {
    id: approval.id,
    stepId: approval.stepId,
    stepIndex: approval.stepIndex,
    round: approval.round,
    status: approval.status,
    approvers: encodeJson(approval.approvers, json),
    allowSelfApproval: approval.allowSelfApproval ? 1 : 0,
    requestedBy: approval.requestedBy,
    requestedAt: approval.requestedAt,
    deadlineAt: approval.deadlineAt,
    stepStartedAt: approval.stepStartedAt,
    stepExecutions: approval.stepExecutions,
    modelCalls: approval.stepUsage.modelCalls,
    inputTokens: approval.stepUsage.inputTokens,
    cachedInputTokens: approval.stepUsage.cachedInputTokens,
    outputTokens: approval.stepUsage.outputTokens,
    costUsd: approval.stepUsage.costUsd,
    decidedAt: approval.decidedAt,
    decidedBy: approval.decidedBy,
    comment: approval.comment,
    editedOutput: encodeNullableJson(approval.editedOutput, json),
    proposal: encodeJson(approval.proposal, json),
  };
}

export function encodeEvents(events: ReadonlyArray<AuditEventInput>, json: JsonColumnOptions): EncodedEvent[] {
  return events.map((event) => ({
    runId: event.runId,
    parameters: {
      at: event.at,
      type: EVENT_TYPE_CODES[event.type],
      stepId: event.stepId,
      actor: event.actor,
      data: encodeJson(event.data, json),
    },
  }));
}

/** A status list as a JSON array for `json_each`, or NULL (no filter) when it is missing or empty. */
export function statusList(statuses: ReadonlyArray<string> | undefined): string | null {
  return statuses === undefined || statuses.length === 0 ? null : JSON.stringify(statuses);
}
