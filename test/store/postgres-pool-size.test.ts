import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { checkConnections, checkDatabase, usableConnections } from "../../src/doctor/database-check.js";
import { openStoreState, type ServerConnectionLimits, type StoreState } from "../../src/runtime/open-store-state.js";
import { randomBytes } from "node:crypto";
import { createTestDatabase, POSTGRES_ADMIN_URL, skipWithoutPostgres, type TestDatabase } from "../support/postgres-test-database.js";

/**
 * BATON_DB_POOL_SIZE as a process sees it: the pool opened through the same path as the bot and
 * the CLI (parseConfig, then openStoreState) opens that many connections and no more, the rest of
 * the queries waiting for one; `baton doctor` weighs it against the server's max_connections less
 * the slots it reserves for roles other than baton's
 * (https://www.postgresql.org/docs/current/runtime-config-connection.html).
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

  async function serverSetting(name: string): Promise<number> {
    return Number((await observer.query<{ value: string }>("SELECT current_setting($1) AS value", [name])).rows[0]?.value);
  }

  it("baton doctor, connecting as a superuser (as here), counts every slot: the reserved ones are open to it", async () => {
    const fits = await checkDatabase(parseConfig({ BATON_DB: database.url, BATON_DB_POOL_SIZE: "10" }).database);
    const serverMaximum = await serverSetting("max_connections");
    expect(fits.map((result) => result.status)).toEqual(["pass", "pass"]);
    expect(fits[1]).toEqual({
      area: "database",
      status: "pass",
      checked: "PostgreSQL connections (BATON_DB_POOL_SIZE)",
      detail: `pool of 10 + 1 for the change feed = 11 per replica; 2 replicas need 22 of the server's max_connections ${String(serverMaximum)} (baton's role is a superuser: the reserved slots are open to it)`,
    });
    const tooMany = await checkDatabase(parseConfig({ BATON_DB: database.url, BATON_DB_POOL_SIZE: "100" }).database);
    expect(tooMany[1]).toMatchObject({ status: "warn", detail: expect.stringContaining("need 202 of the server's max_connections") });
    expect(tooMany[1]?.fix).toContain(`Set BATON_DB_POOL_SIZE to ${String(Math.floor(serverMaximum / 2) - 1)} or less`);
  });

  it("baton doctor, connecting as an ordinary role, leaves out the slots the server reserves for superusers", async () => {
    const role = `baton_test_role_${randomBytes(6).toString("hex")}`;
    const owned = await createTestDatabase();
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      // The database's owner may create tables in its public schema (PostgreSQL 15+), as baton's role must.
      await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`);
      await admin.query(`ALTER DATABASE ${new URL(owned.url).pathname.slice(1)} OWNER TO ${role}`);
      const asRole = new URL(owned.url);
      asRole.username = role;
      const serverMaximum = await serverSetting("max_connections");
      const superuserReserved = await serverSetting("superuser_reserved_connections");
      const usable = serverMaximum - superuserReserved;
      // PostgreSQL 16+ also reserves reserved_connections (0 by default) for pg_use_reserved_connections.
      const reserved = Number(
        (await observer.query<{ value: string | null }>("SELECT current_setting('reserved_connections', true) AS value")).rows[0]?.value ?? 0,
      );
      expect(reserved).toBe(0);

      const fits = await checkDatabase(parseConfig({ BATON_DB: asRole.toString(), BATON_DB_POOL_SIZE: "10" }).database);
      expect(fits.map((result) => result.status)).toEqual(["pass", "pass"]);
      expect(fits[1]?.detail).toBe(
        `pool of 10 + 1 for the change feed = 11 per replica; 2 replicas need 22 of the ${String(usable)} connections the server lets baton's role open ` +
          `(max_connections ${String(serverMaximum)} less ${String(superuserReserved)} superuser_reserved_connections)`,
      );
      // The largest pool that fits the role's share: a superuser could take one more per replica here.
      const largest = Math.floor(usable / 2) - 1;
      const tooMany = await checkDatabase(parseConfig({ BATON_DB: asRole.toString(), BATON_DB_POOL_SIZE: String(largest + 1) }).database);
      expect(tooMany[1]).toMatchObject({ status: "warn", detail: expect.stringMatching(/superuser_reserved_connections\): more than it allows$/) });
      expect(tooMany[1]?.fix).toContain(`Set BATON_DB_POOL_SIZE to ${String(largest)} or less`);
      const justFits = await checkDatabase(parseConfig({ BATON_DB: asRole.toString(), BATON_DB_POOL_SIZE: String(largest) }).database);
      expect(justFits[1]?.status).toBe("pass");
    } finally {
      await owned.drop();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});

/** A server with PostgreSQL's defaults (100 slots, 3 for superusers) unless told otherwise. */
function limits(overrides: Partial<ServerConnectionLimits> = {}): ServerConnectionLimits {
  return { maxConnections: 100, superuserReserved: 3, reserved: 0, superuser: false, usesReservedConnections: false, ...overrides };
}

describe("the doctor's connection arithmetic", () => {
  it("two replicas of pool + 1 each against what an ordinary role may open: 47 fits 100 less 3 for superusers, 48 does not and names 47", () => {
    expect(checkConnections(47, limits()).status).toBe("pass");
    expect(checkConnections(48, limits())).toEqual({
      area: "database",
      status: "warn",
      checked: "PostgreSQL connections (BATON_DB_POOL_SIZE)",
      detail:
        "pool of 48 + 1 for the change feed = 49 per replica; 2 replicas need 98 of the 97 connections the server lets baton's role open " +
        "(max_connections 100 less 3 superuser_reserved_connections): more than it allows",
      fix: "Set BATON_DB_POOL_SIZE to 47 or less, or raise max_connections on the server (postgresql.conf; it takes a restart), leaving room for baton's CLI, store copy and your own sessions.",
    });
  });

  it("a superuser may take the reserved slots: 49 fits 100, 50 does not and names 49", () => {
    expect(checkConnections(49, limits({ superuser: true, reserved: 10 })).status).toBe("pass");
    expect(checkConnections(50, limits({ superuser: true, reserved: 10 }))).toMatchObject({
      status: "warn",
      detail:
        "pool of 50 + 1 for the change feed = 51 per replica; 2 replicas need 102 of the server's max_connections 100 " +
        "(baton's role is a superuser: the reserved slots are open to it): more than it allows",
      fix: expect.stringMatching(/^Set BATON_DB_POOL_SIZE to 49 or less/),
    });
  });

  it("PostgreSQL 16+: reserved_connections are left out too, unless the role has pg_use_reserved_connections", () => {
    const withReserved = limits({ reserved: 10 });
    expect(usableConnections(withReserved)).toEqual({ usable: 87, reservedForOthers: ["3 superuser_reserved_connections", "10 reserved_connections"] });
    expect(checkConnections(42, withReserved).status).toBe("pass");
    expect(checkConnections(43, withReserved)).toMatchObject({
      status: "warn",
      detail: expect.stringContaining(
        "need 88 of the 87 connections the server lets baton's role open (max_connections 100 less 3 superuser_reserved_connections and 10 reserved_connections)",
      ),
      fix: expect.stringMatching(/^Set BATON_DB_POOL_SIZE to 42 or less/),
    });
    const privileged = limits({ reserved: 10, usesReservedConnections: true });
    expect(usableConnections(privileged)).toEqual({ usable: 97, reservedForOthers: ["3 superuser_reserved_connections"] });
    expect(checkConnections(47, privileged).status).toBe("pass");
    // Nothing reserved: the detail names max_connections alone, not "less 0 …".
    expect(checkConnections(10, limits({ superuserReserved: 0 })).detail).toBe(
      "pool of 10 + 1 for the change feed = 11 per replica; 2 replicas need 22 of the server's max_connections 100",
    );
  });

  it("a server too small for even the smallest pool says to raise max_connections", () => {
    expect(checkConnections(2, limits({ maxConnections: 5 })).fix).toMatch(/^Raise max_connections on the server/);
    // Reserved slots beyond max_connections leave none, never a negative count.
    expect(usableConnections(limits({ maxConnections: 5, superuserReserved: 3, reserved: 4 })).usable).toBe(0);
  });
});
