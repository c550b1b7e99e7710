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
  NewRerun,
  NewRun,
  RetrySchedule,
  RunClaim,
  RunLineage,
  RunReopen,
  RunRetry,
  RunFilter,
  RunFinish,
  RunRecord,
  StepCommit,
  StepRecord,
} from "../core/ports.js";
import { COMPRESS_FROM_BYTES, encodeJson, encodeNullableJson, type JsonColumnOptions } from "./json-columns.js";
import { approvalParameters, encodeEvents, statusList, stepParameters } from "./record-parameters.js";
import { approvalRecordOf, toApprovalRecord } from "./approval-codecs.js";
import { toAuditEvent, toEffectRecord, toRunRecord, toStepRecord } from "./run-codecs.js";
import { prepareStatements, type Statements } from "./statements.js";
import { toStoreError } from "./store-errors.js";
import { WriteTransactions } from "./write-transactions.js";
import { SqliteRunRetries } from "./sqlite-run-retries.js";

/** How the store encodes what it writes. */
export interface SqliteChainStoreOptions {
  /** JSON values of at least this many characters are stored compressed. Default 512; `Infinity` turns it off. */
  compressFromBytes?: number;
}

/**
 * The `ChainStore` on one SQLite file (see `openSqliteStore`). better-sqlite3 is synchronous:
 * each method does its work, start to end, before it returns (every write in one
 * `BEGIN IMMEDIATE` transaction), and the promise only carries the result or the error. Writes wait for other processes on the
 * busy timeout; the compare-and-sets are checked inside the write transaction, so two
 * processes (or two store objects) on one file cannot both apply.
 */
export class SqliteChainStore implements ChainStore {
  private readonly statements: Statements;
  private readonly json: JsonColumnOptions;
  private readonly writes: WriteTransactions;
  private readonly retries: SqliteRunRetries;

  /** Takes over an open, migrated database (from `openDatabase`); `close()` closes it. */
  constructor(
    private readonly database: Database.Database,
    options: SqliteChainStoreOptions = {},
  ) {
    this.statements = prepareStatements(database);
    this.json = { compressFromBytes: options.compressFromBytes ?? COMPRESS_FROM_BYTES };
    this.writes = new WriteTransactions(database, this.statements);
    this.retries = new SqliteRunRetries(database, this.writes, this.json);
  }

  // ─── Runs ──────────────────────────────────────────────────────────────────

  createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
    return this.settle(() => {
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
    });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.settle(() => {
      const row = this.statements.selectRun.get(runId);
      return row === undefined ? undefined : toRunRecord(row);
    });
  }

  listRuns(filter: RunFilter): Promise<RunRecord[]> {
    return this.settle(() => {
      const rows = this.statements.listRuns.all({
        statuses: statusList(filter.statuses),
        chainId: filter.chainId ?? null,
        startedBy: filter.startedBy ?? null,
        limit: filter.limit,
      });
      return rows.map(toRunRecord);
    });
  }

  listRunsInFlight(): Promise<RunRecord[]> {
    return this.settle(() => this.statements.listRunsInFlight.all().map(toRunRecord));
  }

  getSteps(runId: string): Promise<StepRecord[]> {
    return this.settle(() => this.statements.selectSteps.all(runId).map((row) => toStepRecord(row, runId)));
  }

  commitStep(commit: StepCommit): Promise<boolean> {
    return this.settle(() => {
      const step = stepParameters(commit.step, this.json);
      return this.writes.commitStep(commit, step, encodeEvents(commit.events, this.json));
    });
  }

  finishRun(finish: RunFinish): Promise<boolean> {
    return this.settle(() => {
      const error = encodeNullableJson(finish.error, this.json);
      return this.writes.finishRun(finish, error, encodeEvents(finish.events, this.json));
    });
  }

  claimRun(claim: RunClaim): Promise<boolean> {
    return this.settle(() => this.writes.claimRun(claim, encodeEvents(claim.events, this.json)));
  }

  renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    return this.settle(() => this.statements.renewLeases.run({ owner, leaseExpiresAt }).changes);
  }

  // ─── Approvals ─────────────────────────────────────────────────────────────

  openApproval(open: ApprovalOpen): Promise<boolean> {
    return this.settle(() => {
      const approval = approvalParameters(open.approval, this.json);
      return this.writes.openApproval(open, approval, encodeEvents(open.events, this.json));
    });
  }

  getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    return this.settle(() => this.readApproval(approvalId));
  }

  listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    return this.settle(() => {
      const parameters = { statuses: statusList(filter.statuses), limit: filter.limit };
      const rows =
        filter.runId === undefined
          ? this.statements.listApprovals.all(parameters)
          : this.statements.listApprovalsOfRun.all({ statuses: parameters.statuses, runId: filter.runId }).slice(0, filter.limit);
      return rows.map(toApprovalRecord);
    });
  }

  decideApproval(decision: DecisionCommit): Promise<DecisionOutcome> {
    return this.settle(() => {
      const written = this.writes.decideApproval(decision, {
        editedOutput: encodeNullableJson(decision.editedOutput, this.json),
        step: decision.step === null ? null : stepParameters(decision.step, this.json),
        events: encodeEvents(decision.events, this.json),
      });
      const approval = approvalRecordOf(written.approvalRow);
      if (!written.applied) return { applied: false, approval };
      const decided = {
        status: decision.status,
        decidedAt: decision.at,
        decidedBy: decision.decidedBy,
        editedOutput: decision.editedOutput ?? null,
        comment: decision.comment,
      };
      return { applied: true, approval: { ...approval, ...decided } };
    });
  }

  // ─── Retries and re-runs (sqlite-run-retries.ts) ──────────────────────────

  scheduleRetry(schedule: RetrySchedule): Promise<boolean> {
    return this.settle(() => this.retries.scheduleRetry(schedule));
  }

  getRetry(runId: string): Promise<RunRetry | undefined> {
    return this.settle(() => this.retries.getRetry(runId));
  }

  listRetries(limit: number): Promise<RunRetry[]> {
    return this.settle(() => this.retries.listRetries(limit));
  }

  reopenRun(reopen: RunReopen): Promise<boolean> {
    return this.settle(() => this.retries.reopenRun(reopen));
  }

  createRerun(rerun: NewRerun): Promise<void> {
    return this.settle(() => this.retries.createRerun(rerun));
  }

  getLineage(runId: string): Promise<RunLineage> {
    return this.settle(() => this.retries.getLineage(runId));
  }

  // ─── Audit log and effects ─────────────────────────────────────────────────

  appendEvents(events: ReadonlyArray<AuditEventInput>): Promise<void> {
    return this.settle(() => {
      if (events.length > 0) this.writes.appendEvents(encodeEvents(events, this.json));
    });
  }

  listEvents(runId: string): Promise<AuditEvent[]> {
    return this.settle(() => this.statements.selectEvents.all({ runId }).map((row) => toAuditEvent(row, runId)));
  }

  getEffect(key: string): Promise<EffectRecord | undefined> {
    return this.settle(() => {
      const row = this.statements.selectEffect.get(key);
      return row === undefined ? undefined : toEffectRecord(row);
    });
  }

  recordEffect(effect: EffectRecord): Promise<void> {
    return this.settle(() => {
      this.statements.insertEffect.run({
        key: effect.key,
        runId: effect.runId,
        recordedAt: effect.recordedAt,
        result: encodeJson(effect.result, this.json),
      });
    });
  }

  /** Closes the database; later calls fail. Closing twice is harmless. */
  close(): void {
    if (!this.database.open) return;
    try {
      // Keeps the planner's statistics current; cheap (it only analyses what changed a lot).
      // It may need the write lock: never wait for it, shutting down matters more.
      this.database.pragma("busy_timeout = 0");
      this.database.pragma("optimize");
    } catch {
      // Best effort: another process may hold the write lock.
    }
    this.database.close();
  }

  /** Runs the synchronous work and settles a promise with its result, or its error translated. */
  private settle<Result>(work: () => Result): Promise<Result> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toStoreError(error, this.database.name));
    }
  }

  private readApproval(approvalId: string): ApprovalRecord | undefined {
    const row = this.statements.selectApproval.get(approvalId);
    return row === undefined ? undefined : toApprovalRecord(row);
  }
}
