import pg from "pg";
import { databaseUrlInvalid, toPostgresStoreError } from "./postgres-errors.js";
import { applyPostgresMigrations } from "./postgres-migrations.js";

/** BATON_DB_POOL_SIZE's default (database-settings.ts); here for callers that open a pool without the settings. */
export const DEFAULT_MAX_CONNECTIONS = 10;

export interface OpenPostgresStoreOptions {
  /** Connections in the pool. Default 10; at least 2 for the state, whose retention pass holds one for its lock while its batches use another. */
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

/**
 * A pool on the database at `url`, migrated to this baton's schema: the connection string is
 * checked first (pg would throw a bare TypeError for one that is not a URL), then one connection
 * applies the missing migrations. Fails with a BatonError saying what to check, the pool ended:
 * CONFIG_INVALID, DATABASE_UNREACHABLE, DATABASE_ACCESS_DENIED or DATABASE_TOO_NEW, naming the
 * database without its password.
 */
export async function openMigratedPool(url: string, options: OpenPostgresStoreOptions): Promise<pg.Pool> {
  try {
    new URL(url);
  } catch (error) {
    throw databaseUrlInvalid(error);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
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
  return pool;
}
