import { mkdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import { applyMigrations, LATEST_SCHEMA_VERSION, readSchemaVersion } from "./migrations.js";
import { keepHandlesAlive } from "./native-handles.js";
import { SqliteChainStore, type SqliteChainStoreOptions } from "./sqlite-chain-store.js";
import { databaseCorrupt, databaseNotWritable, errorCode } from "./store-errors.js";

/** How to open the database file. */
export interface OpenDatabaseOptions {
  /** How long a write waits for another process's write to finish before failing. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Existing files up to this size get a full `PRAGMA quick_check` at open, so a damaged file
   * is reported at start-up rather than halfway through a run. It reads every page, too slow
   * for every CLI command on a big file; bigger files only get what SQLite checks on reading
   * (header, schema, file not cut short). Default 32 MiB; 0 skips it, `Infinity` always runs it.
   */
  fullCheckUpToBytes?: number;
}

export const IN_MEMORY_PATH = ":memory:";

const DEFAULT_FULL_CHECK_UP_TO_BYTES = 32 * 1024 * 1024;
const PAGE_SIZE_BYTES = 1024;
const WAL_AUTOCHECKPOINT_PAGES = 10_000;
const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

export type OpenSqliteStoreOptions = OpenDatabaseOptions & SqliteChainStoreOptions;

/**
 * Open the store on the SQLite file at `path` (created, with its directory, when missing;
 * `:memory:` for a throw-away store). Throws a `BatonError` with code `DATABASE_NOT_WRITABLE`,
 * `DATABASE_CORRUPT` or `DATABASE_TOO_NEW` when the file cannot be used; the message says
 * what to do.
 */
export function openSqliteStore(path: string, options: OpenSqliteStoreOptions = {}): SqliteChainStore {
  const database = openDatabase(path, options);
  try {
    return new SqliteChainStore(database, options);
  } catch (error) {
    closeQuietly(database);
    // Preparing the statements fails when the tables are not what this schema version says:
    // a file edited by hand, or made by a pre-release build with the same version number.
    throw databaseCorrupt(
      path === IN_MEMORY_PATH ? path : resolve(path),
      `its tables do not match schema version ${String(LATEST_SCHEMA_VERSION)}: ${describeError(error)}`,
      { atOpen: true },
      error,
    );
  }
}

/**
 * Open (creating if needed) the baton database at `path`, check it, set the pragmas and bring
 * the schema up to date. Failures are `BatonError`s saying what to do: `DATABASE_NOT_WRITABLE`,
 * `DATABASE_CORRUPT` or `DATABASE_TOO_NEW`. A file this call created is removed again when
 * opening fails, and an existing file is only written to once it has passed every check.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (path === IN_MEMORY_PATH) return prepareDatabase(keepHandlesAlive(new Database(IN_MEMORY_PATH)), path, false);
  const absolutePath = resolve(path);
  const existed = pathExists(absolutePath);
  const existingBytes = fileSize(absolutePath);
  const firstCreatedDirectory = createParentDirectory(absolutePath);
  let database: Database.Database | undefined;
  try {
    database = keepHandlesAlive(new Database(absolutePath, { timeout: options.busyTimeoutMs ?? 5000 }));
    // SQLite itself refuses a file that is no database, or shorter than its header says
    // (SQLITE_NOTADB, SQLITE_CORRUPT), as soon as anything is read; quick_check also finds
    // damaged pages in the middle, which would otherwise surface halfway through a run.
    const fullCheckUpToBytes = options.fullCheckUpToBytes ?? DEFAULT_FULL_CHECK_UP_TO_BYTES;
    if (existingBytes !== undefined && existingBytes <= fullCheckUpToBytes) checkIntegrity(database, absolutePath);
    return prepareDatabase(database, absolutePath, existed);
  } catch (error) {
    closeQuietly(database);
    if (!existed) removeCreated(absolutePath, firstCreatedDirectory);
    throw toOpenError(error, absolutePath);
  }
}

/** Version check before anything is written, then pragmas and migrations. */
function prepareDatabase(database: Database.Database, path: string, existed: boolean): Database.Database {
  if (existed) assertNotTooNew(readSchemaVersion(database), path);
  // Only takes effect on a new, empty file, and must come before WAL is switched on. Every
  // commit appends each page it touched to the WAL in full, and a step commit touches a few
  // pages for a row or two of new data: small pages keep what each commit writes small. A row
  // larger than a page goes on in overflow pages.
  if (!existed) database.pragma(`page_size = ${String(PAGE_SIZE_BYTES)}`);
  // WAL: readers never block the writer, and a commit is one append to the log.
  database.pragma("journal_mode = WAL");
  // In WAL mode NORMAL survives a process crash (only a power cut can lose the last commits)
  // and skips an fsync on every commit.
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  // A checkpoint costs fsyncs whatever its size, and SQLite's default runs one every 1000 pages
  // (every few dozen chains); every 10000 pages (a WAL of up to ~10 MB with 1 KB pages)
  // amortises them (docs/benchmarks.md has the figures). journal_size_limit trims the WAL file
  // back after a checkpoint so it does not stay large.
  database.pragma(`wal_autocheckpoint = ${String(WAL_AUTOCHECKPOINT_PAGES)}`);
  database.pragma(`journal_size_limit = ${String(WAL_SIZE_LIMIT_BYTES)}`);
  assertNotTooNew(applyMigrations(database), path);
  return database;
}

function assertNotTooNew(version: number, path: string): void {
  if (version <= LATEST_SCHEMA_VERSION) return;
  throw new BatonError(
    "DATABASE_TOO_NEW",
    `The baton database at ${path} has schema version ${String(version)}, but this baton only knows versions up to ` +
      `${String(LATEST_SCHEMA_VERSION)}: a newer baton has used it. Upgrade baton to the version that wrote it, ` +
      `or set BATON_DB to another database file. The file was not changed.`,
    { path, schemaVersion: version, supportedVersion: LATEST_SCHEMA_VERSION },
  );
}

/** `quick_check` finds damaged pages and structure. */
function checkIntegrity(database: Database.Database, path: string): void {
  const result: unknown = database.pragma("quick_check(1)", { simple: true });
  if (result === "ok") return;
  throw databaseCorrupt(path, `quick_check reported: ${String(result)}`, { atOpen: true });
}

const NOT_WRITABLE_FILE_CODES = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "EISDIR"]);

/** Map whatever opening threw to a BatonError that says what to do; pass others through. */
function toOpenError(error: unknown, path: string): unknown {
  if (isBatonError(error)) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return databaseCorrupt(path, `${code}: ${reason}`, { atOpen: true }, error);
  }
  if (
    NOT_WRITABLE_FILE_CODES.has(code) ||
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_CANTOPEN") ||
    code === "SQLITE_PERM" ||
    // At open, an I/O error is nearly always the file system refusing the file or its
    // -wal/-shm companions; the message keeps SQLite's reason in case it is a failing disk.
    code.startsWith("SQLITE_IOERR")
  ) {
    const why = isDirectory(path) ? `a directory is in the way (${code}: ${reason})` : `${code}: ${reason}`;
    return databaseNotWritable(path, why, error);
  }
  return error;
}

function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The size of the file at `path`, or undefined when there is none (or it is a directory). */
function fileSize(path: string): number | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `mkdir -p` of the file's directory; returns the first directory it created, if any. */
function createParentDirectory(path: string): string | undefined {
  try {
    return mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw toOpenError(error, path);
  }
}

/** Undo what a failed open created: the file, its WAL files, then directories if empty. */
function removeCreated(path: string, firstCreatedDirectory: string | undefined): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    try {
      // Not recursive: a directory in the way was not made by this open, so it stays.
      rmSync(`${path}${suffix}`, { force: true });
    } catch {
      // Cleaning up must not hide the error that made the open fail.
    }
  }
  if (firstCreatedDirectory === undefined) return;
  // rmdir (not rm -r) only removes empty directories, so nothing else can be lost.
  let directory = dirname(path);
  for (;;) {
    try {
      rmdirSync(directory);
    } catch {
      return;
    }
    if (directory === firstCreatedDirectory || directory === dirname(directory)) return;
    directory = dirname(directory);
  }
}

function closeQuietly(database: Database.Database | undefined): void {
  try {
    if (database?.open) database.close();
  } catch {
    // Closing is best effort here: the open already failed and that error is what matters.
  }
}
