import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { describeChainStoreContract } from "./chain-store-contract.js";
import type { StoreUnderTest } from "./chain-store-fixtures.js";
import { applyPostgresMigrations, PostgresChainStore } from "../../src/store-postgres/index.js";
import { createTestDatabase, skipWithoutPostgres, testPool, type TestDatabase } from "../support/postgres-test-database.js";

const skip = await skipWithoutPostgres("test/store/postgres-chain-store.test.ts");

/** Every table the chain store writes, emptied before each test so each starts on fresh storage. */
const TABLES = "runs, steps, approvals, events, effects, run_retries, run_lineage";

describe.skipIf(skip)("PostgreSQL", () => {
  let database: TestDatabase | undefined;
  const stores: PostgresChainStore[] = [];
  const url = (): string => {
    if (database === undefined) throw new Error("no test database: beforeAll failed");
    return database.url;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = testPool(database.url);
    try {
      await applyPostgresMigrations(pool, database.url);
    } finally {
      await pool.end();
    }
  });

  beforeEach(async () => {
    const pool = testPool(url());
    try {
      // TRUNCATE is not a row DELETE: the audit log's append-only trigger does not fire.
      await pool.query(`TRUNCATE ${TABLES} RESTART IDENTITY`);
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.closed()));
    await database?.drop();
  });

  describeChainStoreContract("PostgresChainStore on a throw-away database", (): StoreUnderTest => {
    const open = (): PostgresChainStore => {
      const store = new PostgresChainStore(testPool(url()), url());
      stores.push(store);
      return store;
    };
    const opened = [open()];
    return {
      store: opened[0] as PostgresChainStore,
      connectAgain() {
        const store = open();
        opened.push(store);
        return store;
      },
      dispose() {
        for (const store of opened) store.close();
      },
    };
  });
});
