import type { PostgresMigration } from "./migration.js";

/** As SQLite's migration 9: Slack requests acknowledged before their work is done. */
export const migration5: PostgresMigration = {
  version: 5,
  description: "command intents",
  sql: `
    -- Recorded before the ack; finished_at is set when the work is done. A replica that dies in
    -- between leaves the row open, and the next start does the work. payload is JSON.
    CREATE TABLE command_intents (
      id text COLLATE "C" PRIMARY KEY,
      kind text NOT NULL,
      payload json NOT NULL,
      created_at bigint NOT NULL,
      finished_at bigint
    );

    CREATE INDEX command_intents_open ON command_intents (created_at, id) WHERE finished_at IS NULL;
  `,
};
