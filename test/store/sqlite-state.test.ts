import { join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { describeAlertStoreContract } from "./alert-store-contract.js";
import { describeCommandIntentsContract } from "./command-intents-contract.js";
import { describeIncidentOutboxContract } from "./incident-outbox-contract.js";
import { describeMessageLedgerContract } from "./message-ledger-contract.js";
import { describeRetentionContract } from "./retention-contract.js";
import type { StateUnderTest } from "./state-under-test.js";

/** The state contracts on SQLite: `openSqliteState` on a real file, a second connection for "another process". */

const countSchema = z.object({ count: z.number() });

async function makeSqliteState(): Promise<StateUnderTest> {
  const directory = makeTempDirectory("baton-state-");
  const path = join(directory.path, "baton.db");
  const opened: SqliteState[] = [openSqliteState(path)];
  const first = opened[0] as SqliteState;
  return {
    ...first,
    async connectAgain() {
      const state = openSqliteState(path);
      opened.push(state);
      return state;
    },
    async countRows(table) {
      const reader = new Database(path, { readonly: true });
      try {
        return countSchema.parse(reader.prepare(`SELECT count(*) AS count FROM ${table}`).get()).count;
      } finally {
        reader.close();
      }
    },
    async dispose() {
      for (const state of opened) state.close();
      directory.remove();
    },
  };
}

const name = "SQLite on a file";
describeMessageLedgerContract(name, makeSqliteState);
describeAlertStoreContract(name, makeSqliteState);
describeIncidentOutboxContract(name, makeSqliteState);
describeCommandIntentsContract(name, makeSqliteState);
describeRetentionContract(name, makeSqliteState);
