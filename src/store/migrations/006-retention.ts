import type { Migration } from "./migration.js";

export const migration6: Migration = {
  version: 6,
  description: "retention: the one way audit detail is deleted",
  sql: `
    -- The audit log stays append-only for everything but the retention job: its transaction
    -- inserts the one row of retention_pass, deletes, and removes the row before it commits,
    -- so no other writer (or a stray DELETE in the sqlite3 shell) ever sees the exception open.
    CREATE TABLE retention_pass (id INTEGER PRIMARY KEY CHECK (id = 1)) STRICT;
    DROP TRIGGER events_refuse_delete;
    CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events WHEN NOT EXISTS (SELECT 1 FROM retention_pass)
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events are deleted only by the retention job'); END;

    -- When a finished run's detail was pruned (NULL: never), so a pass skips it next time.
    ALTER TABLE runs ADD COLUMN detail_pruned_at INTEGER;

    -- Each pass that deleted something, for the record.
    CREATE TABLE retention_log (
      at INTEGER NOT NULL,
      cutoff INTEGER NOT NULL,
      runs INTEGER NOT NULL,
      events INTEGER NOT NULL,
      effects INTEGER NOT NULL,
      deliveries INTEGER NOT NULL
    ) STRICT;
  `,
};
