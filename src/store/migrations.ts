import type Database from "better-sqlite3";
import type { Migration } from "./migrations/migration.js";
import { migration1 } from "./migrations/001-runs-steps-approvals-events.js";
import { migration2 } from "./migrations/002-posted-messages.js";
import { migration3 } from "./migrations/003-alert-deliveries-and-incidents.js";
import { migration4 } from "./migrations/004-approvals-in-request-order.js";
import { migration5 } from "./migrations/005-incident-alerts-as-rows.js";
import { migration6 } from "./migrations/006-retention.js";
import { migration7 } from "./migrations/007-event-segments.js";
import { migration8 } from "./migrations/008-incident-update-outbox.js";
import { migration9 } from "./migrations/009-command-intents.js";
import { migration10 } from "./migrations/010-retries-and-lineage.js";
import { migration11 } from "./migrations/011-cached-input-tokens.js";

export type { Migration };

/**
 * The schema, as numbered migrations (one file each in migrations/). `PRAGMA user_version`
 * records the last one applied; at open, the missing ones run in one transaction, so a
 * database is always at a version this list describes. Never edit a released migration: add
 * the next one. How the rows are laid out is in key-layout.ts.
 */
export const MIGRATIONS: ReadonlyArray<Migration> = [
  migration1,
  migration2,
  migration3,
  migration4,
  migration5,
  migration6,
  migration7,
  migration8,
  migration9,
  migration10,
  migration11,
];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0);

export function readSchemaVersion(database: Database.Database): number {
  const version = database.pragma("user_version", { simple: true });
  return typeof version === "number" ? version : 0;
}

/**
 * Apply every migration newer than the database, in one write transaction. The version is
 * read again inside it, so two processes opening a new file at once migrate it once.
 * Returns the version the database is at afterwards.
 */
export function applyMigrations(database: Database.Database): number {
  const migrate = database.transaction(() => {
    const current = readSchemaVersion(database);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      database.exec(migration.sql);
      migration.migrateData?.(database);
      // A pragma takes no bound parameters; the version is an integer from this file.
      database.pragma(`user_version = ${String(migration.version)}`);
    }
    return readSchemaVersion(database);
  });
  return migrate.immediate();
}
