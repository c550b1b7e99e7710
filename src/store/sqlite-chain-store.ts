import type Database from "better-sqlite3";
import { BatonError } from "../core/errors.js";
import type {
  ApprovalFilter,
  ApprovalOpen,
  ApprovalRecord,
  AuditEvent,
  AuditEventInput,
  ChainStore,
  DecisionCommit,
  DecisionOutcome,
  EffectRecord,
  NewRun,
  RunClaim,
  RunFilter,
  RunFinish,
  RunRecord,
  StepCommit,
  StepRecord,
} from "../core/ports.js";
import { COMPRESS_FROM_BYTES, encodeJson, encodeNullableJson, type JsonColumnOptions } from "./json-columns.js";
import {
  approvalParameters,
  eventParameters,
  stepParameters,
  toApprovalRecord,
  toAuditEvent,
  toDecisionState,
  toEffectRecord,
  toRunRecord,
  toStepRecord,
} from "./row-codecs.js";
import { KEYS_PER_RUN } from "./migrations.js";
import { prepareStatements, type Statements } from "./statements.js";

/** How the store encodes what it writes. */
export interface SqliteChainStoreOptions {
  /** JSON values of at least this many characters are stored compressed. Default 512; `Infinity` turns it off. */
  compressFromBytes?: number;
}

/**
 * The `ChainStore` on one SQLite file (see `openSqliteStore`). better-sqlite3 is synchronous:
 * each method does its work, start to end, in one `BEGIN IMMEDIATE` transaction before it
 * returns, and the promise only carries the result. Writes wait for other processes on the
 * busy timeout; the compare-and-sets are checked inside the write transaction, so two
 * processes (or two store objects) on one file cannot both apply.
 */
export class SqliteChainStore implements ChainStore {
  private readonly statements: Statements;
  private readonly json: JsonColumnOptions;
  private readonly writeCreateRun;
  private readonly writeStepCommit;
  private readonly writeApprovalOpen;
  private readonly writeDecision;
  private readonly writeRunFinish;
  private readonly writeRunClaim;
  private readonly writeEvents;

  /** Takes over an open, migrated database (from `openDatabase`); `close()` closes it. */
  constructor(
    private readonly database: Database.Database,
    options: SqliteChainStoreOptions = {},
  ) {
    this.statements = prepareStatements(database);
    this.json = { compressFromBytes: options.compressFromBytes ?? COMPRESS_FROM_BYTES };
    // Wrapped once: better-sqlite3 builds the BEGIN/COMMIT/ROLLBACK statements per wrapper.
    this.writeCreateRun = database.transaction((run: NewRun, events: ReadonlyArray<AuditEventInput>) => this.applyCreateRun(run, events));
    this.writeStepCommit = database.transaction((commit: StepCommit) => this.applyStepCommit(commit));
    this.writeApprovalOpen = database.transaction((open: ApprovalOpen) => this.applyApprovalOpen(open));
    this.writeDecision = database.transaction((decision: DecisionCommit) => this.applyDecision(decision));
    this.writeRunFinish = database.transaction((finish: RunFinish) => this.applyRunFinish(finish));
    this.writeRunClaim = database.transaction((claim: RunClaim) => this.applyRunClaim(claim));
    this.writeEvents = database.transaction((events: ReadonlyArray<AuditEventInput>) => this.insertEvents(events, undefined, 0));
  }

  // ─── Runs ──────────────────────────────────────────────────────────────────

  async createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
    this.writeCreateRun.immediate(run, events);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.statements.selectRun.get(runId);
    return row === undefined ? undefined : toRunRecord(row);
  }

  async listRuns(filter: RunFilter): Promise<RunRecord[]> {
    const rows = this.statements.listRuns.all({
      statuses: statusList(filter.statuses),
      chainId: filter.chainId ?? null,
      startedBy: filter.startedBy ?? null,
      limit: filter.limit,
    });
    return rows.map(toRunRecord);
  }

  async listRunsInFlight(): Promise<RunRecord[]> {
    return this.statements.listRunsInFlight.all().map(toRunRecord);
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    return this.statements.selectSteps.all(runId).map((row) => toStepRecord(row, runId));
  }

  async commitStep(commit: StepCommit): Promise<boolean> {
    return this.writeStepCommit.immediate(commit);
  }

  async finishRun(finish: RunFinish): Promise<boolean> {
    return this.writeRunFinish.immediate(finish);
  }

  async claimRun(claim: RunClaim): Promise<boolean> {
    return this.writeRunClaim.immediate(claim);
  }

  async renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    return this.statements.renewLeases.run({ owner, leaseExpiresAt }).changes;
  }

  // ─── Approvals ─────────────────────────────────────────────────────────────

  async openApproval(open: ApprovalOpen): Promise<boolean> {
    return this.writeApprovalOpen.immediate(open);
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    return this.readApproval(approvalId);
  }

  async listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    const parameters = { statuses: statusList(filter.statuses), limit: filter.limit };
    const rows =
      filter.runId === undefined
        ? this.statements.listApprovals.all(parameters)
        : this.statements.listApprovalsOfRun.all({ ...parameters, runId: filter.runId });
    return rows.map(toApprovalRecord);
  }

  async decideApproval(decision: DecisionCommit): Promise<DecisionOutcome> {
    return this.writeDecision.immediate(decision);
  }

  // ─── Audit log and effects ─────────────────────────────────────────────────

  async appendEvents(events: ReadonlyArray<AuditEventInput>): Promise<void> {
    if (events.length > 0) this.writeEvents.immediate(events);
  }

  async listEvents(runId: string): Promise<AuditEvent[]> {
    return this.statements.selectEvents.all(runId).map((row) => toAuditEvent(row, runId));
  }

  async getEffect(key: string): Promise<EffectRecord | undefined> {
    const row = this.statements.selectEffect.get(key);
    return row === undefined ? undefined : toEffectRecord(row);
  }

  async recordEffect(effect: EffectRecord): Promise<void> {
    this.statements.insertEffect.run({
      key: effect.key,
      runId: effect.runId,
      recordedAt: effect.recordedAt,
      result: encodeJson(effect.result, this.json),
    });
  }

  /** Closes the database; later calls fail. Closing twice is harmless. */
  close(): void {
    if (!this.database.open) return;
    try {
      // Keeps the planner's statistics current; cheap (it only analyses what changed a lot).
      this.database.pragma("optimize");
    } catch {
      // Best effort: another process may hold the write lock, and closing matters more.
    }
    this.database.close();
  }

  // ─── Transaction bodies (synchronous: nothing may await inside a transaction) ───

  private applyCreateRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): void {
    const runKey = this.statements.insertRun.get({
      id: run.id,
      chainId: run.chainId,
      stepCount: run.stepCount,
      startedBy: run.startedBy,
      at: run.at,
      leaseOwner: run.leaseOwner,
      leaseExpiresAt: run.leaseExpiresAt,
      origin: encodeNullableJson(run.origin, this.json),
      input: encodeJson(run.input, this.json),
    });
    this.insertEvents(events, run.id, asKey(runKey));
  }

  private applyStepCommit(commit: StepCommit): boolean {
    const { guard } = commit;
    const guardParameters = { runId: guard.runId, cursor: guard.cursor, owner: guard.owner, at: commit.at };
    const moved =
      commit.nextStatus === "succeeded"
        ? this.statements.completeRun.get(guardParameters)
        : this.statements.advanceRun.get(guardParameters);
    if (moved === undefined) return false;
    const runKey = asKey(moved);
    this.statements.upsertStep.run(stepParameters(runKey, commit.step, this.json));
    this.insertEvents(commit.events, guard.runId, runKey);
    return true;
  }

  private applyApprovalOpen(open: ApprovalOpen): boolean {
    const { guard } = open;
    const paused = this.statements.pauseRun.get({ runId: guard.runId, cursor: guard.cursor, owner: guard.owner, at: open.at });
    if (paused === undefined) return false;
    const runKey = asKey(paused);
    this.statements.insertApproval.run(approvalParameters(runKey, open.approval, this.json));
    this.insertEvents(open.events, guard.runId, runKey);
    return true;
  }

  private applyDecision(decision: DecisionCommit): DecisionOutcome {
    const row = this.statements.selectDecisionState.get(decision.approvalId);
    if (row === undefined) throw approvalNotFound(decision.approvalId);
    const state = toDecisionState(row);
    // Both checks are made under the write lock, so nothing can change between them and the updates.
    if (state.approvalStatus !== "pending" || state.runStatus !== "awaiting_approval") {
      return { applied: false, approval: this.requireApproval(decision.approvalId) };
    }
    this.statements.decideApproval.run({
      approvalId: decision.approvalId,
      status: decision.status,
      at: decision.at,
      decidedBy: decision.decidedBy,
      editedOutput: encodeNullableJson(decision.editedOutput, this.json),
      comment: decision.comment,
    });
    const finished = decision.runStatus === "succeeded" || decision.runStatus === "rejected";
    this.statements.resumeRun.run({
      runKey: state.runKey,
      runStatus: decision.runStatus,
      nextCursor: decision.step === null ? null : decision.step.stepIndex + 1,
      at: decision.at,
      finishedAt: finished ? decision.at : null,
      leaseOwner: decision.leaseOwner,
      leaseExpiresAt: decision.leaseExpiresAt,
    });
    if (decision.step !== null) this.statements.upsertStep.run(stepParameters(state.runKey, decision.step, this.json));
    this.insertEvents(decision.events, state.runId, state.runKey);
    return { applied: true, approval: this.requireApproval(decision.approvalId) };
  }

  private applyRunFinish(finish: RunFinish): boolean {
    const finished = this.statements.finishRun.get({
      runId: finish.runId,
      fromStatuses: JSON.stringify(finish.fromStatuses),
      owner: finish.owner,
      status: finish.status,
      error: encodeNullableJson(finish.error, this.json),
      at: finish.at,
    });
    if (finished === undefined) return false;
    const runKey = asKey(finished);
    const approvalStatus = finish.status === "expired" ? "expired" : "cancelled";
    this.statements.closePendingApprovals.run({ runKey, status: approvalStatus, at: finish.at });
    this.insertEvents(finish.events, finish.runId, runKey);
    return true;
  }

  private applyRunClaim(claim: RunClaim): boolean {
    const claimed = this.statements.claimRun.get({
      runId: claim.runId,
      expectedOwner: claim.expectedOwner,
      owner: claim.owner,
      leaseExpiresAt: claim.leaseExpiresAt,
      at: claim.at,
    });
    if (claimed === undefined) return false;
    this.insertEvents(claim.events, claim.runId, asKey(claimed));
    return true;
  }

  /**
   * Append events inside the caller's transaction. Events nearly always belong to the run
   * being written (`knownRunId`, whose key is known); others are looked up. Each run's events
   * are numbered from 1 in its own key range, so the next number is one past its last key.
   */
  private insertEvents(events: ReadonlyArray<AuditEventInput>, knownRunId: string | undefined, knownRunKey: number): void {
    const nextKeys = new Map<number, number>();
    for (const event of events) {
      const runKey = event.runId === knownRunId ? knownRunKey : this.requireRunKey(event.runId);
      const key = nextKeys.get(runKey) ?? this.nextEventKey(runKey);
      if (key >= (runKey + 1) * KEYS_PER_RUN) throw auditLogFull(event.runId);
      this.statements.insertEvent.run(eventParameters(key, event, this.json));
      nextKeys.set(runKey, key + 1);
    }
  }

  private nextEventKey(runKey: number): number {
    const last = this.statements.lastEventKey.get({ runKey });
    return last === null || last === undefined ? runKey * KEYS_PER_RUN + 1 : asKey(last) + 1;
  }

  private requireRunKey(runId: string): number {
    const key = this.statements.selectRunKey.get(runId);
    if (key === undefined) {
      throw new BatonError(
        "RUN_NOT_FOUND",
        `Cannot record an audit event for run ${runId}: there is no such run in this database. ` +
          `Events can only be appended to runs created with createRun; check the run id.`,
        { runId },
      );
    }
    return asKey(key);
  }

  private readApproval(approvalId: string): ApprovalRecord | undefined {
    const row = this.statements.selectApproval.get(approvalId);
    return row === undefined ? undefined : toApprovalRecord(row);
  }

  private requireApproval(approvalId: string): ApprovalRecord {
    const approval = this.readApproval(approvalId);
    if (approval === undefined) throw approvalNotFound(approvalId);
    return approval;
  }
}

/** A JSON array for `json_each`, or NULL (no filter) when the list is missing or empty. */
function statusList(statuses: ReadonlyArray<string> | undefined): string | null {
  return statuses === undefined || statuses.length === 0 ? null : JSON.stringify(statuses);
}

/** Run keys come from `RETURNING key` / `SELECT key`, an INTEGER PRIMARY KEY. */
function asKey(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  throw new Error(`baton store: expected an integer run key from SQLite, got ${typeof value}`);
}

function auditLogFull(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_ACTIVE",
    `Run ${runId} has ${String(KEYS_PER_RUN - 1)} audit events, the most one run can keep; nothing more is recorded ` +
      `for it. A run this long is looping: cancel it (baton cancel ${runId}) and check the chain's retry settings.`,
    { runId },
  );
}

function approvalNotFound(approvalId: string): BatonError {
  return new BatonError(
    "APPROVAL_NOT_FOUND",
    `There is no approval ${approvalId} in this database. Check the approval id (it may belong to another ` +
      `baton database, or the button is from an old message).`,
    { approvalId },
  );
}
