import type Database from "better-sqlite3";
import { moveIncidentAlertsToRows } from "./migration-data.js";

/**
 * The schema, as numbered migrations. `PRAGMA user_version` records the last one applied; at
 * open, the missing ones run in one transaction, so a database is always at a version this
 * list describes. Never edit a released migration: add the next one.
 *
 * Layout (measured with `test/store/size-and-speed.ts`; a 4-step chain costs about 3 KB):
 * - `runs.key` (the rowid) is what other tables use: the ~20-byte run id is stored once, in
 *   `runs.id` and its unique index.
 * - A run's steps and events are keyed by `run key × 2^20 + n` (n = step index, or the
 *   event's sequence number within the run, from 1). So each run's rows sit together in one
 *   rowid b-tree: reading them is one range scan, there is no second index to update, a
 *   commit touches one page per table, and rows are appended in key order because run keys
 *   grow. Rowid tables (not WITHOUT ROWID) because they keep rows of up to ~4 KB in the page,
 *   where WITHOUT ROWID spills anything over ~1 KB to an overflow page of its own.
 * - Run keys are never reused (nothing deletes runs). Whatever deletes a run one day must
 *   delete its steps and events (the key range) with it.
 * - `events` is append-only; triggers refuse UPDATE and DELETE. Event types are small integers,
 *   named in `event_types`. The `audit_log` and `step_log` views show it all by run id, for
 *   people using the sqlite3 shell.
 * - JSON columns are `ANY` in STRICT tables: they keep JSON text, or a compressed BLOB
 *   (see `json-columns.ts`), exactly as written.
 * - `runs_running_by_owner` holds only running runs (so it costs nothing for finished ones)
 *   and serves listRunsInFlight and renewLeases without a scan of every run.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Moves data the SQL cannot (compressed JSON columns), in the same transaction, after `sql`. */
  migrateData?: (database: Database.Database) => void;
}

/** How many steps, and how many events, one run (or one event segment) can have: its share of the key space. */
export const KEYS_PER_RUN = 1_048_576;

/**
 * The first event segment number (migration 7). Run keys stay below it, so a segment's range
 * never overlaps a run's own; keys (segment × KEYS_PER_RUN + n) stay below 2^53, exact in a
 * JavaScript number, up to 2^33 segments.
 */
export const FIRST_EVENT_SEGMENT = 2 ** 32;

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

      CREATE INDEX runs_running_by_owner ON runs (lease_owner) WHERE status = 'running';

      -- key = run key × ${String(KEYS_PER_RUN)} + step index
      CREATE TABLE steps (
        key INTEGER PRIMARY KEY,
        step_id TEXT NOT NULL,
        skipped INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        executions INTEGER NOT NULL,
        model_calls INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        output ANY NOT NULL
      ) STRICT;

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

      -- key = run key × ${String(KEYS_PER_RUN)} + sequence within the run (from 1)
      CREATE TABLE events (
        key INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        type INTEGER NOT NULL,
        step_id TEXT,
        actor TEXT,
        data ANY NOT NULL
      ) STRICT;

      CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events are never updated'); END;

      CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events are never deleted'); END;

      CREATE TABLE effects (
        key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        result ANY NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE VIEW audit_log AS
        SELECT r.id AS run_id, e.key % ${String(KEYS_PER_RUN)} AS sequence, e.at, t.name AS type, e.step_id, e.actor, e.data
        FROM events e
        JOIN runs r ON e.key >= r.key * ${String(KEYS_PER_RUN)} AND e.key < (r.key + 1) * ${String(KEYS_PER_RUN)}
        LEFT JOIN event_types t ON t.code = e.type;

      CREATE VIEW step_log AS
        SELECT r.id AS run_id, s.key % ${String(KEYS_PER_RUN)} AS step_index, s.step_id, s.skipped, s.started_at,
          s.finished_at, s.executions, s.model_calls, s.input_tokens, s.output_tokens, s.cost_usd, s.output
        FROM steps s
        JOIN runs r ON s.key >= r.key * ${String(KEYS_PER_RUN)} AND s.key < (r.key + 1) * ${String(KEYS_PER_RUN)};
    `,
  },
  {
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
  },
  {
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
  },
  {
    version: 4,
    description: "a run's approvals in request order from the index",
    sql: `
      -- By run, newest first without a sort (the rowid, last in every index entry, breaks ties).
      -- Migration 1 is released, so the index is replaced here rather than edited there.
      DROP INDEX approvals_by_run;
      CREATE INDEX approvals_by_run ON approvals (run_key, requested_at);
    `,
  },
  {
    version: 5,
    description: "an incident's alerts as rows",
    sql: `
      -- One row per alert of an incident, at its latest state. A delivery upserts only its own
      -- alerts: in an alert storm the incident's whole list is no longer decoded and written
      -- again for every delivery (the memory and write cost grew with the incident's size).
      -- position keeps arrival order; alert is the normalised alert as JSON (json-columns.ts).
      CREATE TABLE incident_alerts (
        incident_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        alert ANY NOT NULL,
        PRIMARY KEY (incident_id, fingerprint)
      ) STRICT, WITHOUT ROWID;

      -- Kept by each delivery so "every alert resolved" is one comparison, not a count.
      ALTER TABLE incidents ADD COLUMN alert_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE incidents ADD COLUMN firing_count INTEGER NOT NULL DEFAULT 0;
    `,
    migrateData: moveIncidentAlertsToRows,
  },
  {
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
  },
  {
    version: 7,
    description: "event segments: a run's events after a decision go to a new key range at the end of the log",
    sql: `
      -- A run's events are keyed in its own range (run key × K), so a run that waited while
      -- others ran inserts into full pages in the middle of the log and splits them (11 of a
      -- resume's 27 WAL frames). A decision gives the run a new segment instead: a range at the
      -- end of the log, numbered from ${String(FIRST_EVENT_SEGMENT)} up, above every run key. The run's
      -- segments, oldest first, as a JSON array; NULL while all its events are in its own range.
      ALTER TABLE runs ADD COLUMN event_segments TEXT;

      -- The last segment number handed out.
      CREATE TABLE event_segment_counter (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last INTEGER NOT NULL
      ) STRICT;
      INSERT INTO event_segment_counter (id, last) VALUES (1, ${String(FIRST_EVENT_SEGMENT - 1)});

      -- A run's events: its own range, then each segment. The sequence stays increasing: the
      -- n-th segment's events count from n × K.
      DROP VIEW audit_log;
      CREATE VIEW audit_log AS
        SELECT r.id AS run_id, e.key % ${String(KEYS_PER_RUN)} AS sequence, e.at, t.name AS type, e.step_id, e.actor, e.data
        FROM events e
        JOIN runs r ON e.key >= r.key * ${String(KEYS_PER_RUN)} AND e.key < (r.key + 1) * ${String(KEYS_PER_RUN)}
        LEFT JOIN event_types t ON t.code = e.type
        UNION ALL
        SELECT r.id AS run_id, (g.key + 1) * ${String(KEYS_PER_RUN)} + e.key % ${String(KEYS_PER_RUN)} AS sequence, e.at, t.name AS type, e.step_id, e.actor, e.data
        FROM runs r
        JOIN json_each(r.event_segments) g
        JOIN events e ON e.key >= g.value * ${String(KEYS_PER_RUN)} AND e.key < (g.value + 1) * ${String(KEYS_PER_RUN)}
        LEFT JOIN event_types t ON t.code = e.type;
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
      migration.migrateData?.(database);
      // A pragma takes no bound parameters; the version is an integer from this file.
      database.pragma(`user_version = ${String(migration.version)}`);
    }
    return readSchemaVersion(database);
  });
  return migrate.immediate();
}
