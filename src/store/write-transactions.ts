import type Database from "better-sqlite3";
import type { ApprovalOpen, DecisionCommit, RunClaim, RunFinish, StepCommit } from "../core/ports.js";
import type { JsonColumnValue } from "./json-columns.js";
import { FIRST_EVENT_SEGMENT, KEYS_PER_RUN } from "./key-layout.js";
import type { EncodedEvent, Parameters } from "./record-parameters.js";
import { toApprovalForDecision, type ApprovalRow } from "./approval-codecs.js";
import { toRowKey } from "./row-parsing.js";
import type { Statements } from "./statements.js";
import { approvalNotFound, auditLogFull, eventOfUnknownRun, runKeysExhausted } from "./store-errors.js";

/** A decision's JSON, encoded before its transaction starts. */
export interface EncodedDecision {
  editedOutput: JsonColumnValue | null;
  /** The step row of an approve or edit. */
  step: Parameters | null;
  events: EncodedEvent[];
}

/**
 * What a decision's transaction found: whether it applied, and the approval row as it was read
 * under the write lock (before the decision), which the caller decodes after the lock is released.
 */
export interface DecisionWritten {
  applied: boolean;
  approvalRow: ApprovalRow;
}

/**
 * The store's writes, each one `BEGIN IMMEDIATE` transaction: the write lock is taken first
 * (waiting on the busy timeout for another process), so a compare-and-set reads and writes
 * under the same lock. The bodies are synchronous (nothing can await inside a transaction)
 * and take JSON already encoded, so the lock is held only for the SQL. A throw rolls back.
 */
export class WriteTransactions {
  readonly createRun;
  readonly commitStep;
  readonly openApproval;
  readonly decideApproval;
  readonly finishRun;
  readonly claimRun;
  readonly appendEvents;

  constructor(
    database: Database.Database,
    private readonly statements: Statements,
  ) {
    // Wrapped once: better-sqlite3 prepares each wrapper's BEGIN/COMMIT/ROLLBACK statements.
    const immediate = <Arguments extends unknown[], Result>(body: (...parameters: Arguments) => Result) => database.transaction(body).immediate;
    this.createRun = immediate((runId: string, run: Parameters, events: EncodedEvent[]) => this.applyCreateRun(runId, run, events));
    this.commitStep = immediate((commit: StepCommit, step: Parameters, events: EncodedEvent[]) => this.applyStepCommit(commit, step, events));
    this.openApproval = immediate((open: ApprovalOpen, approval: Parameters, events: EncodedEvent[]) => this.applyApprovalOpen(open, approval, events));
    this.decideApproval = immediate((decision: DecisionCommit, encoded: EncodedDecision) => this.applyDecision(decision, encoded));
    this.finishRun = immediate((finish: RunFinish, error: JsonColumnValue | null, events: EncodedEvent[]) => this.applyRunFinish(finish, error, events));
    this.claimRun = immediate((claim: RunClaim, events: EncodedEvent[]) => this.applyRunClaim(claim, events));
    this.appendEvents = immediate((events: EncodedEvent[]) => this.insertEvents(events));
  }

  private applyCreateRun(runId: string, run: Parameters, events: EncodedEvent[]): void {
    const place = toRunPlace(this.statements.insertRun.get(run));
    if (place.runKey >= FIRST_EVENT_SEGMENT) throw runKeysExhausted(runId);
    this.insertEvents(events, runId, place);
  }

  private applyStepCommit(commit: StepCommit, step: Parameters, events: EncodedEvent[]): boolean {
    const { guard } = commit;
    const guardParameters = { runId: guard.runId, cursor: guard.cursor, owner: guard.owner, at: commit.at };
    const moved = commit.nextStatus === "succeeded" ? this.statements.completeRun.get(guardParameters) : this.statements.advanceRun.get(guardParameters);
    if (moved === undefined) return false;
    const place = toRunPlace(moved);
    this.statements.upsertStep.run({ ...step, runKey: place.runKey });
    this.insertEvents(events, guard.runId, place);
    return true;
  }

  private applyApprovalOpen(open: ApprovalOpen, approval: Parameters, events: EncodedEvent[]): boolean {
    const { guard } = open;
    const paused = this.statements.pauseRun.get({ runId: guard.runId, cursor: guard.cursor, owner: guard.owner, at: open.at });
    if (paused === undefined) return false;
    const place = toRunPlace(paused);
    this.statements.insertApproval.run({ ...approval, runKey: place.runKey });
    this.insertEvents(events, guard.runId, place);
    return true;
  }

  private applyDecision(decision: DecisionCommit, encoded: EncodedDecision): DecisionWritten {
    const row = this.statements.selectApprovalForDecision.get(decision.approvalId);
    if (row === undefined) throw approvalNotFound(decision.approvalId);
    const { row: approvalRow, runKey, runStatus } = toApprovalForDecision(row);
    // Both checks are made under the write lock, so nothing can change between them and the updates.
    if (approvalRow.status !== "pending" || runStatus !== "awaiting_approval") return { applied: false, approvalRow };
    this.statements.decideApproval.run({
      approvalId: decision.approvalId,
      status: decision.status,
      at: decision.at,
      decidedBy: decision.decidedBy,
      editedOutput: encoded.editedOutput,
      comment: decision.comment,
    });
    const finished = decision.runStatus === "succeeded" || decision.runStatus === "rejected";
    // The run's events from here on go to a new segment at the end of the log (migration 7): it
    // waited while other runs wrote, so its own range sits in full pages mid-log.
    const segment = toRowKey(this.statements.allocateEventSegment.get(), "event_segment_counter");
    const resumed = this.statements.resumeRun.run({
      segment,
      runKey,
      runStatus: decision.runStatus,
      // Past the decided step when it is written; at it otherwise (a change request runs it again).
      cursor: decision.step === null ? approvalRow.step_index : decision.step.stepIndex + 1,
      at: decision.at,
      finishedAt: finished ? decision.at : null,
      leaseOwner: decision.leaseOwner,
      leaseExpiresAt: decision.leaseExpiresAt,
    });
    // Cannot happen: the run's status was checked under this lock. Throwing rolls everything back.
    if (resumed.changes !== 1) throw new Error(`run of approval ${decision.approvalId} changed inside its decision's transaction`);
    if (encoded.step !== null) this.statements.upsertStep.run({ ...encoded.step, runKey });
    this.insertEvents(encoded.events, approvalRow.run_id, { runKey, segment });
    return { applied: true, approvalRow };
  }

  private applyRunFinish(finish: RunFinish, error: JsonColumnValue | null, events: EncodedEvent[]): boolean {
    const finished = this.statements.finishRun.get({
      runId: finish.runId,
      fromStatuses: JSON.stringify(finish.fromStatuses),
      owner: finish.owner,
      status: finish.status,
      error,
      at: finish.at,
    });
    if (finished === undefined) return false;
    const place = toRunPlace(finished);
    const approvalStatus = finish.status === "expired" ? "expired" : "cancelled";
    this.statements.closePendingApprovals.run({ runKey: place.runKey, status: approvalStatus, at: finish.at });
    this.insertEvents(events, finish.runId, place);
    return true;
  }

  private applyRunClaim(claim: RunClaim, events: EncodedEvent[]): boolean {
    const claimed = this.statements.claimRun.get({
      runId: claim.runId,
      expectedOwner: claim.expectedOwner,
      owner: claim.owner,
      leaseExpiresAt: claim.leaseExpiresAt,
      at: claim.at,
    });
    if (claimed === undefined) return false;
    this.insertEvents(events, claim.runId, toRunPlace(claimed));
    return true;
  }

  /**
   * For write paths kept in files of their own (sqlite-run-retries.ts): append events inside the
   * caller's transaction, given the `RETURNING key, segment` row of the run they wrote.
   */
  appendEventsInTransaction(events: ReadonlyArray<EncodedEvent>, runId: string, placeRow: unknown): void {
    this.insertEvents(events, runId, toRunPlace(placeRow));
  }

  /**
   * Append events inside the caller's transaction, to the current event segment of their run
   * (its own key range until its first decision). Events nearly always belong to the run being
   * written (`knownRunId`, whose place is known); others are looked up. Each segment's events
   * are numbered from 1: the next number is one past the segment's last key, read under the
   * write lock, so it is current whoever wrote last.
   */
  private insertEvents(events: ReadonlyArray<EncodedEvent>, knownRunId?: string, knownPlace?: RunPlace): void {
    const nextKeys = new Map<number, number>();
    for (const event of events) {
      const place = event.runId === knownRunId && knownPlace !== undefined ? knownPlace : this.requireRunPlace(event.runId);
      const key = nextKeys.get(place.segment) ?? this.lastEventKeyIn(place.segment) + 1;
      if (key >= (place.segment + 1) * KEYS_PER_RUN) throw auditLogFull(event.runId);
      this.statements.insertEvent.run({ ...event.parameters, key });
      nextKeys.set(place.segment, key + 1);
    }
  }

  /** The key of the segment's last event, or the one before the segment's first when it has none. */
  private lastEventKeyIn(segment: number): number {
    const last = this.statements.lastEventKey.get({ segment });
    return last === null || last === undefined ? segment * KEYS_PER_RUN : toRowKey(last, "events");
  }

  private requireRunPlace(runId: string): RunPlace {
    const row = this.statements.selectRunPlace.get(runId);
    if (row === undefined) throw eventOfUnknownRun(runId);
    return toRunPlace(row);
  }
}

/** Where a run's rows go: its key, and the event segment its new events go to. */
interface RunPlace {
  runKey: number;
  segment: number;
}

/** A `RETURNING key, segment` row, read raw (an array). */
function toRunPlace(row: unknown): RunPlace {
  const [runKey, segment] = Array.isArray(row) ? (row as unknown[]) : [];
  return { runKey: toRowKey(runKey, "runs"), segment: toRowKey(segment, "runs") };
}
