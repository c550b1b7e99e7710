// The PostgreSQL side of the bench, shared by both engines so their connections cannot differ:
// the server, a throw-away database per scenario (created here, dropped with FORCE at the end),
// one pool shape for both, and a round-trip counter on the pool's connections.
//
// The server is the local one (127.0.0.1:5432, trust authentication, user postgres) unless
// BATON_BENCH_POSTGRES_URL names another; that URL must name a database the user may
// CREATE DATABASE from. Nothing here changes the server's settings: synchronous_commit and
// fsync stay as the server has them, for both engines alike.

import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_ADMIN_URL = process.env.BATON_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The server as a message may name it: host and port, never a password. */
export const postgresHost = () => new URL(POSTGRES_ADMIN_URL).host;

/** Why the server cannot be used (undefined when it answers within two seconds). */
export async function postgresUnreachableReason() {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function administer(sql) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The server's version and the settings that decide what a commit costs. */
export async function serverSettings() {
  const { rows } = await administer(
    "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'shared_buffers') ORDER BY name",
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

const created = new Set();

/**
 * A new, empty database `baton_bench_<label>_<random>` on the server. `drop()` removes it;
 * `dropAll()` removes every one this process made (the workload scripts call it in `finally`).
 */
export async function createBenchDatabase(label) {
  const name = `baton_bench_${label.replace(/[^a-z0-9_]/g, "_")}_${randomBytes(4).toString("hex")}`;
  await administer(`CREATE DATABASE ${name}`);
  created.add(name);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      created.delete(name);
      // FORCE (PostgreSQL 13+): a pool left open does not keep the database alive.
      await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Writes every dirty buffer of the server out now, so a timed scenario does not start by paying
 * for the previous one's writes (the other engine's, as often as not): each starts just after
 * a checkpoint, with the same full-page images to write.
 */
export async function checkpointServer() {
  await administer("CHECKPOINT");
}

// Interrupted (Ctrl-C, or run.mjs ended): drop this process's databases before going.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    dropAll().finally(() => process.exit(130));
  });
}

export async function dropAll() {
  for (const name of [...created]) {
    created.delete(name);
    await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}

/**
 * The pool both engines get: the settings openPostgresStore uses (10 connections, 10 s to get
 * one). LangGraph's PostgresSaver takes a pool as it is; baton's store is built on it as
 * openPostgresStore builds it on its own.
 */
export function benchPool(url) {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, application_name: "baton-bench" });
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Counts what every connection of `pool` sends, from now on (call it on a new pool): each
 * `query` is one round trip (pg sends a statement and waits for its answer). `BEGIN`,
 * `COMMIT` and `ROLLBACK` are counted apart, and so are the statements run outside a
 * transaction block: each is its own transaction, so one that writes (anything but a SELECT)
 * is a durable commit of its own, as a COMMIT is.
 */
export function countRoundTrips(pool) {
  const counts = {
    round_trips: 0,
    begin: 0,
    commit: 0,
    rollback: 0,
    statements_in_transactions: 0,
    autocommit_statements: 0,
    autocommit_writes: 0,
    by_statement: {},
  };
  pool.on("connect", (client) => {
    const query = client.query.bind(client);
    let inBlock = false;
    client.query = (config, ...rest) => {
      const text = (typeof config === "string" ? config : config.text).trim();
      const keyword = text.slice(0, 8).toUpperCase();
      counts.round_trips += 1;
      if (keyword.startsWith("BEGIN")) {
        counts.begin += 1;
        inBlock = true;
      } else if (keyword.startsWith("COMMIT") || keyword.startsWith("ROLLBACK")) {
        counts[keyword.startsWith("COMMIT") ? "commit" : "rollback"] += 1;
        inBlock = false;
      } else {
        counts[inBlock ? "statements_in_transactions" : "autocommit_statements"] += 1;
        if (!inBlock && !/^select\b/i.test(text)) counts.autocommit_writes += 1;
        const label = statementLabel(config, text);
        counts.by_statement[label] = (counts.by_statement[label] ?? 0) + 1;
      }
      return query(config, ...rest);
    };
  });
  return counts;
}

/** Back to zero (after the untimed set-up of a database, which is not a chain's work). */
export function resetCounts(counts) {
  for (const key of Object.keys(counts)) counts[key] = key === "by_statement" ? {} : 0;
}

/** A statement's name if it has one, else its first words (table names included). */
function statementLabel(config, text) {
  if (typeof config === "object" && config.name) return config.name;
  const words = text.replace(/\s+/g, " ").split(" ");
  const stop = words.findIndex((word, index) => index > 0 && /^(VALUES|SET|WHERE|\()/i.test(word));
  return words
    .slice(0, stop > 0 ? Math.min(stop, 4) : 4)
    .join(" ")
    .replace(/"/g, "");
}

/** The counts divided by `n` (chains), rounded to hundredths. */
export function perChainCounts(counts, n) {
  const per = (value) => Math.round((value / n) * 100) / 100;
  return Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [
      key,
      typeof value === "number" ? per(value) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, per(v)])),
    ]),
  );
}

/** Bytes of every table of the database with its indexes and TOAST, per table and in total. */
export async function databaseBytes(pool) {
  const { rows } = await pool.query(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY bytes DESC`,
  );
  const tables = Object.fromEntries(rows.map((row) => [row.name, Number(row.bytes)]));
  return { total: Object.values(tables).reduce((sum, bytes) => sum + bytes, 0), tables };
}
