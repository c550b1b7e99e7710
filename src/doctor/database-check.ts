import { resolve } from "node:path";
import { describeError, isBatonError } from "../core/errors.js";
import { LATEST_SCHEMA_VERSION } from "../store/migrations.js";
import { openSqliteState } from "../store/open-state.js";
import { failed, passed, type CheckResult } from "./check-result.js";

/**
 * The database opens (and is migrated: opening applies migrations), and takes a write: a write
 * that changes nothing still needs SQLite's write lock, so a read-only file or a full disk fails it.
 */
export async function checkDatabase(path: string): Promise<CheckResult> {
  const checked = `database ${resolve(path)} (BATON_DB)`;
  try {
    const state = openSqliteState(path);
    try {
      await state.ledger.releaseClaim("doctor-probe");
    } finally {
      state.close();
    }
    return passed("database", checked, `writable; migrated to schema version ${String(LATEST_SCHEMA_VERSION)}`);
  } catch (error) {
    // The store's errors already say what to do; the first sentence is the problem.
    const message = describeError(error);
    return failed(
      "database",
      checked,
      isBatonError(error) ? error.code : "could not open it",
      isBatonError(error) ? message : `${message}. Set BATON_DB to a file in a folder baton can write.`,
    );
  }
}
