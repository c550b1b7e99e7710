import { z } from "zod";
import type { MessageClaim, MessageLedger, MessageRecord, PostedMessage } from "../core/ports.js";
import type { PoolAccess } from "./pool-access.js";
import { bigintColumn, parseRow } from "./row-codecs.js";
import { statement } from "./transactions.js";

/**
 * The `MessageLedger` on PostgreSQL (table `posted_messages`, migration 3). Each method is one
 * statement. `claimMessage` is the INSERT of the key with ON CONFLICT DO NOTHING: of several
 * replicas claiming one reminder or scheduled start, the primary key lets exactly one insert it
 * (a second waits for the first's transaction, then finds the row and inserts nothing).
 */

const COLUMNS = "key, run_id, channel, ts, content_hash, created_at, updated_at";

const STATEMENTS = {
  select: statement("baton_ledger_select", `SELECT ${COLUMNS} FROM posted_messages WHERE key = $1`),
  selectOfRun: statement("baton_ledger_select_of_run", `SELECT ${COLUMNS} FROM posted_messages WHERE run_id = $1 ORDER BY created_at, key`),
  claim: statement(
    "baton_ledger_claim",
    `INSERT INTO posted_messages (key, run_id, channel, ts, content_hash, created_at, updated_at)
     VALUES ($1, $2, $3, NULL, NULL, $4, $4) ON CONFLICT (key) DO NOTHING`,
  ),
  record: statement(
    "baton_ledger_record",
    `INSERT INTO posted_messages (key, run_id, channel, ts, content_hash, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT (key) DO UPDATE SET channel = EXCLUDED.channel, ts = EXCLUDED.ts, content_hash = EXCLUDED.content_hash,
       updated_at = EXCLUDED.updated_at`,
  ),
  release: statement("baton_ledger_release", "DELETE FROM posted_messages WHERE key = $1 AND ts IS NULL"),
} as const;

const postedMessageRowSchema = z.object({
  key: z.string(),
  run_id: z.string().nullable(),
  channel: z.string(),
  ts: z.string().nullable(),
  content_hash: z.string().nullable(),
  created_at: bigintColumn,
  updated_at: bigintColumn,
});

function toPostedMessage(row: unknown): PostedMessage {
  const message = parseRow(postedMessageRowSchema, row, "posted_messages");
  return {
    key: message.key,
    runId: message.run_id,
    channel: message.channel,
    ts: message.ts,
    contentHash: message.content_hash,
    createdAt: message.created_at,
    updatedAt: message.updated_at,
  };
}

export class PostgresMessageLedger implements MessageLedger {
  /** Shares the pool of the state it was opened with (`openPostgresState`), which closes it. */
  constructor(private readonly access: PoolAccess) {}

  async getMessage(key: string): Promise<PostedMessage | undefined> {
    const [row] = await this.access.rows(STATEMENTS.select, [key]);
    return row === undefined ? undefined : toPostedMessage(row);
  }

  async listMessagesOfRun(runId: string): Promise<PostedMessage[]> {
    return (await this.access.rows(STATEMENTS.selectOfRun, [runId])).map(toPostedMessage);
  }

  async claimMessage(claim: MessageClaim): Promise<boolean> {
    return (await this.access.count(STATEMENTS.claim, [claim.key, claim.runId, claim.channel, claim.at])) === 1;
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    await this.access.count(STATEMENTS.record, [message.key, message.runId, message.channel, message.ts, message.contentHash, message.at]);
  }

  async releaseClaim(key: string): Promise<void> {
    await this.access.count(STATEMENTS.release, [key]);
  }
}
