import { resolve } from "node:path";
import { describeError, isBatonError } from "../core/errors.js";
import type { DatabaseLocation } from "../database-settings.js";
import { openStoreState } from "../runtime/open-store-state.js";
import { failed, passed, type CheckResult } from "./check-result.js";

/**
 * The database opens (and is migrated: opening applies migrations), and takes a write: a write
 * that changes nothing still needs SQLite's write lock, so a read-only file or a full disk fails
 * it; on PostgreSQL it proves the role may write the tables.
 */
export async function checkDatabase(database: DatabaseLocation): Promise<CheckResult> {
  const checked = database.kind === "sqlite" ? `database ${resolve(database.path)} (BATON_DB)` : `PostgreSQL database ${database.shown}`;
  try {
    const state = await openStoreState(database);
    try {
      await state.ledger.releaseClaim("doctor-probe");
    } finally {
      await state.close();
    }
    return passed("database", checked, `writable; migrated to schema version ${String(state.schemaVersion)}`);
  } catch (error) {
    // The store's errors already say what to do; the first sentence is the problem.
    const message = describeError(error);
    const fix =
      database.kind === "sqlite" ? "Set BATON_DB to a file in a folder baton can write." : "Check BATON_DB (or DATABASE_URL) and that the server is running.";
    return failed("database", checked, isBatonError(error) ? error.code : "could not open it", isBatonError(error) ? message : `${message}. ${fix}`);
  }
}
