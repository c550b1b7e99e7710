/**
 * The PostgreSQL adapters of every store port, for several replicas on several hosts. This
 * folder is the only place that imports `pg`. `openPostgresState` opens them all on one pool;
 * not wired into the runtime yet (see docs/postgres.md).
 */
export { openPostgresStore, isPostgresUrl, type OpenPostgresStoreOptions } from "./open-postgres-store.js";
export { openPostgresState, type PostgresState, type ServerConnectionLimits } from "./open-postgres-state.js";
export { PostgresChainStore } from "./postgres-chain-store.js";
export { PostgresMessageLedger } from "./postgres-message-ledger.js";
export { PostgresAlertStore } from "./postgres-alert-store.js";
export { PostgresCommandIntents } from "./postgres-command-intents.js";
export { PostgresRetention } from "./postgres-retention.js";
export { applyPostgresMigrations, LATEST_POSTGRES_SCHEMA_VERSION } from "./postgres-migrations.js";
export { describeDatabaseUrl } from "./postgres-errors.js";
export { openPostgresImport, IMPORT_APPLICATION_NAME, type PostgresImportTarget } from "./postgres-import.js";
