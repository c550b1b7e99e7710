import { dirname } from "node:path";
import { BatonError } from "../core/errors.js";
import { FIRST_EVENT_SEGMENT, KEYS_PER_RUN } from "./key-layout.js";

/** The errors the store raises on purpose, and the SQLite errors it translates. */

/** The file cannot be used; `atOpen` when it was found before baton wrote anything to it. */
export function databaseCorrupt(path: string, reason: string, when: { atOpen: boolean }, cause?: unknown): BatonError {
  const changed = when.atOpen ? "baton did not change it. " : "";
  return new BatonError(
    "DATABASE_CORRUPT",
    `The file at ${path} is not a baton database or is damaged (${reason}). ${changed}` +
      `Move it aside (mv "${path}" "${path}.broken") so baton starts a new database there, restore it from a ` +
      `backup, or set BATON_DB to another path.`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

export function databaseNotWritable(path: string, reason: string, cause?: unknown): BatonError {
  return new BatonError(
    "DATABASE_NOT_WRITABLE",
    `baton cannot write the database at ${path}: ${reason}. Set BATON_DB to a file path in a directory baton ` +
      `may write to, or fix the permissions of ${dirname(path)} (baton creates missing directories itself).`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * What the store's methods throw for SQLite errors met while running: damage found on a page
 * the open-time check did not read, or a file made read-only meanwhile, become the BatonErrors
 * opening would have given; anything else is passed on as it is.
 */
export function toStoreError(error: unknown, path: string): unknown {
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return databaseCorrupt(path, `${code}: ${reason}`, { atOpen: false }, error);
  }
  if (code.startsWith("SQLITE_READONLY")) return databaseNotWritable(path, `${code}: ${reason}`, error);
  return error;
}

/** The `code` of a Node or SQLite error, or "" for anything else. */
export function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return "";
}

export function approvalNotFound(approvalId: string): BatonError {
  return new BatonError(
    "APPROVAL_NOT_FOUND",
    `There is no approval ${approvalId} in this database. Check the approval id (it may belong to another ` +
      `baton database, or the button is from an old message).`,
    { approvalId },
  );
}

export function eventOfUnknownRun(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_FOUND",
    `Cannot record an audit event for run ${runId}: there is no such run in this database. ` +
      `Events can only be appended to runs created with createRun; check the run id.`,
    { runId },
  );
}

export function auditLogFull(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_ACTIVE",
    `Run ${runId} has ${String(KEYS_PER_RUN - 1)} audit events since it started or since its last decision, the most ` +
      `one run can keep; nothing more is recorded ` +
      `for it. A run this long is looping: cancel it (baton cancel ${runId}) and check the chain's retry settings.`,
    { runId },
  );
}

export function runKeysExhausted(runId: string): BatonError {
  return new BatonError(
    "DATABASE_NOT_WRITABLE",
    `Run ${runId} cannot be created: this database has used all ${String(FIRST_EVENT_SEGMENT)} run numbers. ` +
      `Start a new database (set BATON_DB to a new file) and keep this one for its history.`,
    { runId },
  );
}

/** Run synchronous SQLite work and hand its result (or its error, mapped) to a promise. */
export function settle<Result>(path: string, work: () => Result): Promise<Result> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toStoreError(error, path));
  }
}
