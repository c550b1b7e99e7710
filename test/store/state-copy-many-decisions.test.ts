import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent, ChainStore } from "../../src/core/ports.js";
import { copyState, type CopyReport } from "../../src/core/state-copy.js";
import { openSqliteStore } from "../../src/store/index.js";
import { KEYS_PER_RUN } from "../../src/store/key-layout.js";
import { openSqliteExport } from "../../src/store/sqlite-export.js";
import { openPostgresImport, openPostgresState, type PostgresState } from "../../src/store-postgres/index.js";
import { skipWithoutPostgres, usePostgresDatabase } from "../support/postgres-test-database.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { approval, event, guardOf, OWNER, runAtCursor, START } from "./chain-store-fixtures.js";

/**
 * A SQLite run numbers its events by event segment from its first decision on: the n-th
 * segment's events are (n + 1) × 2^20 + k (src/store/key-layout.ts). A run asked for changes
 * more than about 2,046 times has numbers past 2^31, which PostgreSQL's `integer` refused
 * (the copy rolled back) until migration 8 made them bigint. Built through the real store API:
 * each round opens an approval and requests changes, as a reviewer would.
 */

const skip = await skipWithoutPostgres("test/store/state-copy-many-decisions.test.ts");

/** The first round whose events are numbered past 2^31, and one more to be sure. */
const ROUNDS = Math.ceil(2 ** 31 / KEYS_PER_RUN) + 1;

async function requestChangesRounds(store: ChainStore, runId: string, rounds: number): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const pending = approval(runId, 1, { round });
    const opened = await store.openApproval({
      guard: guardOf(runId, 1),
      approval: pending,
      at: START + 2000 + round,
      events: [event(runId, "approval.requested", { stepId: pending.stepId, data: { approvalId: pending.id, round } })],
    });
    if (!opened) throw new Error(`setup: round ${String(round)} could not open its approval`);
    const decided = await store.decideApproval({
      approvalId: pending.id,
      status: "changes_requested",
      decidedBy: "U0ONCALL",
      at: START + 2000 + round,
      editedOutput: null,
      comment: `round ${String(round)}: try again`,
      step: null,
      runStatus: "running",
      leaseOwner: OWNER,
      leaseExpiresAt: START + 86_400_000,
      events: [event(runId, "approval.decided", { actor: "U0ONCALL", data: { approvalId: pending.id, round } })],
    });
    if (!decided.applied) throw new Error(`setup: round ${String(round)} could not request changes`);
  }
}

describe.skipIf(skip)("copying a SQLite run with thousands of decisions into PostgreSQL", () => {
  const database = usePostgresDatabase();
  const directory = makeTempDirectory("baton-many-decisions-");
  const path = join(directory.path, "baton.db");
  let runId: string;
  let fromSqlite: AuditEvent[];
  let report: CopyReport;
  let postgres: PostgresState;

  beforeAll(async () => {
    const sqlite = openSqliteStore(path);
    try {
      const run = await runAtCursor(sqlite, 1);
      runId = run.id;
      await requestChangesRounds(sqlite, runId, ROUNDS);
      fromSqlite = await sqlite.listEvents(runId);
    } finally {
      sqlite.close();
    }
    const source = openSqliteExport(path);
    const target = await openPostgresImport(database.url());
    try {
      report = await copyState(source, await target.begin(), { targetName: "the test database" });
    } finally {
      source.close();
      await target.close();
    }
    postgres = await openPostgresState(database.url(), { maxConnections: 4 });
  }, 120_000);

  afterAll(async () => {
    await postgres?.close();
    directory.remove();
  });

  it("the source really has event numbers past 2^31 (else this test proves nothing)", () => {
    const last = fromSqlite.at(-1)?.sequence ?? 0;
    expect(last).toBeGreaterThan(2 ** 31);
    expect(Number.isSafeInteger(last)).toBe(true);
    // run.started, model.call, step.finished, then a request and a decision per round.
    expect(fromSqlite).toHaveLength(3 + 2 * ROUNDS);
  });

  it("commits, and the run's events read back through the PostgreSQL store the same and in order", async () => {
    expect(report).toMatchObject({ committed: true, differing: [] });
    expect(report.target).toEqual(report.source);
    const copied = await postgres.store.listEvents(runId);
    expect(copied).toEqual(fromSqlite);
    const sequences = copied.map((copiedEvent) => copiedEvent.sequence);
    expect(sequences).toEqual([...sequences].sort((left, right) => left - right));
    expect(copied.at(-1)?.data).toEqual(expect.objectContaining({ round: ROUNDS }));
  });

  it("a new event of the copied run is numbered after the last copied one, past 2^31", async () => {
    const last = fromSqlite.at(-1)?.sequence ?? 0;
    await postgres.store.appendEvents([event(runId, "effect.replayed", { actor: null })]);
    const after = await postgres.store.listEvents(runId);
    expect(after).toHaveLength(fromSqlite.length + 1);
    expect(after.at(-1)).toMatchObject({ sequence: last + 1, type: "effect.replayed" });
  });
});
