import { BatonError } from "./core/errors.js";
import { defaultDatabasePath } from "./package-location.js";

/**
 * Where baton keeps its state: a SQLite file (the embedded default, one host) or a PostgreSQL
 * database (several replicas on several hosts). Chosen by BATON_DB, else DATABASE_URL, else the
 * default SQLite file.
 */
export type DatabaseLocation =
  | { kind: "sqlite"; path: string }
  | {
      kind: "postgres";
      url: string;
      /** The URL as it may be shown in messages and logs: never its password. */
      shown: string;
      /** Connections in this process's pool (BATON_DB_POOL_SIZE); the change feed holds one more. */
      poolSize: number;
    };

export interface DatabaseSettings {
  database: DatabaseLocation;
  /** Which variable chose it; `default` when neither is set. */
  databaseSource: "BATON_DB" | "DATABASE_URL" | "default";
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A connection string as it may be shown: scheme, user, host and database, never the password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.username === "" ? "" : `${parsed.username}@`}${parsed.host}${parsed.pathname}`;
  } catch {
    return "a connection string that is not a valid URL";
  }
}

export const DEFAULT_POOL_SIZE = 10;
/**
 * Two, not one: the retention pass holds a connection for its lock while its batches take
 * another, so a pool of one would wait on itself until the connection timeout.
 */
export const MIN_POOL_SIZE = 2;
/** PostgreSQL's default max_connections: one process could not use more. */
export const MAX_POOL_SIZE = 100;

/**
 * BATON_DB_POOL_SIZE: how many connections each process keeps to PostgreSQL. Checked even when
 * the database is a SQLite file, so a mistyped value is found before the move to PostgreSQL.
 */
export function poolSizeOf(environment: Readonly<Record<string, string | undefined>>): number {
  const text = (environment["BATON_DB_POOL_SIZE"] ?? "").trim();
  if (text === "") return DEFAULT_POOL_SIZE;
  const size = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(size) || size < MIN_POOL_SIZE || size > MAX_POOL_SIZE) {
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_DB_POOL_SIZE is ${JSON.stringify(text)}, but it must be a whole number from ${String(MIN_POOL_SIZE)} to ${String(MAX_POOL_SIZE)} ` +
        `(PostgreSQL connections per baton process). Set it to a whole number in that range, or unset it for the default of ${String(DEFAULT_POOL_SIZE)}.`,
      { variable: "BATON_DB_POOL_SIZE", given: text },
    );
  }
  return size;
}

function postgresLocation(url: string, variable: "BATON_DB" | "DATABASE_URL", poolSize: number): DatabaseLocation {
  try {
    new URL(url);
  } catch {
    throw new BatonError(
      "CONFIG_INVALID",
      `${variable} starts like a PostgreSQL connection string but is not a valid URL. Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).`,
      { variable },
    );
  }
  return { kind: "postgres", url, shown: withoutPassword(url), poolSize };
}

/**
 * BATON_DB wins: a postgres:// or postgresql:// URL selects PostgreSQL, anything else is a SQLite
 * path. Without it, DATABASE_URL (the name platforms set) selects PostgreSQL; a DATABASE_URL of
 * another kind is refused rather than ignored, so a deployment never runs on a SQLite file its
 * operator did not expect.
 */
export function databaseSettingsOf(
  values: { BATON_DB?: string | undefined; DATABASE_URL?: string | undefined },
  environment: Readonly<Record<string, string | undefined>>,
): DatabaseSettings {
  const poolSize = poolSizeOf(environment);
  if (values.BATON_DB !== undefined) {
    const database = isPostgresUrl(values.BATON_DB)
      ? postgresLocation(values.BATON_DB, "BATON_DB", poolSize)
      : { kind: "sqlite" as const, path: values.BATON_DB };
    return { database, databaseSource: "BATON_DB" };
  }
  if (values.DATABASE_URL !== undefined) {
    if (!isPostgresUrl(values.DATABASE_URL)) {
      throw new BatonError(
        "CONFIG_INVALID",
        `DATABASE_URL is set (${withoutPassword(values.DATABASE_URL)}) but is not a PostgreSQL connection string, and baton only uses DATABASE_URL for PostgreSQL. Set BATON_DB to a SQLite file path or a postgres:// URL (BATON_DB wins over DATABASE_URL), or unset DATABASE_URL.`,
        { variable: "DATABASE_URL" },
      );
    }
    return { database: postgresLocation(values.DATABASE_URL, "DATABASE_URL", poolSize), databaseSource: "DATABASE_URL" };
  }
  return { database: { kind: "sqlite", path: defaultDatabasePath(environment) }, databaseSource: "default" };
}

/** How a location is named to people: the SQLite path, or the PostgreSQL URL without its password. */
export function describeLocation(database: DatabaseLocation): string {
  return database.kind === "sqlite" ? database.path : database.shown;
}
