/**
 * The SQLite adapter of the `ChainStore` port. This folder is the only place that imports
 * better-sqlite3.
 */
export { openSqliteStore, openDatabase, type OpenDatabaseOptions, type OpenSqliteStoreOptions } from "./open-database.js";
export { SqliteChainStore, type SqliteChainStoreOptions } from "./sqlite-chain-store.js";
export { LATEST_SCHEMA_VERSION } from "./migrations.js";
export { SqliteMessageLedger } from "./sqlite-message-ledger.js";
export { openSqliteState, type SqliteState } from "./open-state.js";
export { SqliteAlertStore } from "./sqlite-alert-store.js";
export { SqliteRetention } from "./sqlite-retention.js";
export { openSqliteExport, type SqliteExport, type SqliteExportOptions } from "./sqlite-export.js";
