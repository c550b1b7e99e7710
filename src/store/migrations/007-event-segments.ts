import type { Migration } from "./migration.js";
import { FIRST_EVENT_SEGMENT, KEYS_PER_RUN } from "../key-layout.js";

export const migration7: Migration = {
  version: 7,
  description: "event segments: a run's events after a decision go to a new key range at the end of the log",
  sql: `
    -- A run's events are keyed in its own range (run key × K), so a run that waited while
    -- others ran inserts into full pages in the middle of the log and splits them. A decision gives the run a new segment instead: a range at the
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
};
