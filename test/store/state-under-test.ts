import { afterEach, beforeEach } from "vitest";
import type { AlertStore, ChainStore, CommandIntentStore, MessageLedger } from "../../src/core/ports.js";
import type { RetentionStore } from "../../src/core/retention.js";

/**
 * One implementation of the state ports (ledger, alerts, intents, retention, beside the chain
 * store) under test, on fresh storage: SQLite (`openSqliteState` on a file) or PostgreSQL
 * (`openPostgresState` on a throw-away database). The contract modules beside this file run
 * unchanged against each.
 */

export interface StatePorts {
  store: ChainStore;
  ledger: MessageLedger;
  alerts: AlertStore;
  intents: CommandIntentStore;
  retention: RetentionStore;
}

export interface StateUnderTest extends StatePorts {
  /** Another connection (SQLite) or pool (PostgreSQL) on the same storage, as a second process would have. */
  connectAgain(): Promise<StatePorts>;
  /** How many rows a table holds, read past the ports (to check that something is gone, not hidden). */
  countRows(table: "incident_updates" | "command_intents" | "retention_log" | "deliveries"): Promise<number>;
  /** Close every connection and delete the storage. */
  dispose(): Promise<void>;
}

/** The state of the current test, set up and disposed around each test. */
export interface StateContext {
  readonly state: StateUnderTest;
}

export function useState(makeState: () => Promise<StateUnderTest>): StateContext {
  let current: StateUnderTest | undefined;
  beforeEach(async () => {
    current = await makeState();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return {
    get state() {
      if (current === undefined) throw new Error("no state: used outside a test");
      return current;
    },
  };
}
