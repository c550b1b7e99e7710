import { z } from "zod";
import type { CommandIntent, CommandIntentStore, IdGenerator } from "../core/ports.js";
import type { PoolAccess } from "./pool-access.js";
import { jsonText } from "./record-values.js";
import { bigintColumn, parseRow } from "./row-codecs.js";
import { statement } from "./transactions.js";

/**
 * The `CommandIntentStore` on PostgreSQL (table `command_intents`, migration 5): each method is
 * one statement, committed when it resolves. Finishing an intent twice (two replicas resuming
 * it) changes nothing the second time.
 */

const STATEMENTS = {
  insert: statement("baton_intent_insert", "INSERT INTO command_intents (id, kind, payload, created_at, finished_at) VALUES ($1, $2, $3::json, $4, NULL)"),
  listOpen: statement(
    "baton_intent_list_open",
    "SELECT id, kind, payload, created_at FROM command_intents WHERE finished_at IS NULL ORDER BY created_at, id LIMIT $1",
  ),
  finish: statement("baton_intent_finish", "UPDATE command_intents SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL"),
} as const;

const intentRowSchema = z.object({ id: z.string(), kind: z.string(), payload: z.unknown(), created_at: bigintColumn });

export class PostgresCommandIntents implements CommandIntentStore {
  /** Shares the pool of the state it was opened with (`openPostgresState`), which closes it. */
  constructor(
    private readonly access: PoolAccess,
    private readonly ids: IdGenerator,
  ) {}

  async recordIntent(intent: { kind: string; payload: unknown; at: number }): Promise<string> {
    const id = this.ids.next("ci_");
    await this.access.count(STATEMENTS.insert, [id, intent.kind, jsonText(intent.payload), intent.at]);
    return id;
  }

  async listOpenIntents(limit: number): Promise<CommandIntent[]> {
    return (await this.access.rows(STATEMENTS.listOpen, [limit])).map((row) => {
      const intent = parseRow(intentRowSchema, row, "command_intents");
      return { id: intent.id, kind: intent.kind, payload: intent.payload, createdAt: intent.created_at };
    });
  }

  async finishIntent(intentId: string, at: number): Promise<void> {
    await this.access.count(STATEMENTS.finish, [intentId, at]);
  }
}
