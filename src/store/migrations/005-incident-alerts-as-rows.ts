import type { Migration } from "./migration.js";
import { moveIncidentAlertsToRows } from "../migration-data.js";

export const migration5: Migration = {
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
};
