import type { Duration } from "./duration.js";
import { durationToMs } from "./duration.js";
import { isBatonError } from "./errors.js";

/**
 * Errors an action step throws to steer its retries (after inngest's `RetryAfterError` and
 * `NonRetriableError`). Anything else a step throws is taken as a bug in the step and fails the
 * run at once, except the transient faults baton's own adapters raise (model transport,
 * GitHub unavailable), which are retried.
 */

/** What `retryAfter` accepts: a duration from now, or the moment to try again. */
export type RetryAfter = Duration | Date;

/**
 * A transient fault: try the step again later, per its retry policy. `retryAfter` (a server's
 * `Retry-After`, say) sets the earliest next try; the policy's backoff applies otherwise.
 */
export class RetryableError extends Error {
  readonly retryAfter: RetryAfter | undefined;

  constructor(message: string, options: { retryAfter?: RetryAfter; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RetryableError";
    this.retryAfter = options.retryAfter;
  }
}

/** A fault that trying again will not change (a 4xx, bad data): the run fails at once. */
export class NonRetriableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NonRetriableError";
  }
}

/** What the run waits for while it retries, for people: "waiting for the model". */
export type WaitingFor = "model" | "github" | "service";

export type StepFault =
  | { retryable: false }
  | {
      retryable: true;
      waitingFor: WaitingFor;
      /** The earliest next try the fault asked for (Retry-After), in ms from now; null when it did not say. */
      retryAfterMs: number | null;
    };

/** HTTP statuses worth trying again: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function retryAfterMsOf(retryAfter: RetryAfter | undefined, now: number): number | null {
  if (retryAfter === undefined) return null;
  if (retryAfter instanceof Date) return Math.max(0, retryAfter.getTime() - now);
  return Math.max(0, durationToMs(retryAfter));
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * Whether a step's failure is worth another try. A model step's `MODEL_TRANSPORT` is retryable
 * when its last call failed on a status worth retrying or on the connection (no status); a
 * refusal or an answer that would not validate is not.
 */
export function classifyStepFault(error: unknown, now: number): StepFault {
  if (error instanceof NonRetriableError) return { retryable: false };
  if (error instanceof RetryableError) return { retryable: true, waitingFor: "service", retryAfterMs: retryAfterMsOf(error.retryAfter, now) };
  if (isBatonError(error, "MODEL_TRANSPORT")) {
    const attempts = Array.isArray(error.details["attempts"]) ? (error.details["attempts"] as unknown[]) : [];
    const last: unknown = attempts.at(-1) ?? error.details;
    const status = typeof last === "object" && last !== null && "status" in last ? numberOrNull(last.status) : numberOrNull(error.details["status"]);
    if (status !== null && !isRetryableStatus(status)) return { retryable: false };
    const retryAfterMs = typeof last === "object" && last !== null && "retryAfterMs" in last ? numberOrNull(last.retryAfterMs) : null;
    return { retryable: true, waitingFor: "model", retryAfterMs };
  }
  if (isBatonError(error, "GITHUB_UNAVAILABLE")) {
    const status = numberOrNull(error.details["status"]);
    if (status !== null && !isRetryableStatus(status)) return { retryable: false };
    return { retryable: true, waitingFor: "github", retryAfterMs: numberOrNull(error.details["retryAfterMs"]) };
  }
  return { retryable: false };
}
