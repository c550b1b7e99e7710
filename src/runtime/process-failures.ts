import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";

/**
 * What the bot process does with a failure nothing else caught.
 *
 * - `unhandledRejection`: a promise failed and nobody awaited it — one request's or one job's
 *   work, whose durable state is in the database (a step is committed or repeated at most once).
 *   Logged at error with the reason and stack; the process keeps serving.
 * - `uncaughtException`: an exception escaped to the event loop. Node's documentation says it is
 *   not safe to resume normal operation after one (process, "Warning: Using 'uncaughtException'
 *   correctly"): logged at error with its origin, then exit 70 so a supervisor (systemd,
 *   Kubernetes, Docker's restart policy) starts a fresh process, which recovers in-flight runs.
 */
export function installProcessFailureHandlers(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onRejection = (reason: unknown): void => {
    logger.error(
      { error: describeError(reason), stack: reason instanceof Error ? reason.stack : undefined },
      "a promise failed and nothing handled it; baton keeps serving — please report this with the log line",
    );
  };
  const onException = (error: Error, origin: string): void => {
    logger.error(
      { origin, error: describeError(error), stack: error.stack },
      "an exception escaped to the event loop; exiting (code 70) for a supervisor to restart baton — in-flight runs continue after the restart",
    );
    exit(70);
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}
