import type Database from "better-sqlite3";
import { z } from "zod";
import type { CommandIntent, CommandIntentStore, IdGenerator } from "../core/ports.js";
import { COMPRESS_FROM_BYTES, decodeJson, encodeJson } from "./json-columns.js";
import { settle } from "./store-errors.js";

/** The `CommandIntentStore` on the baton database (table `command_intents`, migration 9); shares the store's connection. */

const IntentRow = z.object({ id: z.string(), kind: z.string(), payload: z.union([z.string(), z.instanceof(Buffer)]), created_at: z.number() });

export class SqliteCommandIntents implements CommandIntentStore {
  readonly #path: string;
  readonly #ids: IdGenerator;
  readonly #insert: Database.Statement<[Record<string, unknown>], unknown>;
  readonly #open: Database.Statement<[number], unknown>;
  readonly #finish: Database.Statement<[Record<string, unknown>], unknown>;

  constructor(database: Database.Database, ids: IdGenerator) {
    this.#path = database.name;
    this.#ids = ids;
    this.#insert = database.prepare("INSERT INTO command_intents (id, kind, payload, created_at, finished_at) VALUES (@id, @kind, @payload, @at, NULL)");
    this.#open = database.prepare("SELECT id, kind, payload, created_at FROM command_intents WHERE finished_at IS NULL ORDER BY created_at, id LIMIT ?");
    this.#finish = database.prepare("UPDATE command_intents SET finished_at = @at WHERE id = @id AND finished_at IS NULL");
  }

  recordIntent(intent: { kind: string; payload: unknown; at: number }): Promise<string> {
    return settle(this.#path, () => {
      const id = this.#ids.next("ci_");
      this.#insert.run({ id, kind: intent.kind, payload: encodeJson(intent.payload, { compressFromBytes: COMPRESS_FROM_BYTES }), at: intent.at });
      return id;
    });
  }

  listOpenIntents(limit: number): Promise<CommandIntent[]> {
    return settle(this.#path, () =>
      this.#open.all(limit).map((row) => {
        const parsed = IntentRow.parse(row);
        return { id: parsed.id, kind: parsed.kind, payload: decodeJson(parsed.payload), createdAt: parsed.created_at };
      }),
    );
  }

  finishIntent(intentId: string, at: number): Promise<void> {
    return settle(this.#path, () => {
      this.#finish.run({ id: intentId, at });
    });
  }
}
