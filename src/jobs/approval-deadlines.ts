import cron from "node-cron";
import { durationToMs } from "../core/chain.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError } from "../core/errors.js";
import type { ApprovalRecord, ChainStore, Clock, Logger, MessageLedger } from "../core/ports.js";
import type { Runner } from "../core/runner.js";

/**
 * Approval deadlines, derived from SQLite on every tick rather than kept in memory: a pending
 * approval row holds when it was asked and its deadline; the message ledger holds which
 * reminders went out. So timers survive restarts, and after downtime a tick catches up with one
 * reminder (the latest due), the escalation if due, and the expiry — never an approval.
 */

/** Where reminders go (the Slack adapter implements it: a thread reply mentioning people). */
export interface ReminderSink {
  remind(reminder: { approval: ApprovalRecord; kind: "reminder" | "escalation"; mention: ReadonlyArray<string>; sequence: number; now: number }): Promise<void>;
}

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

export interface TickReport {
  expired: string[];
  reminded: string[];
  escalated: string[];
}

const PAGE = 500;

export class ApprovalDeadlines {
  readonly #options: ApprovalDeadlinesOptions;
  #ticking: Promise<TickReport> | undefined;

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

  /** Run `tick()` on a node-cron schedule; errors are logged, never thrown out of the timer. Returns stop(). */
  start(cronExpression: string): () => void {
    if (!cron.validate(cronExpression)) {
      throw new BatonError("CONFIG_INVALID", `BATON_DEADLINE_CHECK_CRON "${cronExpression}" is not a cron expression. Use node-cron syntax with optional seconds, such as "*/30 * * * * *" (every 30 s), or unset it.`, {
        variable: "BATON_DEADLINE_CHECK_CRON",
      });
    }
    const task = cron.schedule(
      cronExpression,
      async () => {
        await this.tick().catch((error: unknown) => this.#options.logger.error({ error: describeError(error) }, "the approval deadline check failed; it runs again at the next tick"));
      },
      { name: "baton-approval-deadlines", noOverlap: true },
    );
    return () => void task.destroy();
  }

  async #tick(): Promise<TickReport> {
    const report: TickReport = { expired: [], reminded: [], escalated: [] };
    const pending = await this.#options.store.listApprovals({ statuses: ["pending"], limit: 10_000 });
    for (let start = 0; start < pending.length; start += PAGE) {
      for (const approval of pending.slice(start, start + PAGE)) await this.#check(approval, report);
    }
    return report;
  }

  async #check(approval: ApprovalRecord, report: TickReport): Promise<void> {
    const { chains, clock, runner, logger, defaults } = this.#options;
    const now = clock.now();
    if (!chains.has(approval.chainId)) {
      logger.warn({ approvalId: approval.id, chainId: approval.chainId }, "an approval waits on a chain that is not loaded; leaving it alone");
      return;
    }
    if (approval.deadlineAt !== null && now >= approval.deadlineAt) {
      if (await runner.expire(approval.id)) report.expired.push(approval.id);
      return;
    }
    const reminders = chains.get(approval.chainId).approvalReminders;
    const everyMs = reminders.every === undefined ? defaults.reminderEveryMs : durationToMs(reminders.every);
    const waited = now - approval.requestedAt;
    const sequence = everyMs > 0 ? Math.floor(waited / everyMs) : 0;
    if (sequence >= 1 && (await this.#send(approval, "reminder", `reminder:${approval.id}:${String(sequence)}`, approval.approvers, sequence, now))) report.reminded.push(approval.id);
    const escalateAfterMs = reminders.escalateAfter === undefined ? defaults.escalateAfterMs : durationToMs(reminders.escalateAfter);
    const escalateTo = reminders.escalateTo ?? defaults.escalateTo;
    if (escalateTo.length > 0 && waited >= escalateAfterMs && (await this.#send(approval, "escalation", `escalation:${approval.id}`, escalateTo, 1, now))) report.escalated.push(approval.id);
  }

  /** Claim `key` (one process sends it), send, and release the claim if sending failed. */
  async #send(approval: ApprovalRecord, kind: "reminder" | "escalation", key: string, mention: ReadonlyArray<string>, sequence: number, now: number): Promise<boolean> {
    const { ledger, sink, logger } = this.#options;
    if (!(await ledger.claimMessage({ key, runId: approval.runId, channel: "", at: now }))) return false;
    try {
      await sink.remind({ approval, kind, mention, sequence, now });
      return true;
    } catch (error) {
      await ledger.releaseClaim(key);
      logger.warn({ approvalId: approval.id, kind, error: describeError(error) }, "could not send an approval reminder; the next tick tries again");
      return false;
    }
  }
}
