import cron from "node-cron";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { cronLogger } from "./cron-logger.js";

/**
 * The timer of runs waiting out an outage. The schedule is in the database (each waiting run's
 * next try), not in memory, so a restart keeps it: every tick takes up the runs whose next try
 * is due, in this process or any other (the claim is a compare-and-set).
 */
export class StepRetries {
  readonly #runner: Pick<Runner, "resumeDue">;
  readonly #logger: Logger;
  #ticking: Promise<string[]> | undefined;

  constructor(options: { runner: Pick<Runner, "resumeDue">; logger: Logger }) {
    this.#runner = options.runner;
    this.#logger = options.logger;
  }

  /** One pass: the run ids taken up. Ticks never overlap. */
  tick(): Promise<string[]> {
    this.#ticking ??= this.#runner.resumeDue().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  /** Tick on a node-cron schedule (default every 5 s); errors are logged, never thrown. Returns stop(). */
  start(cronExpression = "*/5 * * * * *"): () => void {
    const task = cron.schedule(
      cronExpression,
      async () => {
        await this.tick().catch((error: unknown) =>
          this.#logger.error({ error: describeError(error) }, "the step retry check failed; it runs again at the next tick"),
        );
      },
      { name: "baton-step-retries", noOverlap: true, logger: cronLogger(this.#logger, "step-retries") },
    );
    return () => void task.destroy();
  }
}
