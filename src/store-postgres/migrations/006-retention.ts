import type { PostgresMigration } from "./migration.js";

/**
 * As SQLite's migration 6: retention, the one way audit detail is deleted. The exception to the
 * append-only trigger is a setting of the retention pass's own transaction (`set_config(...,
 * true)` ends with it), so no other session ever sees it open.
 */
export const migration6: PostgresMigration = {
  version: 6,
  description: "retention: the one way audit detail is deleted",
  sql: `
    CREATE OR REPLACE FUNCTION baton_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND current_setting('baton.retention_pass', true) = 'on' THEN
        RETURN OLD;
      END IF;
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit log is append-only: events are never deleted, except by the retention job';
      END IF;
      RAISE EXCEPTION 'the audit log is append-only: events are never updated';
    END;
    $$;

    -- When a finished run's detail was pruned (NULL: never), so a pass skips it next time.
    ALTER TABLE runs ADD COLUMN detail_pruned_at bigint;
    CREATE INDEX runs_prunable ON runs (created_sequence) WHERE finished_at IS NOT NULL AND detail_pruned_at IS NULL;

    -- A pruned run's effect records go by run; old posted updates and finished intents by age.
    CREATE INDEX effects_by_run ON effects (run_id);
    CREATE INDEX incident_updates_posted ON incident_updates (created_at) WHERE posted_at IS NOT NULL;
    CREATE INDEX command_intents_finished ON command_intents (created_at) WHERE finished_at IS NOT NULL;

    -- Each pass that deleted something, for the record.
    CREATE TABLE retention_log (
      at bigint NOT NULL,
      cutoff bigint NOT NULL,
      runs integer NOT NULL,
      events integer NOT NULL,
      effects integer NOT NULL,
      deliveries integer NOT NULL
    );
  `,
};
