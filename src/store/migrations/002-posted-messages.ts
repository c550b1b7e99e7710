import type { Migration } from "./migration.js";

export const migration2: Migration = {
  version: 2,
  description: "messages adapters posted (Slack cards, thread replies, reminders)",
  sql: `
    -- What an adapter posted where, so a card is updated in place (chat.update) instead of
    -- posted again, a thread reply is never posted twice, and a reminder or a scheduled
    -- start is claimed by one process only. \`key\` names the thing: 'card:<run id>',
    -- 'step:<run id>:<index>:<executions>', 'approval:<approval id>', 'reminder:<approval id>:<n>'.
    CREATE TABLE posted_messages (
      key TEXT PRIMARY KEY,
      run_id TEXT,
      channel TEXT NOT NULL,
      ts TEXT,
      content_hash TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE INDEX posted_messages_by_run ON posted_messages (run_id) WHERE run_id IS NOT NULL;
  `,
};
