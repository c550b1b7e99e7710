import type Database from "better-sqlite3";
import { z } from "zod";
import type { MessageClaim, MessageLedger, MessageRecord, PostedMessage } from "../core/ports.js";
import { settle } from "./store-errors.js";

const postedMessageRow = z.object({
  key: z.string(),
  run_id: z.string().nullable(),
  channel: z.string(),
  ts: z.string().nullable(),
  content_hash: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

/** A `posted_messages` row → the record (also read by sqlite-export.ts). */
export function toPostedMessage(row: unknown): PostedMessage {
  const parsed = postedMessageRow.parse(row);
  return {
    key: parsed.key,
    runId: parsed.run_id,
    channel: parsed.channel,
    ts: parsed.ts,
    contentHash: parsed.content_hash,
    createdAt: parsed.created_at,
    updatedAt: parsed.updated_at,
  };
}

/**
 * The `MessageLedger` on the baton database (table `posted_messages`, migration 2). It shares the
 * connection of the `SqliteChainStore` it was opened with and never closes it.
 */
export class SqliteMessageLedger implements MessageLedger {
  readonly #select: Database.Statement<[string], unknown>;
  readonly #selectOfRun: Database.Statement<[string], unknown>;
  readonly #claim: Database.Statement<[Record<string, unknown>], unknown>;
  readonly #record: Database.Statement<[Record<string, unknown>], unknown>;
  readonly #release: Database.Statement<[string], unknown>;
  readonly #path: string;

  constructor(database: Database.Database) {
    this.#path = database.name;
    this.#select = database.prepare("SELECT * FROM posted_messages WHERE key = ?");
    this.#selectOfRun = database.prepare("SELECT * FROM posted_messages WHERE run_id = ? ORDER BY created_at, key");
    this.#claim = database.prepare(
      "INSERT INTO posted_messages (key, run_id, channel, ts, content_hash, created_at, updated_at) VALUES (@key, @runId, @channel, NULL, NULL, @at, @at) ON CONFLICT (key) DO NOTHING",
    );
    this.#record = database.prepare(
      `INSERT INTO posted_messages (key, run_id, channel, ts, content_hash, created_at, updated_at)
       VALUES (@key, @runId, @channel, @ts, @contentHash, @at, @at)
       ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, ts = excluded.ts, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
    );
    this.#release = database.prepare("DELETE FROM posted_messages WHERE key = ? AND ts IS NULL");
  }

  getMessage(key: string): Promise<PostedMessage | undefined> {
    return settle(this.#path, () => {
      const row = this.#select.get(key);
      return row === undefined ? undefined : toPostedMessage(row);
    });
  }

  listMessagesOfRun(runId: string): Promise<PostedMessage[]> {
    return settle(this.#path, () => this.#selectOfRun.all(runId).map(toPostedMessage));
  }

  claimMessage(claim: MessageClaim): Promise<boolean> {
    return settle(this.#path, () => this.#claim.run({ key: claim.key, runId: claim.runId, channel: claim.channel, at: claim.at }).changes === 1);
  }

  recordMessage(message: MessageRecord): Promise<void> {
    return settle(this.#path, () => {
      this.#record.run({ key: message.key, runId: message.runId, channel: message.channel, ts: message.ts, contentHash: message.contentHash, at: message.at });
    });
  }

  releaseClaim(key: string): Promise<void> {
    return settle(this.#path, () => {
      this.#release.run(key);
    });
  }
}
