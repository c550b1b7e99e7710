import type { PostgresMigration } from "./migration.js";

/**
 * As SQLite's migrations 3, 5 and 8: webhook deliveries, incidents with their alerts as rows,
 * and the outbox of what an incident's run thread is owed.
 */
export const migration4: PostgresMigration = {
  version: 4,
  description: "alert deliveries, incidents, their alerts, and the incident update outbox",
  sql: `
    -- Every accepted webhook delivery, written before the 2xx. raw_body is the body as a JSON
    -- string and alerts the normalised alerts: json, which keeps the escape \\u0000 that text
    -- columns cannot hold. A redelivery is the same delivery_key. Keys a sender chooses
    -- (delivery_key, group_key, fingerprint) have U+0000 replaced, and one longer than 1024
    -- bytes is kept as 'sha256:' and its hash (an index entry holds at most 2704 bytes).
    CREATE TABLE deliveries (
      id text COLLATE "C" PRIMARY KEY,
      source text NOT NULL,
      delivery_key text COLLATE "C" NOT NULL UNIQUE,
      received_at bigint NOT NULL,
      raw_body json NOT NULL,
      alerts json NOT NULL
    );

    CREATE INDEX deliveries_by_received ON deliveries (received_at);

    -- One row per alert group while it is open. alert_count and firing_count are kept by each
    -- delivery, so "every alert resolved" is one comparison. title has U+0000 replaced (text
    -- cannot hold it); the alerts keep it.
    CREATE TABLE incidents (
      id text COLLATE "C" PRIMARY KEY,
      source text NOT NULL,
      group_key text NOT NULL,
      status text NOT NULL,
      title text NOT NULL,
      run_id text COLLATE "C",
      opened_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      resolved_at bigint,
      alert_count integer NOT NULL,
      firing_count integer NOT NULL
    );

    -- At most one open incident per group. Deliveries of one group also take turns on an
    -- advisory lock (postgres-alert-store.ts); this index is the last word if anything did not.
    CREATE UNIQUE INDEX incidents_open_by_group ON incidents (source, group_key) WHERE status = 'open';
    CREATE INDEX incidents_by_run ON incidents (run_id) WHERE run_id IS NOT NULL;
    CREATE INDEX incidents_by_opened ON incidents (opened_at DESC, id DESC);

    -- An incident's alerts at their latest state, one row per fingerprint; position keeps
    -- arrival order.
    CREATE TABLE incident_alerts (
      incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id),
      fingerprint text COLLATE "C" NOT NULL,
      position integer NOT NULL,
      status text NOT NULL,
      alert json NOT NULL,
      PRIMARY KEY (incident_id, fingerprint)
    );

    CREATE INDEX incident_alerts_in_order ON incident_alerts (incident_id, position);

    -- What an incident's run thread is owed, written by the delivery that added or resolved
    -- alerts, in its transaction. Rows are claimed into a batch (one thread reply); batch is the
    -- reply's key, posted_at is set once it is in Slack.
    CREATE TABLE incident_updates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id),
      delivery_id text COLLATE "C" NOT NULL,
      resolves boolean NOT NULL,
      new_alerts json NOT NULL,
      resolved_alerts json NOT NULL,
      created_at bigint NOT NULL,
      batch text COLLATE "C",
      posted_at bigint
    );

    CREATE INDEX incident_updates_owed ON incident_updates (incident_id, id) WHERE posted_at IS NULL;
    CREATE INDEX incident_updates_by_batch ON incident_updates (batch) WHERE batch IS NOT NULL;
  `,
};
