/**
 * The PostgreSQL adapter of the `ChainStore` port, for several replicas on several hosts. This
 * folder is the only place that imports `pg`. Not wired into the runtime yet: the other stores
 * (message ledger, alerts, command intents, retention) are SQLite-only (see docs/postgres.md).
 */
export { openPostgresStore, isPostgresUrl, type OpenPostgresStoreOptions } from "./open-postgres-store.js";
export { PostgresChainStore } from "./postgres-chain-store.js";
export { applyPostgresMigrations, LATEST_POSTGRES_SCHEMA_VERSION } from "./postgres-migrations.js";
export { describeDatabaseUrl } from "./postgres-errors.js";
