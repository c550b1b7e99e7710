import { join } from "node:path";
import { describeChainStoreContract } from "./chain-store-contract.js";
import type { StoreUnderTest } from "./chain-store-fixtures.js";
import type { ChainStore } from "../../src/core/ports.js";
import { openSqliteStore } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";

describeChainStoreContract("SqliteChainStore on a file", (): StoreUnderTest => {
  const directory = makeTempDirectory("baton-store-");
  const path = join(directory.path, "baton.db");
  const opened: ChainStore[] = [openSqliteStore(path)];
  return {
    store: opened[0] as ChainStore,
    connectAgain() {
      const store = openSqliteStore(path);
      opened.push(store);
      return store;
    },
    dispose() {
      for (const store of opened) store.close();
      directory.remove();
    },
  };
});
