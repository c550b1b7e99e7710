/**
 * How long PostgreSQL migration 8 (events.sequence and runs.event_count to bigint,
 * which rewrites both tables under the migration's lock) takes on a database of a given size.
 *
 *   cd bench && node --import tsx postgres-migration-8.ts [--events=1000000]
 *
 * Makes a throw-away database on the test server (BATON_TEST_POSTGRES_URL, or the local one),
 * migrates it, puts it back at version 7 (integer columns), fills it with `--events` audit
 * events over runs of 100 each, then times the open that applies migration 8. Prints one JSON
 * line with the events table's size before and the 1-minute load.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openPostgresStore } from "../src/store-postgres/index.js";
import { createTestDatabase } from "../test/support/postgres-test-database.js";

const eventsArgument = process.argv.slice(2).find((argument) => argument.startsWith("--events="));
const eventCount = Number(eventsArgument?.slice("--events=".length) ?? 1_000_000);
if (!Number.isSafeInteger(eventCount) || eventCount < 100) throw new Error("--events must be a whole number of at least 100");
const runCount = Math.ceil(eventCount / 100);

const database = await createTestDatabase();
try {
  await (await openPostgresStore(database.url)).closed();
  const pool = new pg.Pool({ connectionString: database.url });
  try {
    await pool.query(
      "ALTER TABLE events ALTER COLUMN sequence TYPE integer; ALTER TABLE runs ALTER COLUMN event_count TYPE integer; DELETE FROM schema_migrations WHERE version = 8",
    );
    await pool.query(
      `INSERT INTO runs (id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, input, event_count)
       SELECT 'r_' || g, 'incident-response', 'succeeded', 3, 3, 'U024BE7LH', 0, 0, '{}'::json, 100 FROM generate_series(1, $1::int) g`,
      [runCount],
    );
    await pool.query(
      `INSERT INTO events (run_id, sequence, at, type, step_id, actor, data)
       SELECT 'r_' || (1 + (g - 1) / 100), 1 + (g - 1) % 100, g, 'step.finished', 'step-1', 'system', '{"note":"step.finished"}'::json
       FROM generate_series(1, $1::int) g`,
      [eventCount],
    );
    await pool.query("VACUUM ANALYZE events");
    const [sizeRow] = (await pool.query<{ size: string }>("SELECT pg_size_pretty(pg_total_relation_size('events')) AS size")).rows;
    const started = performance.now();
    await (await openPostgresStore(database.url)).closed();
    const migrationMs = Math.round(performance.now() - started);
    console.log(JSON.stringify({ events: eventCount, runs: runCount, eventsTableBefore: sizeRow?.size, migration8Ms: migrationMs, load1m: loadavg()[0] }));
  } finally {
    await pool.end();
  }
} finally {
  await database.drop();
}
