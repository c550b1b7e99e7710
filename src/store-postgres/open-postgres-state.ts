import { TimeOrderedIds } from "../system/ids.js";
import { openMigratedPool, type OpenPostgresStoreOptions } from "./migrated-pool.js";
import { PoolAccess } from "./pool-access.js";
import { PostgresAlertStore } from "./postgres-alert-store.js";
import { PostgresChainStore } from "./postgres-chain-store.js";
import { PostgresCommandIntents } from "./postgres-command-intents.js";
import { PostgresMessageLedger } from "./postgres-message-ledger.js";
import { PostgresRetention } from "./postgres-retention.js";

/** Every store of one deployment on one PostgreSQL pool, as `openSqliteState` gives them on one file. */
export interface PostgresState {
  store: PostgresChainStore;
  ledger: PostgresMessageLedger;
  alerts: PostgresAlertStore;
  /** Acknowledged Slack requests whose work comes after the ack. */
  intents: PostgresCommandIntents;
  retention: PostgresRetention;
  /** Ends the pool and waits until every connection is closed. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * Open the PostgreSQL database at `url` (postgres:// or postgresql://) with every store on one
 * pool: the connection string is checked, the missing migrations applied, then the stores share
 * the pool (the chain store owns it). Fails with a BatonError saying what to check:
 * CONFIG_INVALID, DATABASE_UNREACHABLE, DATABASE_ACCESS_DENIED or DATABASE_TOO_NEW.
 */
export async function openPostgresState(url: string, options: OpenPostgresStoreOptions = {}): Promise<PostgresState> {
  const pool = await openMigratedPool(url, options);
  const store = new PostgresChainStore(pool, url);
  const access = new PoolAccess(pool, url);
  const ids = new TimeOrderedIds();
  return {
    store,
    ledger: new PostgresMessageLedger(access),
    alerts: new PostgresAlertStore(access, ids),
    intents: new PostgresCommandIntents(access, ids),
    retention: new PostgresRetention(access),
    close: () => store.closed(),
  };
}
