import type { PostgresMigration } from "./migration.js";

/**
 * As SQLite's migration 2: what an adapter posted where. Keys and ids are `COLLATE "C"` here and
 * in the migrations after: byte order, as SQLite compares text, so listings tie-break alike on
 * both stores whatever the database's locale.
 */
export const migration3: PostgresMigration = {
  version: 3,
  description: "messages adapters posted (Slack cards, thread replies, reminders)",
  sql: `
    -- A card is updated in place instead of posted again, a thread reply is posted once, and a
    -- reminder or a scheduled start is claimed by one replica: the claim is the INSERT of its key
    -- (ON CONFLICT DO NOTHING), which the primary key lets only one transaction make.
    -- ts is NULL while claimed but not posted yet.
    CREATE TABLE posted_messages (
      key text COLLATE "C" PRIMARY KEY,
      run_id text COLLATE "C",
      channel text NOT NULL,
      ts text,
      content_hash text,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL
    );

    CREATE INDEX posted_messages_by_run ON posted_messages (run_id, created_at, key) WHERE run_id IS NOT NULL;
  `,
};
