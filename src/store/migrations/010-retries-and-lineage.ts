import type { Migration } from "./migration.js";
import { KEYS_PER_RUN } from "../key-layout.js";

const K = String(KEYS_PER_RUN);

export const migration10: Migration = {
  version: 10,
  description: "step retries (a run waiting out an outage) and run lineage (re-runs)",
  sql: `
    -- A running run waiting to try a step again (the core's RunRetry). One row per run at most.
    CREATE TABLE run_retries (
      run_key INTEGER PRIMARY KEY REFERENCES runs (key),
      step_id TEXT NOT NULL,
      step_index INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      waiting_since INTEGER NOT NULL,
      waiting_for TEXT NOT NULL,
      code TEXT NOT NULL,
      message TEXT NOT NULL
    ) STRICT;

    -- The row lives exactly while the run waits at that step: writing the step's row (its
    -- retry succeeded) or any change of the run's status (failed, paused, cancelled) ends it.
    -- Triggers, so the existing write paths need no change and cannot forget it.
    CREATE TRIGGER run_retries_end_on_step AFTER INSERT ON steps
    BEGIN DELETE FROM run_retries WHERE run_key = NEW.key / ${K} AND step_index <= NEW.key % ${K}; END;

    CREATE TRIGGER run_retries_end_on_status AFTER UPDATE OF status ON runs WHEN NEW.status <> 'running'
    BEGIN DELETE FROM run_retries WHERE run_key = NEW.key; END;

    -- A re-run's parent, and the step it was re-run from.
    CREATE TABLE run_lineage (
      run_id TEXT PRIMARY KEY,
      parent_run_id TEXT NOT NULL,
      from_step_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE INDEX run_lineage_by_parent ON run_lineage (parent_run_id);

    INSERT INTO event_types (code, name) VALUES (14, 'step.retry_scheduled'), (15, 'run.retried'), (16, 'run.rerun');
  `,
};
