import cron from "node-cron";
import { BatonError, describeError } from "../core/errors.js";
import type { Clock, Logger } from "../core/ports.js";
import { pruneAuditDetail, type PruneReport, type RetentionStore } from "../core/retention.js";
import { cronLogger } from "./cron-logger.js";

/**
 * The retention job: on a node-cron schedule (daily by default), prune the audit detail of runs
 * that finished more than `olderThanMs` ago, and old webhook deliveries (what is kept and what
 * goes: `core/retention.ts`). Passes never overlap, in this process or across replicas sharing
 * the database (a replica whose tick finds another's pass running skips it); a failed pass is
 * logged and the next one carries on where it left off (pruned runs are marked, so nothing is
 * done twice).
 */

export interface RetentionJobOptions {
  store: RetentionStore;
  clock: Clock;
  logger: Logger;
  olderThanMs: number;
}

export type PassReport = PruneReport;

export class RetentionJob {
  readonly #options: RetentionJobOptions;
  #running: Promise<PassReport> | undefined;

  constructor(options: RetentionJobOptions) {
    this.#options = options;
  }

  /** One pass now (joined if one is under way). */
  runOnce(): Promise<PassReport> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Run passes on `cronExpression`; returns stop(). */
  start(cronExpression: string): () => void {
    if (!cron.validate(cronExpression)) {
      throw new BatonError(
        "CONFIG_INVALID",
        `BATON_RETENTION_CRON "${cronExpression}" is not a cron expression. Use node-cron syntax such as "17 3 * * *" (daily at 03:17), or unset it for that default.`,
        { variable: "BATON_RETENTION_CRON", value: cronExpression },
      );
    }
    const { logger } = this.#options;
    const task = cron.schedule(
      cronExpression,
      async () => {
        await this.runOnce().catch((error: unknown) =>
          logger.error({ error: describeError(error) }, "the retention pass failed; the next one continues where it stopped"),
        );
      },
      { name: "baton-retention", noOverlap: true, logger: cronLogger(logger, "retention") },
    );
    return () => void task.destroy();
  }

  async #pass(): Promise<PassReport> {
    const { store, clock, logger, olderThanMs } = this.#options;
    const startedAt = clock.now();
    const report = await pruneAuditDetail(store, { olderThanMs, now: startedAt, pause: () => new Promise((resolve) => setImmediate(resolve)) });
    if (report.skipped) {
      logger.info({ cutoff: new Date(report.cutoff).toISOString() }, "retention pass skipped: another baton process sharing the database is running one");
      return report;
    }
    logger.info(
      { ...report, cutoff: new Date(report.cutoff).toISOString(), durationMs: clock.now() - startedAt },
      "retention pass: pruned the audit detail of runs that finished before the cutoff",
    );
    return report;
  }
}
