import { randomBytes } from "node:crypto";
import pg from "pg";
import type { ChangeFeed, StoreChange } from "../core/change-feed.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import type { Queryable } from "./transactions.js";

/**
 * The change feed on PostgreSQL: LISTEN/NOTIFY on one channel. A notification sent inside a
 * transaction is delivered only once that commits, never for a rollback; the stores send theirs
 * after their write committed (notifying-stores.ts). Each process tags what it sends with its
 * own origin and ignores its own: the process that made a change has already acted on it.
 *
 * LISTEN needs a connection of its own for as long as it listens (a pooled one would be handed
 * to other queries), so the feed keeps one client outside the pool and reconnects it with
 * backoff when it drops; after a reconnect subscribers hear `resync`, for what was missed.
 */

export const CHANGE_CHANNEL = "baton_changes";

/** Who sent a notification: one value per process's store, so a process can skip its own. */
export function newOrigin(): string {
  return randomBytes(6).toString("hex");
}

interface WireChange {
  origin: string;
  change: StoreChange;
}

/** Inside a store transaction: tell the other processes about `change` when it commits. */
export async function notifyChange(queryable: Queryable, origin: string, change: StoreChange): Promise<void> {
  const payload: WireChange = { origin, change };
  await queryable.query({ name: "baton_notify_change", text: "SELECT pg_notify($1, $2)", values: [CHANGE_CHANNEL, JSON.stringify(payload)] });
}

/** The notification's change, or undefined for anything that is not one of ours. */
export function parseChange(payload: string | undefined): { origin: string; change: StoreChange } | undefined {
  if (payload === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("origin" in value) || !("change" in value)) return undefined;
  const { origin, change } = value;
  if (typeof origin !== "string" || typeof change !== "object" || change === null || !("kind" in change)) return undefined;
  switch (change.kind) {
    case "run":
      return "runId" in change && typeof change.runId === "string" ? { origin, change: { kind: "run", runId: change.runId } } : undefined;
    case "incident-updates":
      return "incidentId" in change && typeof change.incidentId === "string"
        ? { origin, change: { kind: "incident-updates", incidentId: change.incidentId } }
        : undefined;
    case "runs-released":
      return { origin, change: { kind: "runs-released" } };
    default:
      return undefined;
  }
}

export interface PostgresChangeFeedOptions {
  url: string;
  /** This process's origin: its own notifications are not passed on. */
  origin: string;
  logger?: Logger;
  /** First reconnect delay; doubles up to 30 s. Default 1 s. */
  reconnectBaseMs?: number;
}

const MAX_RECONNECT_MS = 30_000;

export class PostgresChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<(change: StoreChange) => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #failures = 0;
  #reconnect: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PostgresChangeFeedOptions) {}

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    if (this.#client === undefined && this.#reconnect === undefined) void this.#connect();
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once listening (tests wait for it before they make changes elsewhere). */
  async listening(): Promise<void> {
    while (!this.#closed && this.#client === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnect) clearTimeout(this.#reconnect);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.options.logger?.warn({ error: describeError(error), change: change.kind }, "a change feed listener failed");
      }
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.options.url, application_name: "baton-change-feed", connectionTimeoutMillis: 10_000 });
    const dropped = (error?: Error): void => {
      if (this.#client !== client) return;
      this.#client = undefined;
      void client.end().catch(() => undefined);
      if (!this.#closed) {
        this.options.logger?.warn({ error: error === undefined ? "connection ended" : describeError(error) }, "lost the PostgreSQL change feed; reconnecting");
        this.#schedule();
      }
    };
    client.on("error", dropped);
    client.on("end", () => dropped());
    client.on("notification", (message) => {
      if (message.channel !== CHANGE_CHANNEL) return;
      const parsed = parseChange(message.payload);
      if (parsed !== undefined && parsed.origin !== this.options.origin) this.#emit(parsed.change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.options.logger?.warn({ error: describeError(error) }, "could not listen for changes on PostgreSQL; retrying");
      this.#schedule();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.#failures > 0;
    this.#failures = 0;
    this.#client = client;
    if (reconnected) this.#emit({ kind: "resync" });
  }

  #schedule(): void {
    if (this.#closed || this.#reconnect !== undefined) return;
    const delay = Math.min(MAX_RECONNECT_MS, (this.options.reconnectBaseMs ?? 1_000) * 2 ** this.#failures);
    this.#failures += 1;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      void this.#connect();
    }, delay);
    this.#reconnect.unref();
  }
}
