import { afterAll, beforeEach, describe } from "vitest";
import { describeChainStoreContract } from "./chain-store-contract.js";
import type { StoreUnderTest } from "./chain-store-fixtures.js";
import { PostgresChainStore } from "../../src/store-postgres/index.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";

const skip = await skipWithoutPostgres("test/store/postgres-chain-store.test.ts");

/** Every table the chain store writes, emptied before each test so each starts on fresh storage. */
const TABLES = "runs, steps, approvals, events, effects, run_retries, run_lineage";

describe.skipIf(skip)("PostgreSQL", () => {
  const { url, query } = usePostgresDatabase({ migrated: true });
  const stores: PostgresChainStore[] = [];

  beforeEach(async () => {
    // TRUNCATE is not a row DELETE: the audit log's append-only trigger does not fire.
    await query(`TRUNCATE ${TABLES} RESTART IDENTITY`);
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.closed()));
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
