import type { Migration } from "./migration.js";

export const migration8: Migration = {
  version: 8,
  description: "incident updates as an outbox",
  sql: `
    -- What an incident's run thread is owed: each delivery that adds or resolves alerts of an
    -- open incident writes a row here in its own transaction (before its 202), so an update is
    -- posted after a restart too. Rows are claimed into a batch (one thread reply, folding the
    -- rows of a few seconds); batch is the reply's key, posted_at is set once it is in Slack.
    -- new_alerts and resolved_alerts are normalised alerts as JSON (json-columns.ts).
    CREATE TABLE incident_updates (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      incident_id TEXT NOT NULL,
      delivery_id TEXT NOT NULL,
      resolves INTEGER NOT NULL,
      new_alerts ANY NOT NULL,
      resolved_alerts ANY NOT NULL,
      created_at INTEGER NOT NULL,
      batch TEXT,
      posted_at INTEGER
    ) STRICT;

    CREATE INDEX incident_updates_owed ON incident_updates (incident_id, id) WHERE posted_at IS NULL;
    CREATE INDEX incident_updates_by_batch ON incident_updates (batch) WHERE batch IS NOT NULL;
  `,
};
