import type { Pool } from "pg";
import { z } from "zod";
import type { PostgresMigration } from "./migrations/migration.js";
import { migration1 } from "./migrations/001-runs-steps-approvals-events.js";
import { migration2 } from "./migrations/002-retries-and-lineage.js";
import { migration3 } from "./migrations/003-posted-messages.js";
import { migration4 } from "./migrations/004-alerts-and-incidents.js";
import { migration5 } from "./migrations/005-command-intents.js";
import { migration6 } from "./migrations/006-retention.js";
import { migration7 } from "./migrations/007-cached-input-tokens.js";
import { migration8 } from "./migrations/008-event-sequence-bigint.js";
import { databaseTooNew } from "./postgres-errors.js";
import { inTransaction } from "./transactions.js";

/**
 * The PostgreSQL schema, as numbered migrations (one file each in migrations/), recorded in
 * `schema_migrations`. Never edit a released migration: add the next one.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<PostgresMigration> = [
  migration1,
  migration2,
  migration3,
  migration4,
  migration5,
  migration6,
  migration7,
  migration8,
];

export const LATEST_POSTGRES_SCHEMA_VERSION: number = POSTGRES_MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0);

/**
 * A fixed key for `pg_advisory_xact_lock`: replicas starting at once against a new database
 * wait for each other here, so each migration runs once. Any 64-bit number baton owns will do.
 */
const MIGRATION_LOCK_KEY = "7262617461736d67"; // "rbatasmg" in hex: arbitrary, stable

const versionRowSchema = z.object({ version: z.number().int().nullable() });

/**
 * Apply every migration newer than the database, in one transaction under an advisory lock.
 * Throws DATABASE_TOO_NEW (changing nothing) for a database a newer baton migrated. Returns the
 * version the database is at afterwards. `url` is for error messages only.
 */
export async function applyPostgresMigrations(pool: Pool, url: string): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(x'${MIGRATION_LOCK_KEY}'::bigint)`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const result = await client.query("SELECT max(version) AS version FROM schema_migrations");
    const current = versionRowSchema.parse(result.rows[0]).version ?? 0;
    if (current > LATEST_POSTGRES_SCHEMA_VERSION) throw databaseTooNew(url, current, LATEST_POSTGRES_SCHEMA_VERSION);
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", [migration.version, migration.description]);
    }
    return Math.max(current, LATEST_POSTGRES_SCHEMA_VERSION);
  });
}
