import type { PostgresMigration } from "./migration.js";

/** As SQLite's migration 10: a run waiting out an outage, and re-runs with their parent. */
export const migration2: PostgresMigration = {
  version: 2,
  description: "step retries (a run waiting out an outage) and run lineage (re-runs)",
  sql: `
    -- A running run waiting to try a step again (the core's RunRetry). One row per run at most.
    CREATE TABLE run_retries (
      run_id text PRIMARY KEY REFERENCES runs (id),
      step_id text NOT NULL,
      step_index integer NOT NULL,
      attempt integer NOT NULL,
      next_attempt_at bigint NOT NULL,
      waiting_since bigint NOT NULL,
      waiting_for text NOT NULL,
      code text NOT NULL,
      message text NOT NULL
    );

    CREATE INDEX run_retries_by_next_attempt ON run_retries (next_attempt_at);

    -- The row lives exactly while the run waits at that step: writing the step's row (its retry
    -- succeeded) or any change of the run's status ends it. Triggers, so no write path can forget.
    CREATE FUNCTION baton_end_retry_on_step() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM run_retries WHERE run_id = NEW.run_id AND step_index <= NEW.step_index;
      RETURN NULL;
    END;
    $$;
    -- INSERT ... ON CONFLICT DO UPDATE fires the UPDATE trigger when the row existed.
    CREATE TRIGGER run_retries_end_on_step AFTER INSERT OR UPDATE ON steps
      FOR EACH ROW EXECUTE FUNCTION baton_end_retry_on_step();

    CREATE FUNCTION baton_end_retry_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM run_retries WHERE run_id = NEW.id;
      RETURN NULL;
    END;
    $$;
    CREATE TRIGGER run_retries_end_on_status AFTER UPDATE OF status ON runs
      FOR EACH ROW WHEN (NEW.status <> 'running') EXECUTE FUNCTION baton_end_retry_on_status();

    -- A re-run's parent, and the step it was re-run from.
    CREATE TABLE run_lineage (
      run_id text PRIMARY KEY,
      parent_run_id text NOT NULL,
      from_step_id text NOT NULL,
      created_at bigint NOT NULL
    );

    CREATE INDEX run_lineage_by_parent ON run_lineage (parent_run_id);
  `,
};
