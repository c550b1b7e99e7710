/**
 * How the baton database lays its rows out (the schema itself is in migrations/).
 *
 * Layout (`test/store/size-and-speed.ts` measures what it costs; see docs/benchmarks.md):
 * - `runs.key` (the rowid) is what other tables use: the ~20-byte run id is stored once, in
 *   `runs.id` and its unique index.
 * - A run's steps and events are keyed by `run key × 2^20 + n` (n = step index, or the
 *   event's sequence number within the run, from 1). So each run's rows sit together in one
 *   rowid b-tree: reading them is one range scan, there is no second index to update, a
 *   commit touches one page per table, and rows are appended in key order because run keys
 *   grow. Rowid tables (not WITHOUT ROWID) because they keep a row of up to nearly a whole
 *   page in the page, where WITHOUT ROWID spills anything over about a quarter of a page to
 *   an overflow page of its own.
 * - From a run's first decision on, its events go to an event segment instead (migration 7):
 *   the range `segment × 2^20 + n`, segments numbered from 2^32 up as they are handed out, so
 *   a run that waited while others ran appends at the end of the log instead of splitting
 *   full pages in its middle. `runs.event_segments` lists a run's segments, oldest first.
 * - Run keys are never reused (nothing deletes runs). Whatever deletes a run one day must
 *   delete its steps and events (its key range and its segments) with it.
 * - `events` is append-only; triggers refuse UPDATE and DELETE. Event types are small integers,
 *   named in `event_types`. The `audit_log` and `step_log` views show it all by run id, for
 *   people using the sqlite3 shell.
 * - JSON columns are `ANY` in STRICT tables: they keep JSON text, or a compressed BLOB
 *   (see `json-columns.ts`), exactly as written.
 * - `runs_running_by_owner` holds only running runs (so it costs nothing for finished ones)
 *   and serves listRunsInFlight and renewLeases without a scan of every run.
 */

/** How many steps, and how many events, one run (or one event segment) can have: its share of the key space. */
export const KEYS_PER_RUN = 1_048_576;

/**
 * The first event segment number (migration 7). Run keys stay below it, so a segment's range
 * never overlaps a run's own; keys (segment × KEYS_PER_RUN + n) stay below 2^53, exact in a
 * JavaScript number, up to 2^33 segments.
 */
export const FIRST_EVENT_SEGMENT = 2 ** 32;
