import type { Pool, PoolClient } from "pg";
import { z } from "zod";
import { COPIED_TABLES, type RecordPage, type StateImport, type TableCounts } from "../core/state-copy.js";
import { rowsOfPage } from "./import-rows.js";
import { insertRows } from "./insert-rows.js";
import { CopyDigests } from "./import-verify.js";
import { openMigratedPool } from "./migrated-pool.js";
import { toPostgresStoreError } from "./postgres-errors.js";
import { bigintColumn, parseRow } from "./row-codecs.js";

/**
 * The PostgreSQL side of `baton store copy`: records inserted as they are (ids, timestamps,
 * statuses, leases, event numbers, creation and request order), in batches, all in one
 * transaction, so a copy that fails half-way leaves the database as it was; before the commit
 * every record is read back and compared with what was written (import-verify.ts). The audit log's
 * trigger refuses UPDATE and DELETE only: inserting events needs no exception. Before the
 * commit, what the store counts on is set from what was copied: each run's `event_count` (the
 * next event's number), and the identity sequences of runs, approvals and the incident outbox.
 */

/** Shown in pg_stat_activity while a copy runs, so an operator sees what holds the transaction. */
export const IMPORT_APPLICATION_NAME = "baton store copy";

export interface PostgresImportTarget {
  /** Rows per table, committed ones (outside any copy). */
  counts(): Promise<TableCounts>;
  /** A transaction to copy into. */
  begin(): Promise<StateImport>;
  /** Ends the pool. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * Open the PostgreSQL database at `url` as a copy's target, migrated to this baton's schema
 * (tables only: no record is written until a copy commits). Fails like `openPostgresState`:
 * CONFIG_INVALID, DATABASE_UNREACHABLE, DATABASE_ACCESS_DENIED or DATABASE_TOO_NEW, naming the
 * database without its password.
 */
export async function openPostgresImport(url: string, options: { connectionTimeoutMs?: number; maxConnections?: number } = {}): Promise<PostgresImportTarget> {
  // The copy's transaction holds one connection while the counts take another.
  const pool = await openMigratedPool(url, { maxConnections: 2, ...options });
  let closing: Promise<void> | undefined;
  return {
    counts: () => guard(url, () => countRows(pool)),
    begin: () => guard(url, () => beginImport(pool, url)),
    close: () => {
      closing ??= pool.end();
      return closing;
    },
  };
}

async function beginImport(pool: Pool, url: string): Promise<StateImport> {
  const client = await pool.connect();
  // A checked-out client has no listener for errors that arrive between queries (the server
  // ending the session while the source is read): without one, its 'error' event would end the
  // process. The next query then fails ("not queryable"); the error kept here says why.
  let lost: unknown;
  const keepLost = (error: Error): void => {
    lost ??= error;
  };
  client.on("error", keepLost);
  const inSession = <Result>(work: () => Promise<Result>): Promise<Result> =>
    guard(url, async () => {
      try {
        return await work();
      } catch (error) {
        throw lost ?? error;
      }
    });
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('application_name', $1, true)", [IMPORT_APPLICATION_NAME]);
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  const digests = new CopyDigests();
  let ended = false;
  const end = (broken?: Error): void => {
    if (ended) return;
    ended = true;
    // A broken client keeps the listener: pg may still report its end while the pool drops it.
    if (broken === undefined) client.off("error", keepLost);
    client.release(broken);
  };
  return {
    counts: () => inSession(() => countRows(client)),
    write: (page: RecordPage) =>
      inSession(async () => {
        const rows = rowsOfPage(page);
        await insertRows(client, rows);
        digests.add(page.table, rows);
      }),
    differingTables: () => inSession(() => digests.differing(client)),
    firstDifference: (table, pages) => inSession(() => digests.firstDifference(client, table, pages)),
    commit: () =>
      inSession(async () => {
        await setCounters(client);
        await client.query("COMMIT");
        end();
      }),
    rollback: async () => {
      if (ended) return;
      try {
        await client.query("ROLLBACK");
        end();
      } catch (error) {
        // The connection is gone (which rolls the transaction back on the server): never pool it again.
        end(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/**
 * What the store counts on, from what was copied: a run's next event is numbered after its last
 * (`runs.event_count`), and new runs, approvals and outbox rows are numbered after the copied
 * ones (a sequence behind the copied values would hand out a number already taken).
 */
async function setCounters(client: PoolClient): Promise<void> {
  await client.query(
    `UPDATE runs SET event_count = last.sequence
     FROM (SELECT run_id, max(sequence) AS sequence FROM events GROUP BY run_id) AS last
     WHERE runs.id = last.run_id`,
  );
  for (const [table, column] of [
    ["runs", "created_sequence"],
    ["approvals", "requested_sequence"],
    ["incident_updates", "id"],
  ] as const) {
    // No rows: the sequence stays where it is (setval is strict: NULL sets nothing).
    await client.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT max(${column}) FROM ${table}))`);
  }
}

const countsRowSchema = z.object(
  Object.fromEntries(COPIED_TABLES.map((table) => [table, bigintColumn])) as Record<(typeof COPIED_TABLES)[number], typeof bigintColumn>,
);

/** One statement, so every count is of one snapshot. */
const COUNT_ROWS = `SELECT ${COPIED_TABLES.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(", ")}`;

async function countRows(queryable: Pick<PoolClient, "query">): Promise<TableCounts> {
  const result = await queryable.query(COUNT_ROWS);
  return parseRow(countsRowSchema, result.rows[0], "counts");
}

async function guard<Result>(url: string, work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    throw toPostgresStoreError(error, url);
  }
}
