/**
 * The records the ports carry: runs, steps, approvals, audit events and side-effect results,
 * as the core sees them. Times are milliseconds since the epoch; stored values (`input`,
 * `output`, `proposal`) are plain JSON, `unknown` because they came from outside the process.
 */

export type RunStatus = "running" | "awaiting_approval" | "succeeded" | "failed" | "rejected" | "cancelled" | "expired";

export const RUN_STATUSES: ReadonlyArray<RunStatus> = ["running", "awaiting_approval", "succeeded", "failed", "rejected", "cancelled", "expired"];

export const FINISHED_RUN_STATUSES: ReadonlyArray<RunStatus> = ["succeeded", "failed", "rejected", "cancelled", "expired"];

/** Where a run came from, for people reading `baton runs` (and Slack threads later). */
export interface RunOrigin {
  /** `cli`, `slack`, `webhook:alertmanager`, `cron`, ... */
  source: string;
  /** Free-form ids of the origin (channel, thread, delivery id); plain JSON. */
  reference?: Record<string, string>;
}

/** What a failed run keeps: the code and message of the error and whatever it carried. */
export interface RunFailure {
  code: string;
  message: string;
  stepId?: string;
  details?: Record<string, unknown>;
}

export interface RunRecord {
  id: string;
  chainId: string;
  status: RunStatus;
  /** Index of the step that runs next (or is awaiting approval); equals the step count when done. */
  cursor: number;
  stepCount: number;
  input: unknown;
  startedBy: string;
  origin: RunOrigin | null;
  createdAt: number;
  /** When the run's status or lease last changed; a step commit moves the cursor, not this. */
  updatedAt: number;
  finishedAt: number | null;
  error: RunFailure | null;
  /** The process executing the run, and until when that claim holds. */
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export interface StepUsage {
  /** Model calls made for this step (re-asks and fallbacks included). */
  modelCalls: number;
  inputTokens: number;
  /** The part of inputTokens the server served from its prompt cache (billed lower). */
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface StepRecord {
  runId: string;
  stepIndex: number;
  stepId: string;
  status: "succeeded" | "skipped";
  /** The step's output as the run uses it (after approval and edits); null when skipped. */
  output: unknown;
  startedAt: number;
  finishedAt: number;
  /** How many times the step was executed: re-runs after a crash or a change request count. */
  executions: number;
  usage: StepUsage;
}

export type ApprovalStatus = "pending" | "approved" | "edited" | "changes_requested" | "rejected" | "expired" | "cancelled";

export interface ApprovalRecord {
  id: string;
  runId: string;
  chainId: string;
  stepId: string;
  stepIndex: number;
  /** 1 for the first proposal of a step, 2 after the first change request, ... */
  round: number;
  status: ApprovalStatus;
  proposal: unknown;
  /** Slack user ids, user-group ids or plain names; empty means anyone may decide. */
  approvers: string[];
  allowSelfApproval: boolean;
  requestedBy: string;
  requestedAt: number;
  deadlineAt: number | null;
  /** When the step started and what it cost, carried until the decision writes the step row. */
  stepStartedAt: number;
  stepUsage: StepUsage;
  stepExecutions: number;
  decidedAt: number | null;
  decidedBy: string | null;
  /** The edited output, for `edited`. */
  editedOutput: unknown;
  /** Feedback for `changes_requested`, the reason for `rejected`. */
  comment: string | null;
}

export type AuditEventType =
  | "run.started"
  | "run.recovered"
  | "run.finished"
  | "step.started"
  | "step.finished"
  | "step.skipped"
  | "step.failed"
  | "model.call"
  | "model.output_invalid"
  | "approval.requested"
  | "approval.decided"
  | "approval.denied"
  | "effect.replayed"
  | "step.retry_scheduled"
  | "run.retried"
  | "run.rerun";

export interface AuditEventInput {
  runId: string;
  at: number;
  type: AuditEventType;
  stepId: string | null;
  /** Who caused it: a user for decisions, `system` otherwise. */
  actor: string | null;
  data: Record<string, unknown>;
}

export interface AuditEvent extends AuditEventInput {
  /** The order events were appended in, counted from 1 within each run. */
  sequence: number;
}

export interface EffectRecord {
  key: string;
  runId: string;
  result: unknown;
  recordedAt: number;
}

/**
 * A run waiting to try a step again after a transient fault (an outage): the run stays
 * `running`, holds no lease, and a timer job resumes it at `nextAttemptAt`. The row goes when
 * the step is written or the run stops running.
 */
export interface RunRetry {
  runId: string;
  chainId: string;
  stepId: string;
  stepIndex: number;
  /** Tries made so far (the failed ones). */
  attempt: number;
  nextAttemptAt: number;
  /** When the first failed try of this step ended. */
  waitingSince: number;
  /** What the run waits for: `model`, `github` or `service`. */
  waitingFor: string;
  /** The last fault's code and message. */
  code: string;
  message: string;
}

/** Where a run came from when it was re-run from another, and the runs re-run from it. */
export interface RunLineage {
  parent: { runId: string; fromStepId: string } | null;
  children: Array<{ runId: string; fromStepId: string; createdAt: number }>;
}
