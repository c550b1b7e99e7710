import { resolve } from "node:path";
import { describeError, isBatonError } from "../core/errors.js";
import type { DatabaseLocation } from "../database-settings.js";
import { openStoreState, type ServerConnectionLimits } from "../runtime/open-store-state.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";

/**
 * Replicas the connection check assumes: the fewest that keep the bot up while one restarts.
 * A deployment that runs more needs the same sum per replica (docs/postgres.md).
 */
export const ASSUMED_REPLICAS = 2;

/**
 * The database opens (and is migrated: opening applies migrations), and takes a write: a write
 * that changes nothing still needs SQLite's write lock, so a read-only file or a full disk fails
 * it; on PostgreSQL it proves the role may write the tables, and the pools fit the server.
 */
export async function checkDatabase(database: DatabaseLocation): Promise<CheckResult[]> {
  const checked = database.kind === "sqlite" ? `database ${resolve(database.path)} (BATON_DB)` : `PostgreSQL database ${database.shown}`;
  try {
    const state = await openStoreState(database);
    let serverLimits: ServerConnectionLimits | undefined;
    try {
      await state.ledger.releaseClaim("doctor-probe");
      serverLimits = await state.connections?.serverLimits();
    } finally {
      await state.close();
    }
    const opened = passed("database", checked, `writable; migrated to schema version ${String(state.schemaVersion)}`);
    return state.connections === undefined || serverLimits === undefined ? [opened] : [opened, checkConnections(state.connections.poolSize, serverLimits)];
  } catch (error) {
    // The store's errors already say what to do; the first sentence is the problem.
    const message = describeError(error);
    const fix =
      database.kind === "sqlite" ? "Set BATON_DB to a file in a folder baton can write." : "Check BATON_DB (or DATABASE_URL) and that the server is running.";
    return [failed("database", checked, isBatonError(error) ? error.code : "could not open it", isBatonError(error) ? message : `${message}. ${fix}`)];
  }
}

/**
 * The slots the server lets baton's role take: max_connections less what it reserves for others.
 * superuser_reserved_connections are for superusers, reserved_connections (PostgreSQL 16+) for
 * roles with pg_use_reserved_connections (superusers included); a role that may not take them
 * is refused once only they are free, so they are not its to plan on.
 * https://www.postgresql.org/docs/current/runtime-config-connection.html
 */
export function usableConnections(limits: ServerConnectionLimits): { usable: number; reservedForOthers: string[] } {
  if (limits.superuser) return { usable: limits.maxConnections, reservedForOthers: [] };
  const reservedForOthers: string[] = [];
  let usable = limits.maxConnections;
  if (limits.superuserReserved > 0) {
    reservedForOthers.push(`${String(limits.superuserReserved)} superuser_reserved_connections`);
    usable -= limits.superuserReserved;
  }
  if (!limits.usesReservedConnections && limits.reserved > 0) {
    reservedForOthers.push(`${String(limits.reserved)} reserved_connections`);
    usable -= limits.reserved;
  }
  return { usable: Math.max(usable, 0), reservedForOthers };
}

/**
 * Each replica holds its pool plus the change feed's own connection; two replicas must fit in
 * the slots the server lets baton's role open, or the last to connect waits and then fails its
 * queries.
 */
export function checkConnections(poolSize: number, limits: ServerConnectionLimits): CheckResult {
  const checked = "PostgreSQL connections (BATON_DB_POOL_SIZE)";
  const perReplica = poolSize + 1;
  const needed = perReplica * ASSUMED_REPLICAS;
  const { usable, reservedForOthers } = usableConnections(limits);
  const available =
    reservedForOthers.length === 0
      ? `the server's max_connections ${String(limits.maxConnections)}${limits.superuser ? " (baton's role is a superuser: the reserved slots are open to it)" : ""}`
      : `the ${String(usable)} connections the server lets baton's role open (max_connections ${String(limits.maxConnections)} less ${reservedForOthers.join(" and ")})`;
  const detail = `pool of ${String(poolSize)} + 1 for the change feed = ${String(perReplica)} per replica; ${String(ASSUMED_REPLICAS)} replicas need ${String(needed)} of ${available}`;
  if (needed <= usable) return passed("database", checked, detail);
  const largestPool = Math.floor(usable / ASSUMED_REPLICAS) - 1;
  const lower = largestPool >= 2 ? `Set BATON_DB_POOL_SIZE to ${String(largestPool)} or less, or raise` : "Raise";
  return warned(
    "database",
    checked,
    `${detail}: more than it allows`,
    `${lower} max_connections on the server (postgresql.conf; it takes a restart), leaving room for baton's CLI, store copy and your own sessions.`,
  );
}
