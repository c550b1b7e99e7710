import cron from "node-cron";
import { durationToMs } from "../core/duration.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError } from "../core/errors.js";
import type { ApprovalRecord, ChainStore, Clock, Logger, MessageLedger, ReminderSink } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { cronLogger } from "./cron-logger.js";

/**
 * Approval deadlines, derived from SQLite on every tick rather than kept in memory: a pending
 * approval row holds when it was asked and its deadline; the message ledger holds which
 * reminders went out. So timers survive restarts, and after downtime a tick catches up with one
 * reminder (the latest due), the escalation if due, and the expiry — never an approval.
 */

/** What the deadline job reads, writes and tells; `defaults` apply where a chain is silent. */
export type { ReminderSink };

export interface ApprovalDeadlinesOptions {
  store: ChainStore;
  runner: Pick<Runner, "expire">;
  chains: ChainRegistry;
  ledger: MessageLedger;
  clock: Clock;
  sink: ReminderSink;
  logger: Logger;
  defaults: { reminderEveryMs: number; escalateAfterMs: number; escalateTo: ReadonlyArray<string> };
}

/** The approval ids one tick acted on. */
export interface TickReport {
  expired: string[];
  reminded: string[];
  escalated: string[];
}

/** The first listing's size; doubled while a listing comes back full (the filter has no cursor). */
const FIRST_PAGE = 500;

export class ApprovalDeadlines {
  readonly #options: ApprovalDeadlinesOptions;
  #ticking: Promise<TickReport> | undefined;
  /** Approvals of unloaded chains already warned about, so the log says it once, not every 30 s. */
  readonly #warnedUnloaded = new Set<string>();

  constructor(options: ApprovalDeadlinesOptions) {
    this.#options = options;
  }

  /** One pass: expire what is past its deadline, send the reminders and escalations that are due. */
  tick(): Promise<TickReport> {
    // Ticks never overlap: a slow tick (Slack waiting out a 429) is joined, not doubled.
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  /**
   * Run `tick()` on a node-cron schedule (the default configuration says every 30 s); ticks
   * never overlap, and errors are logged, never thrown out of the timer. Returns stop().
   */
  start(cronExpression: string): () => void {
    if (!cron.validate(cronExpression)) {
      throw new BatonError(
        "CONFIG_INVALID",
        `BATON_DEADLINE_CHECK_CRON "${cronExpression}" is not a cron expression. Use node-cron syntax with optional seconds, such as "*/30 * * * * *" (every 30 s), or unset it for that default.`,
        { variable: "BATON_DEADLINE_CHECK_CRON", value: cronExpression },
      );
    }
    const { logger } = this.#options;
    const task = cron.schedule(
      cronExpression,
      async () => {
        await this.tick().catch((error: unknown) =>
          logger.error({ error: describeError(error) }, "the approval deadline check failed; it runs again at the next tick"),
        );
      },
      { name: "baton-approval-deadlines", noOverlap: true, logger: cronLogger(logger, "approval-deadlines") },
    );
    return () => void task.destroy();
  }

  async #tick(): Promise<TickReport> {
    const report: TickReport = { expired: [], reminded: [], escalated: [] };
    for (const approval of await this.#listPending()) {
      // One approval that cannot be handled (a busy database, a run in a strange state) must
      // not hold up the reminders and expiries of the others.
      try {
        await this.#check(approval, report);
      } catch (error) {
        this.#options.logger.error(
          { approvalId: approval.id, runId: approval.runId, error: describeError(error) },
          "could not check an approval's deadline; the next tick tries again",
        );
      }
    }
    return report;
  }

  /** Every pending approval: the listing has a limit and no cursor, so grow it until it is not full. */
  async #listPending(): Promise<ApprovalRecord[]> {
    for (let limit = FIRST_PAGE; ; limit *= 2) {
      const pending = await this.#options.store.listApprovals({ statuses: ["pending"], limit });
      if (pending.length < limit) return pending;
    }
  }

  async #check(approval: ApprovalRecord, report: TickReport): Promise<void> {
    const { chains, clock, runner, logger, defaults } = this.#options;
    if (!chains.has(approval.chainId)) {
      // Not expired either: the chain may be back after the next deploy, and expiring is final.
      if (!this.#warnedUnloaded.has(approval.id)) {
        this.#warnedUnloaded.add(approval.id);
        logger.warn(
          { approvalId: approval.id, runId: approval.runId, chainId: approval.chainId },
          "an approval waits on a chain that is not loaded; no reminders or expiry until it is loaded again",
        );
      }
      return;
    }
    const now = clock.now();
    if (approval.deadlineAt !== null && now >= approval.deadlineAt) {
      if (await runner.expire(approval.id)) report.expired.push(approval.id);
      return;
    }
    const reminders = chains.get(approval.chainId).approvalReminders;
    const waited = now - approval.requestedAt;
    const everyMs = reminders.every === undefined ? defaults.reminderEveryMs : durationToMs(reminders.every);
    // Only the latest due reminder: after downtime one reminder catches up, not a burst.
    const sequence = everyMs > 0 ? Math.floor(waited / everyMs) : 0;
    if (sequence >= 1 && (await this.#send(approval, "reminder", `reminder:${approval.id}:${String(sequence)}`, approval.approvers, sequence, now))) {
      report.reminded.push(approval.id);
    }
    const escalateAfterMs = reminders.escalateAfter === undefined ? defaults.escalateAfterMs : durationToMs(reminders.escalateAfter);
    const escalateTo = reminders.escalateTo ?? defaults.escalateTo;
    if (escalateTo.length > 0 && waited >= escalateAfterMs && (await this.#send(approval, "escalation", `escalation:${approval.id}`, escalateTo, 1, now))) {
      report.escalated.push(approval.id);
    }
  }

  /** Claim `key` (so one process of several sends it), send, and release the claim if sending failed. */
  async #send(
    approval: ApprovalRecord,
    kind: "reminder" | "escalation",
    key: string,
    mention: ReadonlyArray<string>,
    sequence: number,
    now: number,
  ): Promise<boolean> {
    const { ledger, sink, logger } = this.#options;
    // The channel is the sink's business (it records its own message); the column is NOT NULL.
    if (!(await ledger.claimMessage({ key, runId: approval.runId, channel: "", at: now }))) return false;
    try {
      await sink.remind({ approval, kind, mention, sequence, now });
      return true;
    } catch (error) {
      await ledger.releaseClaim(key);
      logger.warn(
        { approvalId: approval.id, runId: approval.runId, kind, sequence, error: describeError(error) },
        "could not send an approval reminder; the next tick tries again",
      );
      return false;
    }
  }
}
