import { resolve } from "node:path";
import { describeError } from "../core/errors.js";
import { LATEST_SCHEMA_VERSION } from "./migrations.js";
import { IN_MEMORY_PATH, openDatabase, type OpenSqliteStoreOptions } from "./open-database.js";
import { SqliteChainStore } from "./sqlite-chain-store.js";
import { TimeOrderedIds } from "../system/ids.js";
import { SqliteAlertStore } from "./sqlite-alert-store.js";
import { SqliteCommandIntents } from "./sqlite-command-intents.js";
import { SqliteMessageLedger } from "./sqlite-message-ledger.js";
import { SqliteRetention } from "./sqlite-retention.js";
import { databaseCorrupt } from "./store-errors.js";

/** The chain store, the message ledger, the alert store and retention on one SQLite connection. */
export interface SqliteState {
  store: SqliteChainStore;
  ledger: SqliteMessageLedger;
  alerts: SqliteAlertStore;
  /** Acknowledged Slack requests whose work comes after the ack. */
  intents: SqliteCommandIntents;
  retention: SqliteRetention;
  /** Closes the connection (the store owns it). */
  close(): void;
}

/**
 * Open the baton database at `path` with the chain store and the message ledger on one
 * connection. Fails like `openSqliteStore`: a `BatonError` saying what to do.
 */
export function openSqliteState(path: string, options: OpenSqliteStoreOptions = {}): SqliteState {
  const database = openDatabase(path, options);
  try {
    const store = new SqliteChainStore(database, options);
    const ledger = new SqliteMessageLedger(database);
    const alerts = new SqliteAlertStore(database, new TimeOrderedIds());
    const retention = new SqliteRetention(database);
    const intents = new SqliteCommandIntents(database, new TimeOrderedIds());
    return { store, ledger, alerts, intents, retention, close: () => store.close() };
  } catch (error) {
    database.close();
    // Preparing statements fails when the tables are not what this schema version says.
    throw databaseCorrupt(
      path === IN_MEMORY_PATH ? path : resolve(path),
      `its tables do not match schema version ${String(LATEST_SCHEMA_VERSION)}: ${describeError(error)}`,
      { atOpen: true },
      error,
    );
  }
}
