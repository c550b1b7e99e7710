import type { Pool, PoolClient } from "pg";
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
  RunFilter,
  RunFinish,
  RunLineage,
  RunRecord,
  RunReopen,
  RunRetry,
  StepCommit,
  StepRecord,
} from "../core/ports.js";
import { writeDecision } from "./decision-write.js";
import { commitStepInOneStatement, createRunInOneStatement, eventsOfRunOnly } from "./one-statement-writes.js";
import { toPostgresStoreError } from "./postgres-errors.js";
import { STATEMENTS } from "./postgres-statements.js";
import { insertEvents, jsonText, statusFilter } from "./record-values.js";
import { writeRerun, writeRetrySchedule, writeRunReopen } from "./retry-writes.js";
import { lineageRowSchema, parseRow, toApprovalRecord, toAuditEvent, toEffectRecord, toRunRecord, toRunRetry, toStepRecord } from "./row-codecs.js";
import { writeApprovalOpen, writeNewRun, writeRunClaim, writeRunFinish, writeStepCommit } from "./run-writes.js";
import { inTransaction, queryCount, queryRows } from "./transactions.js";

/**
 * The `ChainStore` on a PostgreSQL database (see `openPostgresStore`), for several replicas on
 * several hosts. Every write is one transaction on a pooled connection; its compare-and-set is
 * checked under the run's row lock, so two replicas (or two clicks) cannot both apply. Model
 * calls and other slow work never happen inside a transaction: the core awaits them before it
 * writes. Errors from pg become BatonErrors naming the database without its password.
 */
export class PostgresChainStore implements ChainStore {
  #closing: Promise<void> | undefined;

  /** Takes over a pool on a migrated database; `close()` ends it. `url` is for messages only. */
  constructor(
    private readonly pool: Pool,
    private readonly url: string,
  ) {}

  // ─── Runs ──────────────────────────────────────────────────────────────────

  createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
    if (eventsOfRunOnly(run.id, events)) return this.guard(() => createRunInOneStatement(this.pool, run, events));
    return this.transaction((client) => writeNewRun(client, run, 0, events));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const [row] = await this.rows(STATEMENTS.selectRun, [runId]);
    return row === undefined ? undefined : toRunRecord(row);
  }

  async listRuns(filter: RunFilter): Promise<RunRecord[]> {
    const rows = await this.rows(STATEMENTS.listRuns, [statusFilter(filter.statuses), filter.chainId ?? null, filter.startedBy ?? null, filter.limit]);
    return rows.map(toRunRecord);
  }

  async listRunsInFlight(): Promise<RunRecord[]> {
    return (await this.rows(STATEMENTS.listRunsInFlight, [])).map(toRunRecord);
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    return (await this.rows(STATEMENTS.selectSteps, [runId])).map(toStepRecord);
  }

  commitStep(commit: StepCommit): Promise<boolean> {
    if (commit.step.runId === commit.guard.runId && eventsOfRunOnly(commit.guard.runId, commit.events)) {
      return this.guard(() => commitStepInOneStatement(this.pool, commit));
    }
    return this.transaction((client) => writeStepCommit(client, commit));
  }

  finishRun(finish: RunFinish): Promise<boolean> {
    return this.transaction((client) => writeRunFinish(client, finish));
  }

  claimRun(claim: RunClaim): Promise<boolean> {
    return this.transaction((client) => writeRunClaim(client, claim));
  }

  renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    return this.guard(() => queryCount(this.pool, STATEMENTS.renewLeases, [owner, leaseExpiresAt]));
  }

  // ─── Approvals ─────────────────────────────────────────────────────────────

  openApproval(open: ApprovalOpen): Promise<boolean> {
    return this.transaction((client) => writeApprovalOpen(client, open));
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    const [row] = await this.rows(STATEMENTS.selectApproval, [approvalId]);
    return row === undefined ? undefined : toApprovalRecord(row);
  }

  async listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    const rows = await this.rows(STATEMENTS.listApprovals, [filter.runId ?? null, statusFilter(filter.statuses), filter.limit]);
    return rows.map(toApprovalRecord);
  }

  decideApproval(decision: DecisionCommit): Promise<DecisionOutcome> {
    return this.transaction((client) => writeDecision(client, decision));
  }

  // ─── Retries and re-runs ───────────────────────────────────────────────────

  scheduleRetry(schedule: RetrySchedule): Promise<boolean> {
    return this.transaction((client) => writeRetrySchedule(client, schedule));
  }

  async getRetry(runId: string): Promise<RunRetry | undefined> {
    const [row] = await this.rows(STATEMENTS.selectRetry, [runId]);
    return row === undefined ? undefined : toRunRetry(row);
  }

  async listRetries(limit: number): Promise<RunRetry[]> {
    return (await this.rows(STATEMENTS.listRetries, [limit])).map(toRunRetry);
  }

  reopenRun(reopen: RunReopen): Promise<boolean> {
    return this.transaction((client) => writeRunReopen(client, reopen));
  }

  createRerun(rerun: NewRerun): Promise<void> {
    return this.transaction((client) => writeRerun(client, rerun));
  }

  async getLineage(runId: string): Promise<RunLineage> {
    const [parentRow] = await this.rows(STATEMENTS.selectParent, [runId]);
    const parent = parentRow === undefined ? null : parseRow(lineageRowSchema, parentRow, "run_lineage");
    const children = (await this.rows(STATEMENTS.selectChildren, [runId])).map((row) => parseRow(lineageRowSchema, row, "run_lineage"));
    return {
      parent: parent === null ? null : { runId: parent.parent_run_id, fromStepId: parent.from_step_id },
      children: children.map((child) => ({ runId: child.run_id, fromStepId: child.from_step_id, createdAt: child.created_at })),
    };
  }

  // ─── Audit log and effects ─────────────────────────────────────────────────

  async appendEvents(events: ReadonlyArray<AuditEventInput>): Promise<void> {
    if (events.length === 0) return;
    await this.transaction((client) => insertEvents(client, events));
  }

  async listEvents(runId: string): Promise<AuditEvent[]> {
    return (await this.rows(STATEMENTS.selectEvents, [runId])).map(toAuditEvent);
  }

  async getEffect(key: string): Promise<EffectRecord | undefined> {
    const [row] = await this.rows(STATEMENTS.selectEffect, [key]);
    return row === undefined ? undefined : toEffectRecord(row);
  }

  async recordEffect(effect: EffectRecord): Promise<void> {
    await this.guard(() => queryCount(this.pool, STATEMENTS.insertEffect, [effect.key, effect.runId, effect.recordedAt, jsonText(effect.result)]));
  }

  /**
   * Ends the pool: connections close once their queries finish. The port's `close` returns
   * nothing; `closed()` waits for it. Closing twice is harmless.
   */
  close(): void {
    this.#closing ??= this.pool.end().catch(() => {
      // Ending a pool whose server went away fails; there is nothing left to close.
    });
  }

  /** Closes the pool (if not yet) and waits until every connection is closed. */
  closed(): Promise<void> {
    this.close();
    return this.#closing ?? Promise.resolve();
  }

  private transaction<Result>(work: (client: PoolClient) => Promise<Result>): Promise<Result> {
    return this.guard(() => inTransaction(this.pool, work));
  }

  private rows(query: (typeof STATEMENTS)[keyof typeof STATEMENTS], values: Parameters<typeof queryRows>[2]): Promise<unknown[]> {
    return this.guard(() => queryRows(this.pool, query, values));
  }

  /** Runs the work and translates a pg error (unreachable, access denied) into a BatonError. */
  private async guard<Result>(work: () => Promise<Result>): Promise<Result> {
    try {
      return await work();
    } catch (error) {
      throw toPostgresStoreError(error, this.url);
    }
  }
}
