import { openMigratedPool, type OpenPostgresStoreOptions } from "./migrated-pool.js";
import { PostgresChainStore } from "./postgres-chain-store.js";

export type { OpenPostgresStoreOptions } from "./migrated-pool.js";

/** Whether a BATON_DB value is a PostgreSQL connection string rather than a SQLite path. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * Open the PostgreSQL database at `url` (postgres:// or postgresql://): connect once to check it
 * is there, apply the missing migrations, and return the chain store on a pool. Fails with a
 * BatonError saying what to check (see `openMigratedPool`). `openPostgresState` opens every store.
 */
export async function openPostgresStore(url: string, options: OpenPostgresStoreOptions = {}): Promise<PostgresChainStore> {
  return new PostgresChainStore(await openMigratedPool(url, options), url);
}
