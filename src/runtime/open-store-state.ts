import type { DatabaseLocation } from "../database-settings.js";
import type { AlertStore, ChainStore, ChangeFeed, CommandIntentStore, Logger, MessageLedger } from "../core/ports.js";
import { SILENT_CHANGE_FEED } from "../core/change-feed.js";
import type { RetentionStore } from "../core/retention.js";
import { openSqliteState } from "../store/open-state.js";
import { LATEST_POSTGRES_SCHEMA_VERSION, openPostgresState, type ServerConnectionLimits } from "../store-postgres/index.js";
import { LATEST_SCHEMA_VERSION } from "../store/migrations.js";

/**
 * Every store port on one database, whichever kind BATON_DB (or DATABASE_URL) names: the chain
 * store, the message ledger, alerts and incidents, command intents, retention, and the feed of
 * changes other processes make (silent on SQLite, whose processes share one host and poll).
 */
export interface StoreState {
  store: ChainStore;
  ledger: MessageLedger;
  alerts: AlertStore;
  intents: CommandIntentStore;
  retention: RetentionStore;
  changes: ChangeFeed;
  /** Which kind of database this is, for logs and metrics. */
  kind: DatabaseLocation["kind"];
  /** The schema version the database was migrated to on opening. */
  schemaVersion: number;
  /** PostgreSQL only: this process's pool size and the server's connection limits, for `baton doctor`. */
  connections?: { poolSize: number; serverLimits(): Promise<ServerConnectionLimits> };
  close(): Promise<void>;
}

export async function openStoreState(database: DatabaseLocation, options: { logger?: Logger } = {}): Promise<StoreState> {
  if (database.kind === "sqlite") {
    const state = openSqliteState(database.path);
    return { ...state, changes: SILENT_CHANGE_FEED, kind: "sqlite", schemaVersion: LATEST_SCHEMA_VERSION, close: async () => state.close() };
  }
  const state = await openPostgresState(database.url, {
    maxConnections: database.poolSize,
    // pg drops a failed idle connection and opens another for the next query; say so once.
    onIdleConnectionError: (error: Error) => options.logger?.warn({ error: error.message }, "a pooled PostgreSQL connection failed; pg replaces it"),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return {
    ...state,
    kind: "postgres",
    schemaVersion: LATEST_POSTGRES_SCHEMA_VERSION,
    connections: { poolSize: state.poolSize, serverLimits: () => state.serverConnectionLimits() },
  };
}

export type { ServerConnectionLimits };
