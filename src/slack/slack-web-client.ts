import { LogLevel, webApi, type Logger as SlackLibraryLogger } from "@slack/bolt";
import { BatonError, describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";

/**
 * Slack Web API clients. Two policies, on purpose:
 * - background (cards, thread replies, reminders): waits out every 429 as `Retry-After` says and
 *   retries 5xx with backoff, for as long as it takes — the run never waits on it;
 * - interactive (modals, ephemeral answers): a click or a command has a person waiting and a
 *   `trigger_id` that dies after 3 s, so a 429 is waited out only within a small budget.
 */

export type SlackClient = InstanceType<typeof webApi.WebClient>;
export type RetryPolicy = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>["retryConfig"];

export interface SlackClientOptions {
  token: string;
  logger: Logger;
  /** The Web API base URL with a trailing slash; undefined for Slack's own. */
  apiUrl: string | undefined;
  /** Overrides the background retry policy (tests use a fast one). */
  backgroundRetry?: RetryPolicy;
}

export const INTERACTIVE_CLIENT_OPTIONS = {
  retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 300 },
  rejectRateLimitedCalls: true,
  timeout: 2_500,
} as const;

export function createBackgroundClient(options: SlackClientOptions): SlackClient {
  return new webApi.WebClient(options.token, {
    logger: slackLogger(options.logger),
    ...(options.apiUrl === undefined ? {} : { slackApiUrl: options.apiUrl }),
    retryConfig: options.backgroundRetry ?? webApi.retryPolicies.tenRetriesInAboutThirtyMinutes,
    rejectRateLimitedCalls: false,
    timeout: 30_000,
  });
}

/** Slack's libraries' logger interface, onto ours (so their warnings land in the same JSON log). */
export function slackLogger(logger: Logger): SlackLibraryLogger {
  let level: LogLevel = LogLevel.INFO;
  const text = (parts: unknown[]): string => parts.map((part) => (typeof part === "string" ? part : describeError(part))).join(" ");
  return {
    debug: (...parts: unknown[]) => logger.debug({ source: "slack" }, text(parts)),
    info: (...parts: unknown[]) => logger.info({ source: "slack" }, text(parts)),
    warn: (...parts: unknown[]) => logger.warn({ source: "slack" }, text(parts)),
    error: (...parts: unknown[]) => logger.error({ source: "slack" }, text(parts)),
    setLevel: (next: LogLevel) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** The Web API error code of a failed call (`channel_not_found`), when Slack gave one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  if (typeof data === "object" && data !== null && typeof (data as { error?: unknown }).error === "string") return (data as { error: string }).error;
  return undefined;
}

/** Slack answered, and the answer will not change by asking again (a missing channel, a bad token). */
export function isPermanentSlackError(error: unknown): boolean {
  const code = slackErrorCode(error);
  return (
    code !== undefined &&
    code !== "ratelimited" &&
    code !== "internal_error" &&
    code !== "fatal_error" &&
    code !== "service_unavailable" &&
    code !== "request_timeout"
  );
}

function retryAfterSeconds(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { code?: unknown; retryAfter?: unknown };
  if (candidate.code === webApi.ErrorCode.RateLimitedError && typeof candidate.retryAfter === "number") return candidate.retryAfter;
  return undefined;
}

/**
 * Run an interactive call; a 429 is retried after `Retry-After` while that fits in `budgetMs`.
 * Anything else (or a wait past the budget) becomes SLACK_REQUEST_FAILED.
 */
export async function withinBudget<Result>(what: string, budgetMs: number, call: () => Promise<Result>): Promise<Result> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const waitSeconds = retryAfterSeconds(error);
      if (waitSeconds !== undefined && Date.now() + waitSeconds * 1000 <= deadline) {
        await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
        continue;
      }
      const reason =
        waitSeconds !== undefined
          ? `Slack is rate-limiting baton (retry after ${String(waitSeconds)} s)`
          : (slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error)));
      throw new BatonError("SLACK_REQUEST_FAILED", `Slack did not accept ${what}: ${reason}. Try again in a moment.`, { what, reason }, { cause: error });
    }
  }
}
