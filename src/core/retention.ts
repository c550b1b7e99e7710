/**
 * Retention: audit detail of runs that finished long ago is pruned, so the database does not
 * grow without bound. What a pass keeps and deletes, for runs that finished before the cutoff
 * (runs still running or awaiting approval are never touched, however old):
 * - kept: the run (status, input, who started it, its error), each step's output and usage,
 *   the approvals (who decided what, edits), and the events that say so — run.started,
 *   run.finished, approval.requested, approval.decided, approval.denied;
 * - deleted: the other events (each step's start and finish, every model call with its
 *   tokens, cost and latency, invalid model output, recoveries, replayed effects) and the
 *   recorded results of the run's effects (needed only while the run could still repeat a step).
 * Webhook deliveries received before the cutoff (raw bodies) are deleted too; incidents keep
 * their alerts.
 */

import type { AuditEventType } from "./ports.js";

export const RETAINED_EVENT_TYPES: ReadonlyArray<AuditEventType> = ["run.started", "run.finished", "approval.requested", "approval.decided", "approval.denied"];

export interface PruneCounts {
  runs: number;
  events: number;
  effects: number;
  deliveries: number;
}

export interface PruneBatchInput {
  cutoff: number;
  at: number;
  maxRuns: number;
  maxDeliveries: number;
  /** Where the previous batch of this pass stopped (its `after`); absent for the first. */
  after?: number;
}

export interface PruneBatchResult extends PruneCounts {
  after: number;
  /** The batch found less than its limit of both runs and deliveries: nothing old is left. */
  done: boolean;
}

export interface RetentionStore {
  /**
   * Run `pass` unless another process sharing the database is running one now: then resolve
   * `undefined` at once, running nothing. Replicas whose schedules fire together so prune once.
   */
  runAlone<Result>(pass: () => Promise<Result>): Promise<Result | undefined>;
  /**
   * Prune up to `maxRuns` finished runs (finished before `cutoff`, not pruned yet) and up to
   * `maxDeliveries` deliveries received before it, in one transaction.
   */
  pruneBatch(input: PruneBatchInput): Promise<PruneBatchResult>;
  /** What a pass with this cutoff would delete (for `--dry-run`). */
  countPrunable(cutoff: number): Promise<PruneCounts>;
  /** Record a finished pass (only when it deleted something). */
  logPass(input: { at: number; cutoff: number } & PruneCounts): Promise<void>;
}

/** What a pass did; `skipped` when another process was running one (and this one did nothing). */
export type PruneReport = PruneCounts & { cutoff: number; skipped: boolean };

export interface PruneOptions {
  /** Detail older than this (ms before `now`) is pruned. */
  olderThanMs: number;
  now: number;
  /** Runs per transaction: each holds the write lock briefly, so webhooks and steps go on. */
  batchRuns?: number;
  /** Between batches: give other work the event loop (the bot passes a setImmediate). */
  pause?: () => Promise<void>;
}

/** One retention pass, batch by batch until nothing old is left; skipped while another process runs one. */
export async function pruneAuditDetail(store: RetentionStore, options: PruneOptions): Promise<PruneReport> {
  const cutoff = options.now - options.olderThanMs;
  const counts = await store.runAlone(() => prunePass(store, cutoff, options));
  return counts === undefined ? { cutoff, runs: 0, events: 0, effects: 0, deliveries: 0, skipped: true } : { cutoff, ...counts, skipped: false };
}

async function prunePass(store: RetentionStore, cutoff: number, options: PruneOptions): Promise<PruneCounts> {
  const maxRuns = options.batchRuns ?? 200;
  const total: PruneCounts = { runs: 0, events: 0, effects: 0, deliveries: 0 };
  let after: number | undefined;
  for (;;) {
    const batch = await store.pruneBatch({ cutoff, at: options.now, maxRuns, maxDeliveries: maxRuns * 10, ...(after === undefined ? {} : { after }) });
    after = batch.after;
    total.runs += batch.runs;
    total.events += batch.events;
    total.effects += batch.effects;
    total.deliveries += batch.deliveries;
    if (batch.done) break;
    await options.pause?.();
  }
  if (total.runs + total.events + total.effects + total.deliveries > 0) await store.logPass({ at: options.now, cutoff, ...total });
  return total;
}
