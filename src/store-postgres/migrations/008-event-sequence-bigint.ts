import type { PostgresMigration } from "./migration.js";

/**
 * Audit event sequence numbers as bigint. A SQLite run's events from its first decision on are
 * numbered by event segment ((n + 1) × 2^20 + k for its n-th segment, see src/store/key-layout.ts),
 * so a run with more than about 2,046 decisions has numbers past 2^31: as integer, `baton store
 * copy` of it overflowed and rolled back. `runs.event_count` holds the last of those numbers, so
 * it widens with them. Changing the type rewrites both tables (and the events primary key) under
 * the migration's lock; values stay below 2^53, exact in a JavaScript number.
 */
export const migration8: PostgresMigration = {
  version: 8,
  description: "audit event sequence numbers as bigint, so runs copied from SQLite with many decisions fit",
  sql: `
    ALTER TABLE events ALTER COLUMN sequence TYPE bigint;
    ALTER TABLE runs ALTER COLUMN event_count TYPE bigint;
  `,
};
