import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { applyPostgresMigrations } from "../../src/store-postgres/index.js";

/**
 * Throw-away PostgreSQL databases for the tests that need a server: one per test file, created
 * through the `postgres` database and dropped after. The server is the one every development
 * and CI machine runs (127.0.0.1:5432, trust authentication); BATON_TEST_POSTGRES_URL points
 * elsewhere (it must name a database the user may CREATE DATABASE from).
 */

export const POSTGRES_ADMIN_URL = process.env.BATON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Under CI a missing PostgreSQL fails the suites that need it; elsewhere they are skipped. */
export const POSTGRES_REQUIRED = process.env.CI === "true";

/** Whether the server answers, within two seconds. */
export async function isPostgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether to skip this file's PostgreSQL suites: only when the server is not there and CI is
 * not set, and then with one line saying how to run them.
 */
export async function skipWithoutPostgres(file: string): Promise<boolean> {
  if (POSTGRES_REQUIRED || (await isPostgresReachable())) return false;
  console.warn(
    `${file}: PostgreSQL suites skipped: no server at ${new URL(POSTGRES_ADMIN_URL).host}. Start one ` +
      "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set BATON_TEST_POSTGRES_URL; under CI=true they fail instead.",
  );
  return true;
}

export interface TestDatabase {
  /** The connection string of the new database. */
  url: string;
  /** Drops the database, closing whatever connections are left on it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `baton_test_${randomBytes(6).toString("hex")}`;
  await administer(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE (PostgreSQL 13+): a pool a test left open does not keep the database alive.
    drop: () => administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A pool on the database, for a store under test; an idle connection's error is not fatal. */
export function testPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => undefined);
  return pool;
}

export interface PostgresTestDatabaseOptions {
  /** Apply baton's migrations right after creating the database. */
  migrated?: boolean;
  /** A new database for each test (created before it, dropped after) instead of one per file. */
  perTest?: boolean;
}

export interface UsedPostgresDatabase {
  /** The current database's connection string; throws when creating it failed (so the test says why). */
  url(): string;
  /** One statement on a short-lived pool; its rows. */
  query(sql: string): Promise<unknown[]>;
}

/**
 * A throw-away database for the enclosing suite: registers the hooks that create it (migrated
 * when asked) and drop it, and returns an accessor. Call it first in the suite: vitest runs
 * after-hooks in reverse ("stack"), so the suite's own clean-up (closing its stores and pools)
 * runs before the drop. Keep the file's `skipWithoutPostgres` check on the suite.
 */
export function usePostgresDatabase(options: PostgresTestDatabaseOptions = {}): UsedPostgresDatabase {
  let database: TestDatabase | undefined;
  const create = async (): Promise<void> => {
    const created = await createTestDatabase();
    database = created;
    if (options.migrated) await withPool(created.url, (pool) => applyPostgresMigrations(pool, created.url));
  };
  const drop = async (): Promise<void> => {
    await database?.drop();
    database = undefined;
  };
  if (options.perTest) {
    beforeEach(create);
    afterEach(drop);
  } else {
    beforeAll(create);
    afterAll(drop);
  }
  const url = (): string => {
    if (database === undefined) throw new Error("no test database: creating it failed (see the hook's error above)");
    return database.url;
  };
  return {
    url,
    query: (sql) => withPool(url(), async (pool) => (await pool.query(sql)).rows as unknown[]),
  };
}

async function withPool<Result>(url: string, work: (pool: pg.Pool) => Promise<Result>): Promise<Result> {
  const pool = testPool(url);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function administer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
