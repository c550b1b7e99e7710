import cron from "node-cron";
import type { ChainSchedule } from "../core/chain.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { Clock, Logger, MessageLedger } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { cronLogger } from "./cron-logger.js";

/**
 * Chains that declare `schedules` start on them (node-cron). Each firing claims its slot in the
 * message ledger (chain, schedule, minute), so several replicas start one run per slot.
 */

/** What the schedule job starts runs with, and where it claims its slots. */
export interface ChainSchedulesOptions {
  runner: Pick<Runner, "start">;
  chains: ChainRegistry;
  ledger: MessageLedger;
  /** For firings without a scheduled time of their own. */
  clock: Clock;
  logger: Logger;
}

const MINUTE = 60_000;

export class ChainSchedules {
  readonly #options: ChainSchedulesOptions;

  constructor(options: ChainSchedulesOptions) {
    this.#options = options;
  }

  /**
   * Check every chain's schedules (CHAIN_INVALID naming the chain, the expression and the fix,
   * before any is started), then start them. Returns stop().
   */
  start(): () => void {
    const { chains, logger } = this.#options;
    const plans = chains.list().flatMap((chain) => chain.schedules.map((schedule, index) => ({ chainId: chain.id, schedule, index })));
    for (const { chainId, schedule } of plans) checkSchedule(chainId, schedule);
    const tasks = plans.map(({ chainId, schedule, index }) =>
      cron.schedule(
        schedule.cron,
        async (context) => {
          // The slot node-cron matched, not the time the callback ran: replicas whose clocks
          // differ by a little still claim the same slot.
          await this.fire(chainId, index, context.date.getTime()).catch((error: unknown) =>
            logger.error({ chainId, cron: schedule.cron, error: describeError(error) }, "a scheduled run did not start; the next slot tries again"),
          );
        },
        {
          name: `baton-schedule-${chainId}-${String(index)}`,
          logger: cronLogger(logger, `schedule ${chainId}`),
          ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }),
        },
      ),
    );
    return () => {
      for (const task of tasks) void task.destroy();
    };
  }

  /**
   * Start the run of one schedule slot. Undefined when another process already started this
   * slot, or the run could not start (logged: a fixed input that no longer fits the chain).
   */
  async fire(chainId: string, scheduleIndex: number, scheduledAt: number = this.#options.clock.now()): Promise<string | undefined> {
    const { runner, chains, ledger, logger } = this.#options;
    const schedule = chains.get(chainId).schedules[scheduleIndex];
    if (!schedule) {
      logger.warn({ chainId, scheduleIndex }, "a schedule fired that the chain no longer has; nothing started");
      return undefined;
    }
    const slot = Math.floor(scheduledAt / MINUTE) * MINUTE;
    const key = `schedule:${chainId}:${String(scheduleIndex)}:${String(slot)}`;
    if (!(await ledger.claimMessage({ key, runId: null, channel: "", at: scheduledAt }))) return undefined;
    try {
      const { runId } = await runner.start(chainId, schedule.input, {
        startedBy: "schedule",
        origin: { source: "cron", reference: { cron: schedule.cron, chainId } },
      });
      return runId;
    } catch (error) {
      // The slot stays claimed: another replica retrying it would fail the same way.
      const why = isBatonError(error, "INPUT_INVALID")
        ? "its fixed input no longer fits the chain's input schema; fix the schedule's input in the chain definition"
        : "starting it failed";
      logger.error({ chainId, scheduleIndex, cron: schedule.cron, error: describeError(error) }, `a scheduled run did not start: ${why}`);
      return undefined;
    }
  }
}

/** CHAIN_INVALID unless node-cron accepts the expression, it fires at most once a minute, and the time zone exists. */
function checkSchedule(chainId: string, schedule: ChainSchedule): void {
  if (!cron.validate(schedule.cron)) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Chain "${chainId}" has the schedule "${schedule.cron}", which is not a cron expression. Use node-cron syntax such as "0 9 * * 1-5" (09:00 on weekdays).`,
      {
        chainId,
        cron: schedule.cron,
      },
    );
  }
  // Slots are claimed per minute (so replicas agree on them); a second firing in the same
  // minute would be dropped without a word, so refuse it here instead.
  if (cron.parse(schedule.cron).second.length > 1) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Chain "${chainId}" has the schedule "${schedule.cron}", which fires more than once a minute. Scheduled runs start at most once a minute: use five fields, such as "*/5 * * * *" (every five minutes).`,
      { chainId, cron: schedule.cron },
    );
  }
  if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Chain "${chainId}" has the schedule "${schedule.cron}" in the time zone "${schedule.timezone}", which is not one. Use an IANA name such as "Europe/Berlin", or leave it out for the server's.`,
      { chainId, cron: schedule.cron, timezone: schedule.timezone },
    );
  }
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}
