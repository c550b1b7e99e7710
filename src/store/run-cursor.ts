import { KEYS_PER_RUN } from "./key-layout.js";

const KEYS = String(KEYS_PER_RUN);

/**
 * A run's cursor, derived from its step rows: every step before the cursor has a row (skipped
 * ones too), so the cursor is the last step's index + 1. Deriving it means a step commit never
 * writes the run row, one page fewer in every commit's WAL append: the run row changes only
 * when the run's status does. The `cursor` column is kept up to date at those moments only.
 */
export const DERIVED_CURSOR = `(SELECT coalesce(max(steps.key) - runs.key * ${KEYS} + 1, 0) FROM steps WHERE steps.key >= runs.key * ${KEYS} AND steps.key < (runs.key + 1) * ${KEYS})`;
