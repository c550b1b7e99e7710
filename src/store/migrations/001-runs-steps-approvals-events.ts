import type { Migration } from "./migration.js";
import { KEYS_PER_RUN } from "../key-layout.js";

export const migration1: Migration = {
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
};
