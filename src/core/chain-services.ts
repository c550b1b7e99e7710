import type { ChainStore, Clock, Logger, Notifier, PullRequestHost, PullRequestRef } from "./ports.js";

/**
 * What an action step's code is lent: services (notifier, store, clock, logger, at-most-once
 * effects) and resources (incidents, pull requests) that adapters provide. Re-exported by
 * `chain.ts` and the chain API.
 */

export interface ChainResources {
  /** Incidents opened by alert webhooks: whether one is still firing. */
  incidents?: {
    statusOf(incidentId: string): Promise<{ status: "open" | "resolved"; resolvedAt: number | null } | undefined>;
  };
  /** GitHub pull requests (GITHUB_TOKEN); absent when no token is configured. */
  pullRequests?: PullRequestHost;
  /** Start a review run of a pull request's current head (the IaC review re-runs a moved head). */
  reviews?: {
    reviewPullRequest(ref: PullRequestRef, startedBy: string): Promise<ReviewStart>;
  };
}

/** What asking for a pull request review did: a run started (or found), or why not. */
export type ReviewStart = { started: true; runId: string; headSha: string } | { started: false; reason: "draft" | "closed" | "no_terraform"; message: string };

export interface ActionServices {
  notifier: Notifier;
  /** Logs with the run id, chain id and step id on every line. */
  logger: Logger;
  resources: ChainResources;
  store: ChainStore;
  clock: Clock;
  /** Run id + step id: pass it to anything that must not happen twice. */
  idempotencyKey: string;
  /**
   * Run `effect` at most once per idempotency key: a repeat (after a crash, or a re-run of the
   * step) returns the recorded result instead. The result must be plain JSON.
   */
  once<Result>(effect: () => Promise<Result>): Promise<Result>;
  signal: AbortSignal;
}
