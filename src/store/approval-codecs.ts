import { z } from "zod";
import type { ApprovalRecord, RunRecord } from "../core/ports.js";
import { decodeColumn, decodeNullableColumn, integer, jsonColumnSchema, parseColumn, parseRow, runStatusSchema, usageColumns } from "./row-parsing.js";

/**
 * Approval rows → records, and the rows a decision's transaction reads (the approval with its
 * run's key and status).
 */

const approvalStatusSchema = z.enum(["pending", "approved", "edited", "changes_requested", "rejected", "expired", "cancelled"]);
const approversSchema = z.array(z.string());

/** Approval columns, with the run's id and chain joined in (`a` is approvals, `r` is runs). */
export const APPROVAL_COLUMNS =
  "a.id, r.id AS run_id, r.chain_id, a.step_id, a.step_index, a.round, a.status, a.approvers, a.allow_self_approval, " +
  "a.requested_by, a.requested_at, a.deadline_at, a.step_started_at, a.step_executions, a.model_calls, a.input_tokens, " +
  "a.cached_input_tokens, a.output_tokens, a.cost_usd, a.decided_at, a.decided_by, a.comment, a.edited_output, a.proposal";

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

/** An approval row as read, checked but with its JSON columns still encoded. */
export type ApprovalRow = z.infer<typeof approvalRowSchema>;

export function toApprovalRecord(row: unknown): ApprovalRecord {
  return approvalRecordOf(parseRow(approvalRowSchema, row, "approvals"));
}

/** The record of a checked row: its JSON columns decoded (a damaged one is DATABASE_CORRUPT). */
export function approvalRecordOf(approval: ApprovalRow): ApprovalRecord {
  const id = approval.id;
  return {
    id,
    runId: approval.run_id,
    chainId: approval.chain_id,
    stepId: approval.step_id,
    stepIndex: approval.step_index,
    round: approval.round,
    status: approval.status,
    proposal: decodeColumn(approval.proposal, "approvals", id),
    approvers: parseColumn(approversSchema, decodeColumn(approval.approvers, "approvals", id), "approvals", id),
    allowSelfApproval: approval.allow_self_approval === 1,
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
    editedOutput: decodeNullableColumn(approval.edited_output, "approvals", id),
    comment: approval.comment,
  };
}

/** Approval columns for a decision (`a` is approvals, `r` is runs): the approval's, its run's key and status. */
export const DECISION_APPROVAL_COLUMNS = `${APPROVAL_COLUMNS}, a.run_key, r.status AS run_status`;

const decisionApprovalRowSchema = approvalRowSchema.extend({ run_key: integer, run_status: runStatusSchema });

/** An approval row read for a decision: the row (decoded after the transaction), its run's key and status. */
export interface ApprovalForDecision {
  row: ApprovalRow;
  runKey: number;
  runStatus: RunRecord["status"];
}

export function toApprovalForDecision(row: unknown): ApprovalForDecision {
  const parsed = parseRow(decisionApprovalRowSchema, row, "approvals");
  return { row: parsed, runKey: parsed.run_key, runStatus: parsed.run_status };
}
