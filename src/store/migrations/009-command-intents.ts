import type { Migration } from "./migration.js";

export const migration9: Migration = {
  version: 9,
  description: "command intents",
  sql: `
    -- A Slack command or form whose work cannot be done before its ack (it reads GitHub, or
    -- downloads a file) is recorded here first: Slack never redelivers an acknowledged request,
    -- so a process that dies after the ack leaves this row, and the next one does the work.
    -- payload is what the work needs, as JSON (json-columns.ts); finished_at is set when done.
    CREATE TABLE command_intents (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      payload ANY NOT NULL,
      created_at INTEGER NOT NULL,
      finished_at INTEGER
    ) STRICT;

    CREATE INDEX command_intents_open ON command_intents (created_at) WHERE finished_at IS NULL;
  `,
};
