import { statSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { COPIED_TABLES, type RecordPage, type StateSnapshot, type TableCounts } from "../core/state-copy.js";
import { LATEST_SCHEMA_VERSION, readSchemaVersion } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { integer } from "./row-parsing.js";
import { readTablePages } from "./sqlite-export-tables.js";
import { databaseCorrupt, errorCode, toStoreError } from "./store-errors.js";

/**
 * The SQLite side of `baton store copy`: every record of a baton database, read inside one read
 * transaction (one consistent snapshot, however long the copy takes: WAL readers see the
 * database as it was when they began) and handed out in pages, so a database of gigabytes is
 * never held in memory. Rows are decoded by the adapter's own codecs (sqlite-export-tables.ts):
 * packed keys, compressed JSON columns and coded event types never leave this folder.
 */

export interface SqliteExport extends StateSnapshot {
  /** The file, as an absolute path. */
  readonly path: string;
  /** Ends the read transaction and closes the file. Closing twice is harmless. */
  close(): void;
}

export interface SqliteExportOptions {
  /** Records per page (deliveries, which carry raw bodies, a fifth of it). Default 500. */
  pageSize?: number;
}

const countRowSchema = z.object({ count: integer });

/**
 * Open the baton database at `path` for export. Refuses a path with no file (creating nothing),
 * a directory, and a file that is not a baton database; a database at an older schema version
 * is brought up to date first, as every baton command does when it opens one.
 */
export function openSqliteExport(path: string, options: SqliteExportOptions = {}): SqliteExport {
  const absolutePath = resolve(path);
  checkIsBatonDatabase(absolutePath);
  const database = openDatabase(absolutePath);
  const pageSize = options.pageSize ?? 500;
  let counts: TableCounts;
  try {
    // Deferred: the snapshot is fixed by the first read, the counts just below.
    database.exec("BEGIN");
    counts = readCounts(database);
  } catch (error) {
    database.close();
    throw toStoreError(error, absolutePath);
  }
  const liveLeases = database.prepare<[number], unknown>(
    "SELECT count(*) AS count FROM runs WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_expires_at > ?",
  );
  return {
    path: absolutePath,
    counts: async () => counts,
    countLiveLeases: async (now) => countRowSchema.parse(liveLeases.get(now)).count,
    async *pages(): AsyncGenerator<RecordPage> {
      try {
        yield* readTablePages(database, pageSize);
      } catch (error) {
        throw toStoreError(error, absolutePath);
      }
    },
    close() {
      if (!database.open) return;
      if (database.inTransaction) database.exec("ROLLBACK");
      database.close();
    },
  };
}

function readCounts(database: Database.Database): TableCounts {
  const counts: Partial<TableCounts> = {};
  for (const table of COPIED_TABLES) {
    counts[table] = countRowSchema.parse(database.prepare(`SELECT count(*) AS count FROM ${table}`).get()).count;
  }
  return counts as TableCounts;
}

/** Refuses what openDatabase would create or take over: no file, a directory, a file baton never migrated. */
function checkIsBatonDatabase(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw notFound(path, "there is no such file");
  }
  if (!isFile) throw notFound(path, "it is a directory, not a file");
  let version: number;
  try {
    // Read-only, and fileMustExist: looking never creates or changes anything.
    const peek = new Database(path, { readonly: true, fileMustExist: true });
    try {
      version = readSchemaVersion(peek);
    } finally {
      peek.close();
    }
  } catch (error) {
    const code = errorCode(error);
    if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
      throw databaseCorrupt(path, `${code}: ${error instanceof Error ? error.message : String(error)}`, { atOpen: true }, error);
    }
    throw toStoreError(error, path);
  }
  if (version === 0) throw notFound(path, "the file is not a baton database (it has none of baton's tables)");
  if (version > LATEST_SCHEMA_VERSION) return; // openDatabase says DATABASE_TOO_NEW, with the fix.
}

function notFound(path: string, reason: string): BatonError {
  return new BatonError(
    "DATABASE_NOT_FOUND",
    `There is no baton database to copy at ${path}: ${reason}. Pass the SQLite file the bot used as --from ` +
      `(its BATON_DB; without one, \`baton runs\` prints the default file). Nothing was created or copied.`,
    { path },
  );
}
