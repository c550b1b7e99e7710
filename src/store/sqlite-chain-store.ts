import type Database from "better-sqlite3";
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
import { approvalParameters, encodeEvents, statusList, stepParameters } from "./record-parameters.js";
import { toApprovalRecord, toAuditEvent, toEffectRecord, toRunRecord, toStepRecord } from "./row-codecs.js";
import { prepareStatements, type Statements } from "./statements.js";
import { WriteTransactions } from "./write-transactions.js";

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
  private readonly writes: WriteTransactions;

  /** Takes over an open, migrated database (from `openDatabase`); `close()` closes it. */
  constructor(
    private readonly database: Database.Database,
    options: SqliteChainStoreOptions = {},
  ) {
    this.statements = prepareStatements(database);
    this.json = { compressFromBytes: options.compressFromBytes ?? COMPRESS_FROM_BYTES };
    this.writes = new WriteTransactions(database, this.statements);
  }

  // ─── Runs ──────────────────────────────────────────────────────────────────

  async createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
    const row = {
      id: run.id,
      chainId: run.chainId,
      stepCount: run.stepCount,
      startedBy: run.startedBy,
      at: run.at,
      leaseOwner: run.leaseOwner,
      leaseExpiresAt: run.leaseExpiresAt,
      origin: encodeNullableJson(run.origin, this.json),
      input: encodeJson(run.input, this.json),
    };
    this.writes.createRun(run.id, row, encodeEvents(events, this.json));
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
    return this.writes.commitStep(commit, stepParameters(commit.step, this.json), encodeEvents(commit.events, this.json));
  }

  async finishRun(finish: RunFinish): Promise<boolean> {
    return this.writes.finishRun(finish, encodeNullableJson(finish.error, this.json), encodeEvents(finish.events, this.json));
  }

  async claimRun(claim: RunClaim): Promise<boolean> {
    return this.writes.claimRun(claim, encodeEvents(claim.events, this.json));
  }

  async renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    return this.statements.renewLeases.run({ owner, leaseExpiresAt }).changes;
  }

  // ─── Approvals ─────────────────────────────────────────────────────────────

  async openApproval(open: ApprovalOpen): Promise<boolean> {
    return this.writes.openApproval(open, approvalParameters(open.approval, this.json), encodeEvents(open.events, this.json));
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
    return this.writes.decideApproval(decision, {
      editedOutput: encodeNullableJson(decision.editedOutput, this.json),
      step: decision.step === null ? null : stepParameters(decision.step, this.json),
      events: encodeEvents(decision.events, this.json),
    });
  }

  // ─── Audit log and effects ─────────────────────────────────────────────────

  async appendEvents(events: ReadonlyArray<AuditEventInput>): Promise<void> {
    if (events.length > 0) this.writes.appendEvents(encodeEvents(events, this.json));
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

  private readApproval(approvalId: string): ApprovalRecord | undefined {
    const row = this.statements.selectApproval.get(approvalId);
    return row === undefined ? undefined : toApprovalRecord(row);
  }
}
