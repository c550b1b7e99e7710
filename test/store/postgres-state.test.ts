import { z } from "zod";
import { beforeEach, describe } from "vitest";
import { openPostgresState, type PostgresState } from "../../src/store-postgres/index.js";
import { skipWithoutPostgres, usePostgresDatabase } from "../support/postgres-test-database.js";
import { describeAlertStoreContract } from "./alert-store-contract.js";
import { describeCommandIntentsContract } from "./command-intents-contract.js";
import { describeIncidentOutboxContract } from "./incident-outbox-contract.js";
import { describeMessageLedgerContract } from "./message-ledger-contract.js";
import { describeRetentionContract } from "./retention-contract.js";
import type { StateUnderTest } from "./state-under-test.js";

/**
 * The state contracts on PostgreSQL: `openPostgresState` on a throw-away database, a second pool
 * for "another replica". Tables are emptied before each test.
 */

const skip = await skipWithoutPostgres("test/store/postgres-state.test.ts");

/** Every table baton writes. TRUNCATE is not a row DELETE: the audit log's trigger does not fire. */
const TABLES =
  "runs, steps, approvals, events, effects, run_retries, run_lineage, posted_messages, deliveries, incidents, incident_alerts, " +
  "incident_updates, command_intents, retention_log";

const countSchema = z.object({ count: z.coerce.number() });

describe.skipIf(skip)("PostgreSQL", () => {
  const { url, query } = usePostgresDatabase({ migrated: true });

  beforeEach(async () => {
    await query(`TRUNCATE ${TABLES} RESTART IDENTITY`);
  });

  const makePostgresState = async (): Promise<StateUnderTest> => {
    const opened: PostgresState[] = [await openPostgresState(url(), { maxConnections: 4 })];
    const first = opened[0] as PostgresState;
    return {
      ...first,
      async connectAgain() {
        const state = await openPostgresState(url(), { maxConnections: 4 });
        opened.push(state);
        return state;
      },
      async countRows(table) {
        const [row] = await query(`SELECT count(*) AS count FROM ${table}`);
        return countSchema.parse(row).count;
      },
      async dispose() {
        await Promise.all(opened.map((state) => state.close()));
      },
    };
  };

  const name = "PostgreSQL on a throw-away database";
  describeMessageLedgerContract(name, makePostgresState);
  describeAlertStoreContract(name, makePostgresState);
  describeIncidentOutboxContract(name, makePostgresState);
  describeCommandIntentsContract(name, makePostgresState);
  describeRetentionContract(name, makePostgresState);
});
