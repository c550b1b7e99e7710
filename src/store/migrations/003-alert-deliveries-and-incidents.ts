import type { Migration } from "./migration.js";

export const migration3: Migration = {
  version: 3,
  description: "alert deliveries and incidents",
  sql: `
    -- Every accepted webhook delivery, raw body included, written before the 2xx.
    CREATE TABLE deliveries (
      id TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      delivery_key TEXT NOT NULL UNIQUE,
      received_at INTEGER NOT NULL,
      raw_body ANY NOT NULL,
      alerts ANY NOT NULL
    ) STRICT;

    -- One row per alert group while it is open; alerts hold the latest state per fingerprint.
    CREATE TABLE incidents (
      id TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      group_key TEXT NOT NULL,
      status TEXT NOT NULL,
      title TEXT NOT NULL,
      run_id TEXT,
      opened_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      resolved_at INTEGER,
      alerts ANY NOT NULL
    ) STRICT;

    CREATE UNIQUE INDEX incidents_open_by_group ON incidents (source, group_key) WHERE status = 'open';
    CREATE INDEX incidents_by_run ON incidents (run_id) WHERE run_id IS NOT NULL;
    CREATE INDEX incidents_by_opened ON incidents (opened_at);
  `,
};
