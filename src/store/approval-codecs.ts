import { z } from "zod";
import type { ApprovalRecord, RunRecord } from "../core/ports.js";
import type { JsonColumnValue } from "./json-columns.js";
import { decodeColumn, integer, jsonColumnSchema, parseColumn, parseRow, runStatusSchema, usageColumns } from "./row-parsing.js";

/**
 * Approval rows → records, and the rows a decision's transaction reads (the approval with its
 * run's key and status). Proposals and edits decode on first read.
 */

const approvalStatusSchema = z.enum(["pending", "approved", "edited", "changes_requested", "rejected", "expired", "cancelled"]);
const approversSchema = z.array(z.string());

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

/** The fields that may still be undecoded (see decodeOnFirstRead). */
const LAZY_FIELDS = ["proposal", "editedOutput"] as const;

/**
 * A copy of an approval with `changes` applied; a value not decoded yet stays so in the copy.
 * Only the lazy fields are copied as property descriptors: copying every descriptor made a
 * slow dictionary-mode object (8 µs a decision, and slower reads of it afterwards).
 */
export function copyApproval(approval: ApprovalRecord, changes: Partial<ApprovalRecord>): ApprovalRecord {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(approval)) {
    const descriptor = (LAZY_FIELDS as ReadonlyArray<string>).includes(key) ? Object.getOwnPropertyDescriptor(approval, key) : undefined;
    if (descriptor !== undefined) Object.defineProperty(copy, key, descriptor);
    else copy[key] = (approval as unknown as Record<string, unknown>)[key];
  }
  return Object.assign(copy as unknown as ApprovalRecord, changes);
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
