/**
 * The change feed port: how a store tells the other processes on the same database that
 * something changed which they may have to act on. Re-exported by `ports.ts`.
 *
 * Every process works from the store, so a missed change is only late, never lost: the timers
 * (run recovery, owed incident updates) still find it. The feed makes the common case
 * immediate across replicas — a decision or a cancel made by another process refreshes the
 * run's card here, a replica that stops hands its runs over at once, and an incident update
 * recorded elsewhere is posted without waiting for a poll.
 */
export type StoreChange =
  /** A run's state changed in another process (a decision, a cancel, a retry, its end). */
  | { kind: "run"; runId: string }
  /** Another process gave up runs (it is stopping): they can be taken over now. */
  | { kind: "runs-released" }
  /** An incident's thread is owed updates recorded by another process. */
  | { kind: "incident-updates"; incidentId: string }
  /** The feed was interrupted and may have missed changes: look at everything once. */
  | { kind: "resync" };

export interface ChangeFeed {
  /** Calls `listener` for every change another process makes; returns how to stop. */
  subscribe(listener: (change: StoreChange) => void): () => void;
}

/** For a store that only one process uses at a time (or whose processes poll): nothing to hear. */
export const SILENT_CHANGE_FEED: ChangeFeed = {
  subscribe: () => () => undefined,
};
