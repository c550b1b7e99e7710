import type { PostgresMigration } from "./migration.js";

/**
 * The chain store's tables. Times are milliseconds since the epoch (bigint). Stored values are
 * `json`, not `jsonb`: jsonb refuses the escape `\u0000`, which model output and alert text may
 * hold, and json keeps the text exactly as written.
 */
export const migration1: PostgresMigration = {
  version: 1,
  description: "runs, steps, approvals, audit events and effect records",
  sql: `
    CREATE TABLE runs (
      id text PRIMARY KEY,
      -- Creation order, for "newest first" without trusting clocks (created_at may tie or skew).
      created_sequence bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      chain_id text NOT NULL,
      status text NOT NULL,
      cursor integer NOT NULL,
      step_count integer NOT NULL,
      started_by text NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      finished_at bigint,
      lease_owner text,
      lease_expires_at bigint,
      origin json,
      error json,
      input json NOT NULL,
      -- The last audit event's sequence number: appending increments it, which also takes the
      -- run's row lock, so two replicas appending to one run number their events in turn.
      event_count integer NOT NULL DEFAULT 0
    );

    CREATE INDEX runs_running_by_owner ON runs (lease_owner) WHERE status = 'running';
    CREATE INDEX runs_by_status ON runs (status, created_sequence);

    CREATE TABLE steps (
      run_id text NOT NULL REFERENCES runs (id),
      step_index integer NOT NULL,
      step_id text NOT NULL,
      skipped boolean NOT NULL,
      started_at bigint NOT NULL,
      finished_at bigint NOT NULL,
      executions integer NOT NULL,
      model_calls integer NOT NULL,
      input_tokens integer NOT NULL,
      output_tokens integer NOT NULL,
      cost_usd double precision NOT NULL,
      output json NOT NULL,
      PRIMARY KEY (run_id, step_index)
    );

    CREATE TABLE approvals (
      id text PRIMARY KEY,
      -- Request order, the tie-break of "newest first".
      requested_sequence bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      run_id text NOT NULL REFERENCES runs (id),
      step_id text NOT NULL,
      step_index integer NOT NULL,
      round integer NOT NULL,
      status text NOT NULL,
      approvers json NOT NULL,
      allow_self_approval boolean NOT NULL,
      requested_by text NOT NULL,
      requested_at bigint NOT NULL,
      deadline_at bigint,
      step_started_at bigint NOT NULL,
      step_executions integer NOT NULL,
      model_calls integer NOT NULL,
      input_tokens integer NOT NULL,
      output_tokens integer NOT NULL,
      cost_usd double precision NOT NULL,
      decided_at bigint,
      decided_by text,
      comment text,
      edited_output json,
      proposal json NOT NULL
    );

    CREATE INDEX approvals_by_run ON approvals (run_id, requested_at);
    CREATE INDEX approvals_pending ON approvals (requested_at) WHERE status = 'pending';

    -- The audit log: sequence counts from 1 within each run (runs.event_count).
    CREATE TABLE events (
      run_id text NOT NULL REFERENCES runs (id),
      sequence integer NOT NULL,
      at bigint NOT NULL,
      type text NOT NULL,
      step_id text,
      actor text,
      data json NOT NULL,
      PRIMARY KEY (run_id, sequence)
    );

    -- Append-only, as in SQLite: a stray UPDATE or DELETE (a psql session, a bug) is refused.
    -- TRUNCATE is not a row delete and stays possible for whoever owns the tables.
    CREATE FUNCTION baton_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the audit log is append-only: events are never %', lower(TG_OP) || 'd';
    END;
    $$;
    CREATE TRIGGER events_refuse_change BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION baton_refuse_event_change();

    CREATE TABLE effects (
      key text PRIMARY KEY,
      run_id text NOT NULL,
      recorded_at bigint NOT NULL,
      result json NOT NULL
    );
  `,
};
