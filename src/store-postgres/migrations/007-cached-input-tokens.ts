import type { PostgresMigration } from "./migration.js";

/**
 * As SQLite's migration 11: the part of a step's input tokens the model server served from its
 * prompt cache. Rows written before it were never told a cached figure and read as 0 cached.
 * A column with a constant default is added without rewriting the table.
 */
export const migration7: PostgresMigration = {
  version: 7,
  description: "the part of a step's input tokens the model server served from its prompt cache",
  sql: `
    ALTER TABLE steps ADD COLUMN cached_input_tokens integer NOT NULL DEFAULT 0;
    ALTER TABLE approvals ADD COLUMN cached_input_tokens integer NOT NULL DEFAULT 0;
  `,
};
