import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BatonError, isBatonError } from "../../src/core/errors.js";
import { COPIED_TABLES, copyState, emptyCounts, type StateImport, type StateSnapshot } from "../../src/core/state-copy.js";
import { openSqliteState } from "../../src/store/open-state.js";
import { openSqliteExport } from "../../src/store/sqlite-export.js";
import { IMPORT_APPLICATION_NAME, openPostgresImport } from "../../src/store-postgres/index.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { buildSource, recordsOf, remediate } from "./state-copy-source.js";

/** What `baton store copy`'s halves do with bad inputs: what the user is told, and that nothing was lost or half-written. */

async function failure(promise: Promise<unknown>): Promise<BatonError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isBatonError(error)) throw new Error(`expected a BatonError, got ${String(error)}`);
  return error;
}

function run(id: string, at: number, leaseExpiresAt: number) {
  return { id, chainId: "remediate", stepCount: 3, input: {}, startedBy: "U", origin: null, at, leaseOwner: "host:1:aa", leaseExpiresAt };
}

describe("the SQLite source", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => directory.remove());

  it("a missing file is refused, naming it and --from, and nothing is created", async () => {
    const path = join(directory.path, "missing", "baton.db");
    const error = await failure(Promise.resolve().then(() => openSqliteExport(path)));
    expect(error.code).toBe("DATABASE_NOT_FOUND");
    expect(error.message).toContain(path);
    expect(error.message).toContain("--from");
    expect(existsSync(join(directory.path, "missing"))).toBe(false);
  });

  it("a directory, an empty file and a file that is no database are refused and left as they were", async () => {
    expect((await failure(Promise.resolve().then(() => openSqliteExport(directory.path)))).message).toContain("directory");
    const empty = join(directory.path, "empty.db");
    writeFileSync(empty, "");
    const notBaton = await failure(Promise.resolve().then(() => openSqliteExport(empty)));
    expect(notBaton.code).toBe("DATABASE_NOT_FOUND");
    expect(notBaton.message).toContain("not a baton database");
    expect(statSync(empty).size).toBe(0);
    const garbage = join(directory.path, "notes.db");
    writeFileSync(garbage, "these are my notes, not a database ".repeat(100));
    expect((await failure(Promise.resolve().then(() => openSqliteExport(garbage)))).code).toBe("DATABASE_CORRUPT");
    expect(readFileSync(garbage, "utf8")).toBe("these are my notes, not a database ".repeat(100));
  });

  it("reads one snapshot: what is written after it opened is not in it", async () => {
    const path = join(directory.path, "baton.db");
    const state = openSqliteState(path);
    try {
      const now = Date.now();
      await state.store.createRun(run("r_before", now, now + 60_000), []);
      const snapshot = openSqliteExport(path, { pageSize: 1 });
      try {
        await state.store.createRun(run("r_after", now, now - 1), []);
        await state.intents.recordIntent({ kind: "review", payload: {}, at: now });
        expect(await snapshot.counts()).toEqual({ ...emptyCounts(), runs: 1 });
        const records = await recordsOf(snapshot);
        expect(records.get("runs")).toEqual([expect.objectContaining({ run: expect.objectContaining({ id: "r_before" }) })]);
        expect(records.get("command_intents")).toEqual([]);
        // A run under a lease that has not expired: a bot may still be running it.
        expect(await snapshot.countLiveLeases(now)).toBe(1);
      } finally {
        snapshot.close();
      }
    } finally {
      state.close();
    }
  });
});

const skip = await skipWithoutPostgres("test/store/state-copy-failures.test.ts");

describe.skipIf(skip)("the PostgreSQL target", () => {
  const database = usePostgresDatabase({ perTest: true });
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness([remediate]);
    await buildSource(harness);
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  /** Copy the harness's database into the test database, through `wrap` when given. */
  async function copy(wrap: { source?: (snapshot: StateSnapshot) => StateSnapshot; target?: (transaction: StateImport) => StateImport } = {}) {
    const source = openSqliteExport(harness.databasePath, { pageSize: 5 });
    const target = await openPostgresImport(database.url());
    try {
      const transaction = await target.begin();
      return await copyState(wrap.source?.(source) ?? source, wrap.target?.(transaction) ?? transaction, { targetName: "the test database" });
    } finally {
      source.close();
      await target.close();
    }
  }

  async function targetCounts() {
    const target = await openPostgresImport(database.url());
    try {
      return await target.counts();
    } finally {
      await target.close();
    }
  }

  it("a target that holds runs is refused, saying how many; nothing is added to it", async () => {
    const first = await copy();
    expect(first.committed).toBe(true);
    const error = await failure(copy());
    expect(error.code).toBe("DATABASE_NOT_EMPTY");
    expect(error.message).toContain(`${String(first.source.runs)} runs`);
    expect(error.message).toContain("empty database");
    expect(await targetCounts()).toEqual(first.source);
  });

  it("an unreachable target is DATABASE_UNREACHABLE, named without its password", async () => {
    const error = await failure(openPostgresImport("postgres://baton:s3cret-pw@127.0.0.1:1/baton", { connectionTimeoutMs: 3_000 }));
    expect(error.code).toBe("DATABASE_UNREACHABLE");
    expect(error.message).toContain("postgres://baton@127.0.0.1:1/baton");
    expect(error.message).not.toContain("s3cret-pw");
  });

  it("a copy whose connection is killed half-way fails as DATABASE_UNREACHABLE and leaves the target empty", async () => {
    const admin = testPool(database.url());
    let killed = 0;
    const killAfterFirstEventsPage = (snapshot: StateSnapshot): StateSnapshot => ({
      counts: () => snapshot.counts(),
      countLiveLeases: (now) => snapshot.countLiveLeases(now),
      async *pages() {
        for await (const page of snapshot.pages()) {
          yield page;
          if (page.table !== "events" || killed > 0) continue;
          const result = await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
            [IMPORT_APPLICATION_NAME],
          );
          killed = result.rowCount ?? 0;
          // While the copy waits for the next page, as it does while SQLite reads: pg hears of the
          // end between queries, and the next write finds the connection unusable.
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      },
    });
    try {
      const error = await failure(copy({ source: killAfterFirstEventsPage }));
      expect(killed).toBe(1);
      expect(error.code).toBe("DATABASE_UNREACHABLE");
    } finally {
      await admin.end();
    }
    expect(await targetCounts()).toEqual(emptyCounts());
  });

  it("counts that differ roll the copy back: the report says which table, and the target stays empty", async () => {
    const report = await copy({
      target: (transaction) => ({
        ...transaction,
        // A target that loses a record: the first effect of each page.
        write: (page) => transaction.write(page.table === "effects" ? { table: "effects", records: page.records.slice(1) } : page),
      }),
    });
    expect(report.committed).toBe(false);
    expect(report.differing).toEqual(["effects"]);
    expect(report.target.effects).toBeLessThan(report.source.effects);
    expect(COPIED_TABLES.filter((table) => table !== "effects" && report.target[table] !== report.source[table])).toEqual([]);
    expect(await targetCounts()).toEqual(emptyCounts());
  });

  it("a target that alters one record as it is inserted: the counts match, the read-back does not; rolled back, naming the table and the record", async () => {
    // A record from the middle of the copy: the second event of the third run, in the source's order.
    const source = openSqliteExport(harness.databasePath, { pageSize: 5 });
    let runId = "";
    try {
      for await (const page of source.pages()) {
        if (page.table !== "runs") break;
        runId ||= page.records[2]?.run.id ?? "";
      }
    } finally {
      source.close();
    }
    expect(runId).not.toBe("");
    await targetCounts(); // migrates it, so the trigger has a table
    const admin = testPool(database.url());
    try {
      await admin.query(
        `CREATE FUNCTION alter_one_event() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.run_id = '${runId}' AND NEW.sequence = 2 THEN NEW.data := '{"altered": true}'; END IF;
           RETURN NEW;
         END $$`,
      );
      await admin.query("CREATE TRIGGER alter_one_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION alter_one_event()");
    } finally {
      await admin.end();
    }
    const report = await copy();
    expect(report.committed).toBe(false);
    expect(report.differing).toEqual([]);
    expect(report.target).toEqual(report.source);
    expect(report.differingRecord).toEqual({ table: "events", recordId: `${runId}/2` });
    expect(await targetCounts()).toEqual(emptyCounts());
  });

  it("a target migrated by this baton but empty takes the copy", async () => {
    await targetCounts(); // migrates it
    expect((await copy()).committed).toBe(true);
  });
});
