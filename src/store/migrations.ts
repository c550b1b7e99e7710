import type Database from "better-sqlite3";

/**
 * The schema, as numbered migrations. `PRAGMA user_version` records the last one applied; at
 * open, the missing ones run in one transaction, so a database is always at a version this
 * list describes. Never edit a released migration: add the next one.
 *
 * Layout choices (measured with `test/store/size-and-speed.ts`; a 4-step chain should cost
 * well under 5 KB on disk):
 * - `runs.key` (the rowid) is what other tables point at: 1-3 bytes a reference instead of
 *   the ~20-byte run id, which is stored once, in `runs.id` and its unique index.
 * - Every table is appended to in key order: run keys and event sequences are rowids, and
 *   run and approval ids are time-ordered, so pages fill up instead of splitting.
 * - `steps` is keyed by (run_key, step_index) WITHOUT ROWID: no second index, and a step's
 *   compressed output stays well under the size where SQLite would spill it to an overflow page.
 * - `events` is a rowid table (the rowid is the sequence number, free and increasing) with one
 *   small index to read a run's events in order. It is append-only: nothing updates or
 *   deletes its rows.
 * - Event types are small integers (`event_types` names them, for people using the shell).
 * - JSON columns are declared `ANY`: they hold JSON text or a compressed BLOB
 *   (see `json-columns.ts`), and STRICT tables keep `ANY` values exactly as written.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: "runs, steps, approvals, events, effects",
    sql: `
      CREATE TABLE runs (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        chain_id TEXT NOT NULL,
        status TEXT NOT NULL,
        cursor INTEGER NOT NULL,
        step_count INTEGER NOT NULL,
        started_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        origin ANY,
        error ANY,
        input ANY NOT NULL
      ) STRICT;

      -- Only running runs are in it, so it costs nothing for finished ones; it serves
      -- listRunsInFlight and renewLeases without scanning every run.
      CREATE INDEX runs_running_by_owner ON runs (lease_owner) WHERE status = 'running';

      CREATE TABLE steps (
        run_key INTEGER NOT NULL REFERENCES runs (key),
        step_index INTEGER NOT NULL,
        step_id TEXT NOT NULL,
        skipped INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        executions INTEGER NOT NULL,
        model_calls INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        output ANY NOT NULL,
        PRIMARY KEY (run_key, step_index)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        run_key INTEGER NOT NULL REFERENCES runs (key),
        step_id TEXT NOT NULL,
        step_index INTEGER NOT NULL,
        round INTEGER NOT NULL,
        status TEXT NOT NULL,
        approvers ANY NOT NULL,
        allow_self_approval INTEGER NOT NULL,
        requested_by TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        deadline_at INTEGER,
        step_started_at INTEGER NOT NULL,
        step_executions INTEGER NOT NULL,
        model_calls INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        decided_at INTEGER,
        decided_by TEXT,
        comment TEXT,
        edited_output ANY,
        proposal ANY NOT NULL
      ) STRICT;

      CREATE INDEX approvals_by_run ON approvals (run_key);

      CREATE TABLE event_types (
        code INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      ) STRICT;

      INSERT INTO event_types (code, name) VALUES
        (1, 'run.started'), (2, 'run.recovered'), (3, 'run.finished'),
        (4, 'step.started'), (5, 'step.finished'), (6, 'step.skipped'), (7, 'step.failed'),
        (8, 'model.call'), (9, 'model.output_invalid'),
        (10, 'approval.requested'), (11, 'approval.decided'), (12, 'approval.denied'),
        (13, 'effect.replayed');

      CREATE TABLE events (
        sequence INTEGER PRIMARY KEY,
        run_key INTEGER NOT NULL REFERENCES runs (key),
        at INTEGER NOT NULL,
        type INTEGER NOT NULL REFERENCES event_types (code),
        step_id TEXT,
        actor TEXT,
        data ANY NOT NULL
      ) STRICT;

      CREATE INDEX events_by_run ON events (run_key);

      CREATE TABLE effects (
        key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        result ANY NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
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
      // A pragma takes no bound parameters; the version is an integer from this file.
      database.pragma(`user_version = ${String(migration.version)}`);
    }
    return readSchemaVersion(database);
  });
  return migrate.immediate();
}
