import { BatonError } from "../core/errors.js";
import { withoutPassword } from "../database-settings.js";

/**
 * The errors the PostgreSQL store raises, and the pg errors it translates. A connection string
 * is only ever shown through `describeDatabaseUrl`, which leaves the password out.
 */

/** SQLSTATEs meaning "this server will not let baton in as it is configured". */
const ACCESS_DENIED_STATES = new Set(["28000", "28P01", "42501"]);

/**
 * SQLSTATEs and Node socket codes meaning "the database is not there right now": no server,
 * no such database, a server shutting down or out of connections.
 */
const UNREACHABLE_STATES = new Set(["3D000", "53300", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"]);
const UNREACHABLE_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

/** The connection string without its password (or any query parameter, which may carry one). */
export const describeDatabaseUrl = withoutPassword;

/** The `code` of a pg or Node error (a SQLSTATE or a socket code), or "" for anything else. */
export function postgresErrorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return "";
}

function reasonOf(error: unknown): string {
  const code = postgresErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (message === "") return code === "" ? "no reason given" : code;
  return code === "" || message.includes(code) ? message : `${code}: ${message}`;
}

/** pg's own words for a connection that failed or dropped (these errors carry no code). */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /Connection terminated|timeout expired|Connection refused|connect E[A-Z]+|does not support SSL/i.test(error.message);
}

export function databaseUnreachable(url: string, reason: string, cause?: unknown): BatonError {
  const where = describeDatabaseUrl(url);
  return new BatonError(
    "DATABASE_UNREACHABLE",
    `baton cannot reach the PostgreSQL database at ${where} (${reason}). Check that PostgreSQL is running and ` +
      `accepts TCP connections at that host and port (pg_lsclusters shows local clusters), that the database in ` +
      `the URL exists (createdb), and that BATON_DB names the right server.`,
    { database: where },
    cause === undefined ? undefined : { cause },
  );
}

/** A connection string pg cannot read: said without echoing it (it may hold a password). */
export function databaseUrlInvalid(cause: unknown): BatonError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BatonError(
    "CONFIG_INVALID",
    `BATON_DB starts with postgres:// but is not a valid connection string (${reason}). Write it as ` +
      `postgres://user:password@host:5432/database: the port a number up to 65535, an IPv6 host in brackets, and ` +
      `any @ : / ? # in the user or password percent-encoded (@ as %40, : as %3A, / as %2F).`,
    { variable: "BATON_DB" },
    { cause },
  );
}

export function databaseAccessDenied(url: string, reason: string, cause?: unknown): BatonError {
  const where = describeDatabaseUrl(url);
  return new BatonError(
    "DATABASE_ACCESS_DENIED",
    `PostgreSQL refused baton at ${where} (${reason}). Check the user and password in BATON_DB (or ~/.pgpass), ` +
      `the server's pg_hba.conf, and that the user may create tables in the database (baton migrates it at start).`,
    { database: where },
    cause === undefined ? undefined : { cause },
  );
}

export function databaseTooNew(url: string, version: number, latest: number): BatonError {
  const where = describeDatabaseUrl(url);
  return new BatonError(
    "DATABASE_TOO_NEW",
    `The PostgreSQL database at ${where} is at schema version ${String(version)}, newer than this baton knows ` +
      `(${String(latest)}): a newer baton has migrated it. Upgrade this baton, or point BATON_DB at another database.`,
    { database: where, version, latest },
  );
}

/**
 * What the store's methods throw for a pg error: connection and access failures become the
 * BatonErrors above (naming the database, not the password); anything else is passed on as it
 * is, like the SQLite store does.
 */
export function toPostgresStoreError(error: unknown, url: string): unknown {
  if (error instanceof BatonError) return error;
  const code = postgresErrorCode(error);
  if (ACCESS_DENIED_STATES.has(code)) return databaseAccessDenied(url, reasonOf(error), error);
  if (UNREACHABLE_STATES.has(code) || UNREACHABLE_SOCKET_CODES.has(code) || isConnectionFailure(error)) {
    return databaseUnreachable(url, reasonOf(error), error);
  }
  return error;
}

export function eventOfUnknownRun(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_FOUND",
    `Cannot record an audit event for run ${runId}: there is no such run in this database. ` +
      `Events can only be appended to runs created with createRun; check the run id.`,
    { runId },
  );
}

export function approvalNotFound(approvalId: string): BatonError {
  return new BatonError(
    "APPROVAL_NOT_FOUND",
    `There is no approval ${approvalId} in this database. Check the approval id (it may belong to another ` +
      `baton database, or the button is from an old message).`,
    { approvalId },
  );
}
