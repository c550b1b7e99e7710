import type { Migration } from "./migration.js";

export const migration4: Migration = {
  version: 4,
  description: "a run's approvals in request order from the index",
  sql: `
    -- By run, newest first without a sort (the rowid, last in every index entry, breaks ties).
    -- Migration 1 is released, so the index is replaced here rather than edited there.
    DROP INDEX approvals_by_run;
    CREATE INDEX approvals_by_run ON approvals (run_key, requested_at);
  `,
};
