import { z } from "zod";
import type { ChangeFeed, Logger } from "../core/ports.js";
import { describeError } from "../core/errors.js";
import { TimeOrderedIds } from "../system/ids.js";
import { DEFAULT_MAX_CONNECTIONS, openMigratedPool, type OpenPostgresStoreOptions } from "./migrated-pool.js";
import { PoolAccess } from "./pool-access.js";
import type { PostgresAlertStore } from "./postgres-alert-store.js";
import { newOrigin, PostgresChangeFeed } from "./postgres-change-feed.js";
import type { PostgresChainStore } from "./postgres-chain-store.js";
import { PostgresCommandIntents } from "./postgres-command-intents.js";
import { PostgresMessageLedger } from "./postgres-message-ledger.js";
import { PostgresRetention } from "./postgres-retention.js";
import { parseRow } from "./row-codecs.js";
import { statement } from "./transactions.js";
import { ChangeNotices, NotifyingAlertStore, NotifyingChainStore } from "./notifying-stores.js";

/**
 * What the server lets the role baton connects as open: max_connections less the slots it
 * reserves for superusers and (PostgreSQL 16+; missing before, so 0) for roles with the
 * privileges of pg_use_reserved_connections. A superuser has those privileges too.
 * https://www.postgresql.org/docs/current/runtime-config-connection.html
 */
const CONNECTION_LIMITS = statement(
  "baton_connection_limits",
  `SELECT current_setting('max_connections')::int AS max_connections,
     current_setting('superuser_reserved_connections')::int AS superuser_reserved,
     coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
     (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
     coalesce(pg_has_role(current_user, to_regrole('pg_use_reserved_connections'), 'USAGE'), false) AS uses_reserved`,
);
const connectionLimitsRowSchema = z.object({
  max_connections: z.number().int(),
  superuser_reserved: z.number().int(),
  reserved: z.number().int(),
  superuser: z.boolean(),
  uses_reserved: z.boolean(),
});

/** The server's connection slots, and which of its reserved ones baton's role may take. */
export interface ServerConnectionLimits {
  maxConnections: number;
  /** superuser_reserved_connections: only superusers may take these. */
  superuserReserved: number;
  /** reserved_connections (PostgreSQL 16+, else 0): only roles with pg_use_reserved_connections (and superusers). */
  reserved: number;
  /** Whether the role baton connects as is a superuser: every slot is open to it. */
  superuser: boolean;
  /** Whether it has the privileges of pg_use_reserved_connections (never, before PostgreSQL 16). */
  usesReservedConnections: boolean;
}

/** Every store of one deployment on one PostgreSQL pool, as `openSqliteState` gives them on one file. */
export interface PostgresState {
  store: PostgresChainStore;
  ledger: PostgresMessageLedger;
  alerts: PostgresAlertStore;
  /** Acknowledged Slack requests whose work comes after the ack. */
  intents: PostgresCommandIntents;
  retention: PostgresRetention;
  /** Changes the other processes on this database make (LISTEN/NOTIFY); it connects on the first subscriber. */
  changes: ChangeFeed;
  /** Connections this process's pool may open (the change feed's one is not among them). */
  poolSize: number;
  /** The server's max_connections and its reserved slots: what every replica's pool, feed and tools share. */
  serverConnectionLimits(): Promise<ServerConnectionLimits>;
  /** Ends the pool and waits until every connection is closed. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * Open the PostgreSQL database at `url` (postgres:// or postgresql://) with every store on one
 * pool: the connection string is checked, the missing migrations applied, then the stores share
 * the pool (the chain store owns it). Fails with a BatonError saying what to check:
 * CONFIG_INVALID, DATABASE_UNREACHABLE, DATABASE_ACCESS_DENIED or DATABASE_TOO_NEW.
 */
export async function openPostgresState(url: string, options: OpenPostgresStoreOptions & { logger?: Logger } = {}): Promise<PostgresState> {
  const pool = await openMigratedPool(url, options);
  const origin = newOrigin();
  const notices = new ChangeNotices(pool, origin, (error) =>
    options.logger?.warn({ error: describeError(error) }, "could not tell the other replicas about a change; their timers will find it"),
  );
  const store = new NotifyingChainStore(pool, url, notices);
  const access = new PoolAccess(pool, url);
  const ids = new TimeOrderedIds();
  const changes = new PostgresChangeFeed({ url, origin, ...(options.logger === undefined ? {} : { logger: options.logger }) });
  return {
    store,
    ledger: new PostgresMessageLedger(access),
    alerts: new NotifyingAlertStore(access, ids, notices),
    intents: new PostgresCommandIntents(access, ids),
    retention: new PostgresRetention(access),
    changes,
    poolSize: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    serverConnectionLimits: async () => {
      const [row] = await access.rows(CONNECTION_LIMITS, []);
      const limits = parseRow(connectionLimitsRowSchema, row, "connection settings");
      return {
        maxConnections: limits.max_connections,
        superuserReserved: limits.superuser_reserved,
        reserved: limits.reserved,
        superuser: limits.superuser,
        usesReservedConnections: limits.uses_reserved,
      };
    },
    close: async () => {
      await changes.close();
      await store.closed();
    },
  };
}
