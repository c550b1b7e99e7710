/**
 * The ports: the only ways the core reaches the outside world. Adapters in `src/store`,
 * `src/llm`, `src/cli` (and later `src/slack`) implement them; the core imports nothing else
 * from outside.
 *
 * Times are milliseconds since the epoch. Stored values (`input`, `output`, `proposal`) are
 * plain JSON; a store returns them as `unknown` because they came from outside the process.
 */

// ─── Records (in records.ts, re-exported so adapters import everything from here) ───

export * from "./records.js";
import type {
  ApprovalRecord,
  ApprovalStatus,
  AuditEvent,
  AuditEventInput,
  EffectRecord,
  RunFailure,
  RunLineage,
  RunOrigin,
  RunRecord,
  RunRetry,
  RunStatus,
  StepRecord,
} from "./records.js";

// ─── Store ──────────────────────────────────────────────────────────────────

export interface NewRun {
  id: string;
  chainId: string;
  stepCount: number;
  input: unknown;
  startedBy: string;
  origin: RunOrigin | null;
  at: number;
  leaseOwner: string;
  leaseExpiresAt: number;
}

/** The claim a write is made under: the run must be `running`, at `cursor`, leased to `owner`. */
export interface RunGuard {
  runId: string;
  owner: string;
  cursor: number;
}

export interface StepCommit {
  guard: RunGuard;
  step: StepRecord;
  /** `running` to go on; `succeeded` when this was the last step. */
  nextStatus: "running" | "succeeded";
  at: number;
  events: AuditEventInput[];
}

export interface ApprovalOpen {
  guard: RunGuard;
  approval: ApprovalRecord;
  at: number;
  events: AuditEventInput[];
}

export type DecisionKind = "approve" | "edit" | "request_changes" | "reject";

export interface DecisionCommit {
  approvalId: string;
  /** The approval's new status; only a `pending` approval changes (compare-and-set). */
  status: "approved" | "edited" | "changes_requested" | "rejected";
  decidedBy: string;
  at: number;
  editedOutput: unknown;
  comment: string | null;
  /** For approve/edit: the step row to write (cursor moves past it). */
  step: StepRecord | null;
  /** The run's status after the decision. */
  runStatus: "running" | "succeeded" | "rejected";
  /** Who executes the run from here (lease), for `running`. */
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  events: AuditEventInput[];
}

/** Whether the decision applied, and the approval as it now stands (decided by someone else when not). */
export interface DecisionOutcome {
  applied: boolean;
  approval: ApprovalRecord;
}

export interface RunFinish {
  runId: string;
  /** Only a run in one of these statuses changes (compare-and-set). */
  fromStatuses: ReadonlyArray<RunStatus>;
  /**
   * When set, the run must also be leased to this owner. A run resting at an approval holds no
   * lease, so finishing one (cancel, expiry) passes null.
   */
  owner: string | null;
  status: Extract<RunStatus, "failed" | "rejected" | "cancelled" | "expired">;
  error: RunFailure | null;
  at: number;
  events: AuditEventInput[];
}

export interface RunClaim {
  runId: string;
  /** The owner the caller saw (null when unowned); the claim is a compare-and-set on it. */
  expectedOwner: string | null;
  owner: string;
  leaseExpiresAt: number;
  at: number;
  events: AuditEventInput[];
}

export interface RunFilter {
  statuses?: ReadonlyArray<RunStatus>;
  chainId?: string;
  startedBy?: string;
  limit: number;
}

export interface ApprovalFilter {
  runId?: string;
  statuses?: ReadonlyArray<ApprovalStatus>;
  limit: number;
}

/** A transient fault's next try, written under the guard; the run keeps `running` and gives up its lease. */
export interface RetrySchedule {
  guard: RunGuard;
  retry: RunRetry;
  at: number;
  events: AuditEventInput[];
}

/** Put a finished run back to `running` at its cursor (`baton retry`), leased to `owner`. */
export interface RunReopen {
  runId: string;
  /** Only a run in one of these statuses changes (compare-and-set). */
  fromStatuses: ReadonlyArray<RunStatus>;
  owner: string;
  leaseExpiresAt: number;
  at: number;
  events: AuditEventInput[];
}

/** A new run that starts at `fromStepIndex` of its parent, with the parent's step rows before it copied. */
export interface NewRerun {
  run: NewRun;
  parentRunId: string;
  fromStepId: string;
  fromStepIndex: number;
  /** Events of the new run (and of the parent, by their run id). */
  events: AuditEventInput[];
}

/**
 * Durable state. Every method that changes state is one atomic transaction; the ones that take
 * a guard or an expected status are compare-and-sets and say whether they applied, so two
 * processes (or two clicks) can race safely.
 */
export interface ChainStore {
  createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(filter: RunFilter): Promise<RunRecord[]>;
  getSteps(runId: string): Promise<StepRecord[]>;
  /** Insert the step row and move the cursor by one, under the guard. False if the guard failed. */
  commitStep(commit: StepCommit): Promise<boolean>;
  /** Insert a pending approval and rest the run at `awaiting_approval`, under the guard. */
  openApproval(open: ApprovalOpen): Promise<boolean>;
  getApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]>;
  /**
   * Compare-and-set `pending` → the decision, and apply it to the run (which must be
   * `awaiting_approval`) in the same transaction. `applied: false` returns the approval as it is.
   */
  decideApproval(decision: DecisionCommit): Promise<DecisionOutcome>;
  /** End a run; pending approvals of the run become `cancelled` (or `expired` for an expiry). */
  finishRun(finish: RunFinish): Promise<boolean>;
  /** Take over a `running` run (start-up recovery, or a run another process left behind). */
  claimRun(claim: RunClaim): Promise<boolean>;
  /** Extend every lease this owner holds on `running` runs. */
  renewLeases(owner: string, leaseExpiresAt: number): Promise<number>;
  listRunsInFlight(): Promise<RunRecord[]>;
  appendEvents(events: ReadonlyArray<AuditEventInput>): Promise<void>;
  listEvents(runId: string): Promise<AuditEvent[]>;
  /** Rest a running run until its step's next try: writes the retry and releases the lease, under the guard. */
  scheduleRetry(schedule: RetrySchedule): Promise<boolean>;
  /** The run's pending retry, while it waits (none once the step is written or the run stops running). */
  getRetry(runId: string): Promise<RunRetry | undefined>;
  /** Every waiting run's retry, soonest first. */
  listRetries(limit: number): Promise<RunRetry[]>;
  /** Compare-and-set a finished run back to `running` at its cursor (`baton retry`). */
  reopenRun(reopen: RunReopen): Promise<boolean>;
  /** Create a re-run: the new run, its parent's steps before `fromStepIndex`, and the lineage, in one transaction. */
  createRerun(rerun: NewRerun): Promise<void>;
  /** The run's parent (when it is a re-run) and its re-runs. */
  getLineage(runId: string): Promise<RunLineage>;
  getEffect(key: string): Promise<EffectRecord | undefined>;
  /** Record a side effect's result once; a second record of the same key keeps the first. */
  recordEffect(effect: EffectRecord): Promise<void>;
  close(): void;
}

// ─── Model: in model-ports.ts ───────────────────────────────────────────────

export * from "./model-ports.js";

// ─── Notifications, time, ids ───────────────────────────────────────────────

export interface Notification {
  runId: string;
  stepId: string;
  /** Run id + step id: an adapter that sees a key again must not post twice. */
  idempotencyKey: string;
  title: string;
  text: string;
  /** Where to post, when the adapter has more than one place (a Slack channel id). */
  destination?: string;
  /** People or groups to notify by name (Slack user or user-group ids). */
  mentions?: ReadonlyArray<string>;
  /** A document to go with the message (a full RFP response): uploaded as a file where it is posted. */
  attachment?: { filename: string; title: string; content: string };
}

/** Where reminders go (the Slack adapter implements it: a thread reply mentioning people). */
export interface ReminderSink {
  remind(reminder: { approval: ApprovalRecord; kind: "reminder" | "escalation"; mention: ReadonlyArray<string>; sequence: number; now: number }): Promise<void>;
}

export interface Notifier {
  notify(notification: Notification): Promise<{ reference: string }>;
}

export interface Clock {
  now(): number;
}

export interface IdGenerator {
  /** A new unique id starting with `prefix`, increasing over time so rows append in order. */
  next(prefix: string): string;
}

/** Prices per million tokens, by model id. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Input tokens served from the server's prompt cache; the input price when not given. */
  cachedInputPerMillion?: number;
}

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
export * from "./message-ledger.js";
export * from "./incidents.js";
export * from "./pull-requests.js";
export * from "./command-intents.js";
export * from "./change-feed.js";
