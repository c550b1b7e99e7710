import type { Migration } from "./migration.js";
import { KEYS_PER_RUN } from "../key-layout.js";

const K = String(KEYS_PER_RUN);

export const migration11: Migration = {
  version: 11,
  description: "the part of a step's input tokens the model server served from its prompt cache",
  sql: `
    -- Rows written before this were never told a cached figure: they read as 0 cached, which is
    -- what their cost was priced at too.
    ALTER TABLE steps ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE approvals ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0;

    DROP VIEW step_log;
    CREATE VIEW step_log AS
      SELECT r.id AS run_id, s.key % ${K} AS step_index, s.step_id, s.skipped, s.started_at,
        s.finished_at, s.executions, s.model_calls, s.input_tokens, s.cached_input_tokens, s.output_tokens, s.cost_usd, s.output
      FROM steps s
      JOIN runs r ON s.key >= r.key * ${K} AND s.key < (r.key + 1) * ${K};
  `,
};
