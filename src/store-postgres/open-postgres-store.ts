import pg from "pg";
import { PostgresChainStore } from "./postgres-chain-store.js";
import { toPostgresStoreError } from "./postgres-errors.js";
import { applyPostgresMigrations } from "./postgres-migrations.js";

export interface OpenPostgresStoreOptions {
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection (new, or free in the pool) before failing. Default 10 s. */
  connectionTimeoutMs?: number;
  /**
   * Told about an idle pooled connection that failed (the server restarted, a proxy dropped it).
   * pg drops that connection and opens a new one for the next query; without a listener the
   * pool's `error` event would end the process.
   */
  onIdleConnectionError?: (error: Error) => void;
}

/** Whether a BATON_DB value is a PostgreSQL connection string rather than a SQLite path. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * Open the PostgreSQL database at `url` (postgres:// or postgresql://): connect once to check it
 * is there, apply the missing migrations, and return the store on a pool. Fails with a
 * BatonError saying what to check: DATABASE_UNREACHABLE, DATABASE_ACCESS_DENIED or
 * DATABASE_TOO_NEW, naming the database without its password.
 */
export async function openPostgresStore(url: string, options: OpenPostgresStoreOptions = {}): Promise<PostgresChainStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // pg's default is to wait for ever: a firewalled host would hang start-up without a word.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: "baton",
  });
  const onIdleConnectionError = options.onIdleConnectionError;
  pool.on("error", (error) => onIdleConnectionError?.(error));
  try {
    await applyPostgresMigrations(pool, url);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toPostgresStoreError(error, url);
  }
  return new PostgresChainStore(pool, url);
}
