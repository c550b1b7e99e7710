import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { checkConnections, checkDatabase } from "../../src/doctor/database-check.js";
import { openStoreState, type StoreState } from "../../src/runtime/open-store-state.js";
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from "../support/postgres-test-database.js";

/**
 * BATON_DB_POOL_SIZE as a process sees it: the pool opened through the same path as the bot and
 * the CLI (parseConfig, then openStoreState) opens that many connections and no more, the rest of
 * the queries waiting for one; `baton doctor` weighs it against the server's max_connections.
 */

const skip = await skipWithoutPostgres("test/store/postgres-pool-size.test.ts");

async function sleep(milliseconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe.skipIf(skip)("BATON_DB_POOL_SIZE on PostgreSQL", () => {
  let database: TestDatabase;
  let locker: pg.Client;
  // Not the locker: inside its transaction pg_stat_activity would stay the snapshot of its first read.
  let observer: pg.Client;
  const states: StoreState[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    locker = new pg.Client({ connectionString: database.url, application_name: "pool-size test" });
    await locker.connect();
    observer = new pg.Client({ connectionString: database.url, application_name: "pool-size test" });
    await observer.connect();
  });
  afterEach(async () => {
    await Promise.all(states.splice(0).map((state) => state.close()));
  });
  afterAll(async () => {
    await locker?.end();
    await observer?.end();
    await database?.drop();
  });

  /** baton's connections to the test database, and how many of them wait for a lock. */
  async function batonConnections(): Promise<{ open: number; waiting: number }> {
    const result = await observer.query<{ open: string; waiting: string }>(
      `SELECT count(*) AS open, count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting
       FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'baton'`,
    );
    const row = result.rows[0];
    return { open: Number(row?.open), waiting: Number(row?.waiting) };
  }

  async function openWithPoolSize(size: string): Promise<StoreState> {
    const state = await openStoreState(parseConfig({ BATON_DB: database.url, BATON_DB_POOL_SIZE: size }).database);
    states.push(state);
    return state;
  }

  it.each([
    ["2", 2],
    ["4", 4],
  ])("a pool of %s: that many queries hold a connection while the runs table is locked, the others wait for one", async (size, expected) => {
    const state = await openWithPoolSize(size);
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE");
    const reads = Array.from({ length: 6 }, (_, index) => state.store.getRun(`r_missing_${String(index)}`));
    try {
      for (let attempt = 0; attempt < 100 && (await batonConnections()).waiting < expected; attempt += 1) await sleep(50);
      expect(await batonConnections()).toEqual({ open: expected, waiting: expected });
      // The other reads wait in the pool's queue, not on a connection of their own.
      await sleep(300);
      expect(await batonConnections()).toEqual({ open: expected, waiting: expected });
    } finally {
      await locker.query("COMMIT");
    }
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 6 }, () => undefined));
    expect((await batonConnections()).open).toBe(expected);
  });

  it("baton doctor passes a pool whose two replicas fit, and warns with the pool that would when they do not", async () => {
    const fits = await checkDatabase(parseConfig({ BATON_DB: database.url, BATON_DB_POOL_SIZE: "10" }).database);
    const serverMaximum = Number((await observer.query<{ max_connections: string }>("SHOW max_connections")).rows[0]?.max_connections);
    expect(fits.map((result) => result.status)).toEqual(["pass", "pass"]);
    expect(fits[1]).toEqual({
      area: "database",
      status: "pass",
      checked: "PostgreSQL connections (BATON_DB_POOL_SIZE)",
      detail: `pool of 10 + 1 for the change feed = 11 per replica; 2 replicas need 22 of the server's max_connections ${String(serverMaximum)}`,
    });
    const tooMany = await checkDatabase(parseConfig({ BATON_DB: database.url, BATON_DB_POOL_SIZE: "100" }).database);
    expect(tooMany[1]).toMatchObject({ status: "warn", detail: expect.stringContaining("need 202 of the server's max_connections") });
    expect(tooMany[1]?.fix).toContain(`Set BATON_DB_POOL_SIZE to ${String(Math.floor(serverMaximum / 2) - 1)} or less`);
  });
});

describe("the doctor's connection arithmetic", () => {
  it("two replicas of pool + 1 each against max_connections: 49 fits 100, 50 does not and names 49", () => {
    expect(checkConnections(49, 100).status).toBe("pass");
    const warning = checkConnections(50, 100);
    expect(warning).toEqual({
      area: "database",
      status: "warn",
      checked: "PostgreSQL connections (BATON_DB_POOL_SIZE)",
      detail: "pool of 50 + 1 for the change feed = 51 per replica; 2 replicas need 102 of the server's max_connections 100: more than it allows",
      fix: "Set BATON_DB_POOL_SIZE to 49 or less, or raise max_connections on the server (postgresql.conf; it takes a restart), leaving room for baton's CLI, store copy and your own sessions.",
    });
  });

  it("a server too small for even the smallest pool says to raise max_connections", () => {
    expect(checkConnections(2, 5).fix).toMatch(/^Raise max_connections on the server/);
  });
});
