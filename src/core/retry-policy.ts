import type { Duration } from "./duration.js";
import { durationToMs } from "./duration.js";

/**
 * How a step is tried again after a transient fault (see step-errors.ts). Every try's count and
 * the next try's time are written to the database, so a restart keeps the schedule.
 */
export interface StepRetryPolicy {
  /** Tries in all, the first included. */
  attempts?: number;
  /** The wait before the second try; it doubles for each try after. */
  backoff?: Duration;
  /** The longest wait between two tries. */
  maxDelay?: Duration;
}

export interface ResolvedRetryPolicy {
  attempts: number;
  backoffMs: number;
  maxDelayMs: number;
}

/**
 * Defaults per step kind. Model and map steps wait out an outage (the chain's `outageWait`
 * bounds it); an action step's fault is more often its own, so it gives up sooner.
 */
export const DEFAULT_RETRY_POLICIES: Readonly<Record<"llm" | "map" | "action", Required<StepRetryPolicy>>> = {
  llm: { attempts: 30, backoff: "10s", maxDelay: "2m" },
  map: { attempts: 30, backoff: "10s", maxDelay: "2m" },
  action: { attempts: 6, backoff: "5s", maxDelay: "1m" },
};

/** How long a run waits out an outage when its chain does not say. */
export const DEFAULT_OUTAGE_WAIT: Duration = "30m";

export function resolveRetryPolicy(kind: "llm" | "map" | "action", policy: StepRetryPolicy | undefined): ResolvedRetryPolicy {
  const defaults = DEFAULT_RETRY_POLICIES[kind];
  return {
    attempts: Math.max(1, Math.floor(policy?.attempts ?? defaults.attempts)),
    backoffMs: durationToMs(policy?.backoff ?? defaults.backoff),
    maxDelayMs: durationToMs(policy?.maxDelay ?? defaults.maxDelay),
  };
}

export interface RetryQuestion {
  policy: ResolvedRetryPolicy;
  /** Tries made so far, the one that just failed included. */
  attemptsMade: number;
  /** When the first of these tries failed: the outage's start, as far as this step knows. */
  waitingSince: number;
  now: number;
  /** The earliest next try the fault asked for (Retry-After), in ms from now. */
  retryAfterMs: number | null;
  /** How long the chain waits out an outage. */
  outageWaitMs: number;
}

/** When to try again, or null when the policy or the chain's outage limit says stop. */
export function nextAttemptAt(question: RetryQuestion): number | null {
  const { policy, attemptsMade, waitingSince, now, retryAfterMs, outageWaitMs } = question;
  if (attemptsMade >= policy.attempts) return null;
  const backoff = Math.min(policy.maxDelayMs, policy.backoffMs * 2 ** Math.min(attemptsMade - 1, 30));
  // A server's Retry-After is honoured even past maxDelay: trying sooner only earns another refusal.
  const delay = Math.max(backoff, retryAfterMs ?? 0);
  const at = now + delay;
  if (at > waitingSince + outageWaitMs) return null;
  return at;
}
