import type { Command } from "commander";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import { COPIED_TABLES, copyState, type CopiedTable, type CopyReport, type TableCounts } from "../core/state-copy.js";
import { isPostgresUrl, poolSizeOf, withoutPassword } from "../database-settings.js";
import { openSqliteExport, type SqliteExport } from "../store/index.js";
import { openPostgresImport, type PostgresImportTarget } from "../store-postgres/index.js";
import type { CliContext } from "./program.js";

/**
 * `baton store copy --from <sqlite file> --to <postgres url> [--dry-run]`: move a deployment from
 * SQLite to PostgreSQL with every run, approval, audit event, message, incident and intent, then
 * check the counts table by table and every record. The source is read in one snapshot
 * (sqlite-export.ts); the target is written in one transaction that commits only when every
 * count matches and every record read back is the one written (postgres-import.ts), so a failed
 * copy leaves it empty. The URL is shown without its password.
 */

interface CopyOptions {
  from: string;
  to: string;
  dryRun?: boolean;
}

/** Between two progress lines of one table, at least this long. */
const PROGRESS_EVERY_MS = 5_000;

export function registerStoreCommands(program: Command, context: CliContext): void {
  const store = program.command("store").description("Move baton's state between databases");
  store
    .command("copy")
    .description("Copy every run, approval, audit event, message, incident and intent from a SQLite file into an empty PostgreSQL database; check the counts")
    .requiredOption("--from <file>", "the SQLite database file the bot used (its BATON_DB)")
    .requiredOption("--to <url>", "an empty PostgreSQL database: postgres://user:password@host:5432/database")
    .option("--dry-run", "print how many rows each table of the source holds; copy nothing")
    .action(async (options: CopyOptions) => {
      await copyStore(context, options);
    });
}

async function copyStore(context: CliContext, options: CopyOptions): Promise<void> {
  const { io } = context;
  checkArguments(options);
  const poolSize = poolSizeOf(context.environment);
  const source = openSqliteExport(options.from);
  try {
    io.write(`Source: ${source.path} (SQLite)`);
    if (options.dryRun === true) {
      io.write(renderCounts(await source.counts()));
      io.write(`Dry run: nothing was copied. Without --dry-run these rows go to ${withoutPassword(options.to)}, which must be empty.`);
      return;
    }
    const live = await source.countLiveLeases(Date.now());
    if (live > 0) {
      io.writeError(
        `warning: ${String(live)} run${live === 1 ? " is" : "s are"} running in ${source.path} under a lease that has not expired: a bot (or a ` +
          "baton run) may still be using this database. Stop it first: what it writes from now on is not in the copy. Copying the " +
          "database as it is now.",
      );
    }
    await copyInto(context, source, options.to, poolSize);
  } finally {
    source.close();
  }
}

async function copyInto(context: CliContext, source: SqliteExport, url: string, poolSize: number): Promise<void> {
  const { io } = context;
  const shown = withoutPassword(url);
  const target = await openTarget(url, shown, poolSize);
  try {
    const transaction = await target.begin().catch((error: unknown) => Promise.reject(asTargetError(error, shown)));
    io.write(`Target: ${shown} (PostgreSQL; one transaction: nothing is visible there until every table is copied)`);
    const lastLine = new Map<CopiedTable, number>();
    const report = await copyState(source, transaction, {
      targetName: shown,
      onProgress: ({ table, copied, total, done }) => {
        const now = Date.now();
        if (!done && now - (lastLine.get(table) ?? now) < PROGRESS_EVERY_MS) {
          if (!lastLine.has(table)) lastLine.set(table, now);
          return;
        }
        lastLine.set(table, now);
        io.write(`  ${table.padEnd(18)} ${done ? "copied" : "copying"} ${formatCount(copied)} of ${formatCount(total)}`);
      },
      onComparingRecords: () => io.write("Counts match; comparing every record read back from the target with what was written…"),
    }).catch((error: unknown) => Promise.reject(asTargetError(error, shown)));
    io.write(renderComparison(report));
    if (report.differingRecord !== undefined) {
      const { table, recordId } = report.differingRecord;
      const which = recordId === undefined ? "a record the source does not hold" : `record ${recordId}`;
      throw new BatonError(
        "COPY_RECORDS_DIFFER",
        `The counts match, but ${table} read back from ${shown} is not what was written: ${which} differs. The copy was rolled back: ` +
          `${shown} is as empty as before. Something on the target changes rows as they are inserted: look for a trigger or rule on ${table} ` +
          `(\\d ${table} in psql) or an extension that rewrites values, remove it or copy into a new database, and run baton store copy again; ` +
          "if it still differs, report it with this message.",
        { table, ...(recordId === undefined ? {} : { recordId }) },
      );
    }
    if (!report.committed) {
      throw new BatonError(
        "COPY_COUNTS_DIFFER",
        `The counts differ for ${report.differing.join(", ")}, so the copy was rolled back: ${shown} is as empty as before. ` +
          "Stop every process using the SQLite file and run baton store copy again; if the counts still differ, report it with the table above.",
        { differing: report.differing },
      );
    }
    io.write(
      `Copied: every table's count matches, and every record read back is the one written. Keep ${source.path} as a backup; to run on PostgreSQL, set BATON_DB to the --to URL and start the bot ` +
        "(docs/postgres.md, Moving from SQLite).",
    );
  } finally {
    await target.close();
  }
}

function checkArguments(options: CopyOptions): void {
  if (isPostgresUrl(options.from)) {
    throw new BatonError(
      "INPUT_INVALID",
      "--from is a PostgreSQL URL, but baton store copy copies from a SQLite file into PostgreSQL. Pass the SQLite file as --from and the PostgreSQL URL as --to.",
      {},
    );
  }
  if (!isPostgresUrl(options.to)) {
    throw new BatonError(
      "INPUT_INVALID",
      `--to must be a PostgreSQL connection string (postgres://user:password@host:5432/database), not ${JSON.stringify(withoutPassword(options.to))}. ` +
        "Create an empty database for baton (createdb baton) and pass its URL.",
      {},
    );
  }
  try {
    new URL(options.to);
  } catch {
    throw new BatonError(
      "CONFIG_INVALID",
      "--to starts like a PostgreSQL connection string but is not a valid URL. Write it as postgres://user:password@host:5432/database, " +
        "percent-encoding @ : / ? # in the user and password (@ as %40).",
      {},
    );
  }
}

async function openTarget(url: string, shown: string, poolSize: number): Promise<PostgresImportTarget> {
  try {
    return await openPostgresImport(url, { maxConnections: poolSize });
  } catch (error) {
    throw asTargetError(error, shown);
  }
}

/**
 * The target's errors say they are about --to (the store's own messages speak of BATON_DB), and
 * that nothing was copied; an error PostgreSQL raised mid-copy (a value it refuses) says where.
 */
function asTargetError(error: unknown, shown: string): unknown {
  if (!isBatonError(error)) {
    return new BatonError(
      "COPY_FAILED",
      `Copying into ${shown} failed: ${describeError(error)}. The copy was rolled back: ${shown} holds nothing from it. ` +
        "Fix what the message names (or report it with this message), then run baton store copy again.",
      { target: shown },
      { cause: error },
    );
  }
  if (!["DATABASE_UNREACHABLE", "DATABASE_ACCESS_DENIED", "DATABASE_TOO_NEW", "CONFIG_INVALID"].includes(error.code)) return error;
  return new BatonError(error.code, `The copy's target, --to (${shown}): ${error.message} Nothing was copied.`, { ...error.details }, { cause: error });
}

function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

function renderCounts(counts: TableCounts): string {
  const lines = COPIED_TABLES.map((table) => `  ${table.padEnd(18)} ${formatCount(counts[table]).padStart(12)}`);
  return [`  ${"table".padEnd(18)} ${"rows".padStart(12)}`, ...lines].join("\n");
}

function renderComparison(report: CopyReport): string {
  const header = `  ${"table".padEnd(18)} ${"SQLite".padStart(12)} ${"PostgreSQL".padStart(12)}`;
  const lines = COPIED_TABLES.map((table) => {
    const mark = report.differing.includes(table) ? "  ✗ differs" : "";
    return `  ${table.padEnd(18)} ${formatCount(report.source[table]).padStart(12)} ${formatCount(report.target[table]).padStart(12)}${mark}`;
  });
  return ["Counts:", header, ...lines].join("\n");
}
