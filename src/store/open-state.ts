import { openDatabase, type OpenSqliteStoreOptions } from "./open-database.js";
import { SqliteChainStore } from "./sqlite-chain-store.js";
import { SqliteMessageLedger } from "./sqlite-message-ledger.js";

/** The chain store and the message ledger on one SQLite connection (the bot needs both). */
export interface SqliteState {
  store: SqliteChainStore;
  ledger: SqliteMessageLedger;
  /** Closes the connection (the store owns it). */
  close(): void;
}

/** Open the baton database at `path` for the bot: the chain store and the message ledger. */
export function openSqliteState(path: string, options: OpenSqliteStoreOptions = {}): SqliteState {
  const database = openDatabase(path, options);
  try {
    const store = new SqliteChainStore(database, options);
    const ledger = new SqliteMessageLedger(database);
    return { store, ledger, close: () => store.close() };
  } catch (error) {
    database.close();
    throw error;
  }
}
