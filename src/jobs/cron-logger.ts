import type { Logger as NodeCronLogger } from "node-cron";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";

/**
 * node-cron's own messages (a missed execution after the event loop stalled, a tick skipped
 * because the last one still runs) routed into our logger, so they carry the job's name and do
 * not go to the console beside the structured logs.
 */
export function cronLogger(logger: Logger, job: string): NodeCronLogger {
  const fields = (error?: Error): Record<string, unknown> => (error === undefined ? { job } : { job, error: describeError(error) });
  const text = (message: string | Error): string => (typeof message === "string" ? message : message.message);
  return {
    info: (message) => logger.info({ job }, message),
    warn: (message) => logger.warn({ job }, message),
    error: (message, error) => logger.error(fields(error ?? (message instanceof Error ? message : undefined)), text(message)),
    debug: (message, error) => logger.debug(fields(error ?? (message instanceof Error ? message : undefined)), text(message)),
  };
}
