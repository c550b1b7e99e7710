import cron from "node-cron";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { Clock, Logger, MessageLedger } from "../core/ports.js";
import type { Runner } from "../core/runner.js";

/**
 * Chains that declare `schedules` start on them (node-cron). Each firing claims its slot in the
 * message ledger (chain, schedule, minute), so several replicas start one run per slot.
 */
export interface ChainSchedulesOptions {
  runner: Pick<Runner, "start">;
  chains: ChainRegistry;
  ledger: MessageLedger;
  clock: Clock;
  logger: Logger;
}

const MINUTE = 60_000;

export class ChainSchedules {
  readonly #options: ChainSchedulesOptions;

  constructor(options: ChainSchedulesOptions) {
    this.#options = options;
  }

  /** Check every schedule, then start them. Returns stop(). */
  start(): () => void {
    const { chains } = this.#options;
    const plans = chains.list().flatMap((chain) => chain.schedules.map((schedule, index) => ({ chainId: chain.id, schedule, index })));
    for (const { chainId, schedule } of plans) {
      if (!cron.validate(schedule.cron)) {
        throw new BatonError("CHAIN_INVALID", `Chain "${chainId}" has the schedule "${schedule.cron}", which is not a cron expression. Use node-cron syntax such as "0 9 * * 1-5" (09:00 on weekdays).`, { chainId, cron: schedule.cron });
      }
      if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
        throw new BatonError("CHAIN_INVALID", `Chain "${chainId}" has the time zone "${schedule.timezone}", which is not one. Use an IANA name such as "Europe/Berlin", or leave it out for the server's.`, { chainId, timezone: schedule.timezone });
      }
    }
    const tasks = plans.map(({ chainId, schedule, index }) =>
      cron.schedule(
        schedule.cron,
        async () => {
          await this.fire(chainId, index, this.#options.clock.now());
        },
        { name: `baton-schedule-${chainId}-${String(index)}`, ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }) },
      ),
    );
    return () => {
      for (const task of tasks) void task.destroy();
    };
  }

  /** Start the run of one schedule slot; undefined when another process already did (or it failed). */
  async fire(chainId: string, scheduleIndex: number, scheduledAt: number): Promise<string | undefined> {
    const { runner, chains, ledger, logger } = this.#options;
    const schedule = chains.get(chainId).schedules[scheduleIndex];
    if (!schedule) return undefined;
    const slot = Math.floor(scheduledAt / MINUTE) * MINUTE;
    const key = `schedule:${chainId}:${String(scheduleIndex)}:${String(slot)}`;
    if (!(await ledger.claimMessage({ key, runId: null, channel: "", at: scheduledAt }))) return undefined;
    try {
      const { runId } = await runner.start(chainId, schedule.input, { startedBy: "schedule", origin: { source: "cron", reference: { cron: schedule.cron, chainId } } });
      return runId;
    } catch (error) {
      const level = isBatonError(error, "INPUT_INVALID") ? "its fixed input no longer fits the chain's input schema; fix the schedule's input" : "starting it failed";
      logger.error({ chainId, cron: schedule.cron, error: describeError(error) }, `a scheduled run did not start: ${level}`);
      return undefined;
    }
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
