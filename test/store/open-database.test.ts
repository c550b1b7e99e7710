import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isBatonError, type BatonError } from "../../src/core/errors.js";
import { EVENT_TYPE_CODES } from "../../src/store/event-type-codes.js";
import { LATEST_SCHEMA_VERSION, openDatabase, openSqliteStore, type OpenSqliteStoreOptions } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { event, newRun, runAtCursor, runAwaitingApproval, snapshotOf, stepCommit } from "./chain-store-fixtures.js";

/** SQLite-specific behaviour of opening the file: pragmas, migrations, and the errors people will meet. */

let directory: { path: string; remove(): void };
beforeEach(() => {
  directory = makeTempDirectory("baton-open-");
});
afterEach(() => {
  directory.remove();
});

function openFailure(path: string, options: OpenSqliteStoreOptions = {}): BatonError {
  try {
    openSqliteStore(path, options).close();
  } catch (error) {
    if (isBatonError(error)) return error;
    throw error;
  }
  throw new Error(`opening ${path} should have failed`);
}

function fingerprint(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function schemaOf(path: string): unknown {
  const database = openDatabase(path);
  try {
    return {
      version: database.pragma("user_version", { simple: true }),
      objects: database.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY name").all(),
    };
  } finally {
    database.close();
  }
}

describe("opening the SQLite file", () => {
  it("creates missing directories and sets WAL, synchronous=NORMAL, foreign keys and a busy timeout", () => {
    const path = join(directory.path, "nested", "deeper", "baton.db");
    const database = openDatabase(path);
    try {
      expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(database.pragma("synchronous", { simple: true })).toBe(1);
      expect(database.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(database.pragma("busy_timeout", { simple: true })).toBe(5000);
      expect(database.pragma("user_version", { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      database.close();
    }
    expect(statSync(path).isFile()).toBe(true);
  });

  it("keeps everything across close and reopen, and migrating again changes nothing", async () => {
    const path = join(directory.path, "baton.db");
    const first = openSqliteStore(path);
    const { run, approval } = await runAwaitingApproval(first, 2);
    await first.recordEffect({ key: "effect-1", runId: run.id, result: { ts: "1.2" }, recordedAt: 5 });
    const expected = await snapshotOf(first, run.id);
    first.close();
    const schemaAfterFirstOpen = schemaOf(path);

    const reopened = openSqliteStore(path);
    try {
      expect(await snapshotOf(reopened, run.id)).toEqual(expected);
      expect(await reopened.getApproval(approval.id)).toEqual(approval);
      expect(await reopened.getEffect("effect-1")).toMatchObject({ result: { ts: "1.2" } });
      expect((await reopened.listApprovals({ statuses: ["pending"], limit: 5 })).map((item) => item.id)).toEqual([approval.id]);
    } finally {
      reopened.close();
    }
    expect(schemaOf(path)).toEqual(schemaAfterFirstOpen);
  });

  it("folds the WAL into the file on close", async () => {
    const path = join(directory.path, "baton.db");
    const store = openSqliteStore(path);
    await runAtCursor(store, 3);
    store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it("works in memory, for throw-away stores", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const run = await runAtCursor(store, 1);
      expect((await store.getRun(run.id))?.cursor).toBe(1);
    } finally {
      store.close();
    }
  });
});

describe("errors when opening", () => {
  it("DATABASE_TOO_NEW: a schema version from a newer baton, and the file is left as it was", () => {
    const path = join(directory.path, "baton.db");
    openSqliteStore(path).close();
    const database = openDatabase(path);
    database.pragma(`user_version = ${String(LATEST_SCHEMA_VERSION + 5)}`);
    database.close();
    const before = fingerprint(path);

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_TOO_NEW");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/Upgrade baton/);
    expect(error.message).toContain("BATON_DB");
    expect(error.details).toMatchObject({ schemaVersion: LATEST_SCHEMA_VERSION + 5, supportedVersion: LATEST_SCHEMA_VERSION });
    expect(fingerprint(path)).toBe(before);
  });

  it("DATABASE_CORRUPT: a file of random bytes is reported and left untouched", () => {
    const path = join(directory.path, "baton.db");
    const bytes = Buffer.alloc(16384);
    for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 131 + 7) % 251;
    writeFileSync(path, bytes);

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_CORRUPT");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/Move it aside/);
    expect(error.message).toMatch(/backup/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(directory.path)).toEqual(["baton.db"]);
  });

  it.each([
    ["with the full check", Infinity],
    ["without the full check (a big file)", 0],
  ])("DATABASE_CORRUPT: a real database cut short is caught at open, %s", async (_case, fullCheckUpToBytes) => {
    const path = join(directory.path, "baton.db");
    const store = openSqliteStore(path);
    for (let index = 0; index < 60; index++) await runAtCursor(store, 3);
    store.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = fingerprint(path);

    const error = openFailure(path, { fullCheckUpToBytes });

    expect(error.code).toBe("DATABASE_CORRUPT");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/Move it aside/);
    expect(fingerprint(path)).toBe(before);
  });

  it("DATABASE_CORRUPT: a damaged page in the middle is caught by the full check", async () => {
    const path = join(directory.path, "baton.db");
    const store = openSqliteStore(path);
    for (let index = 0; index < 60; index++) await runAtCursor(store, 3);
    store.close();
    const bytes = readFileSync(path);
    const pageSize = 4096;
    const middlePage = Math.floor(bytes.length / pageSize / 2);
    bytes.fill(0xa5, middlePage * pageSize, middlePage * pageSize + 64);
    writeFileSync(path, bytes);

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_CORRUPT");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/Move it aside/);
    expect(fingerprint(path)).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("DATABASE_CORRUPT: tables that do not match the schema version (hand-edited or pre-release)", () => {
    const path = join(directory.path, "baton.db");
    openSqliteStore(path).close();
    const database = openDatabase(path);
    database.exec("DROP VIEW step_log; ALTER TABLE steps RENAME COLUMN output TO result");
    database.close();

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_CORRUPT");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/schema version/);
    expect(error.message).toMatch(/Move it aside/);
  });

  it("DATABASE_NOT_WRITABLE: a file where a directory should be, and nothing is created", () => {
    const blocker = join(directory.path, "file.txt");
    writeFileSync(blocker, "not a directory");
    const path = join(blocker, "baton.db");

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_NOT_WRITABLE");
    expect(error.message).toContain(path);
    expect(error.message).toContain("BATON_DB");
    expect(error.message).toMatch(/permissions/);
    expect(readFileSync(blocker, "utf8")).toBe("not a directory");
    expect(readdirSync(directory.path)).toEqual(["file.txt"]);
  });

  it("DATABASE_NOT_WRITABLE: a directory where the file should be, left as it was", () => {
    const path = join(directory.path, "baton.db");
    mkdirSync(path);

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_NOT_WRITABLE");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/directory is in the way/);
    expect(error.message).toContain("BATON_DB");
    expect(readdirSync(path)).toEqual([]);
  });

  it("a failed open of a new file removes what it created", () => {
    // A directory named like the WAL file makes switching to WAL fail after the file exists.
    const path = join(directory.path, "new", "baton.db");
    mkdirSync(`${path}-wal`, { recursive: true });

    const error = openFailure(path);

    expect(error.code).toBe("DATABASE_NOT_WRITABLE");
    expect(readdirSync(join(directory.path, "new"))).toEqual(["baton.db-wal"]);
  });
});

describe("the SQLite store's own guarantees", () => {
  it("refuses events of a run that does not exist, and writes none of the batch", async () => {
    const store = openSqliteStore(join(directory.path, "baton.db"));
    try {
      const run = await runAtCursor(store, 0);
      const before = await store.listEvents(run.id);
      const error: unknown = await store.appendEvents([event(run.id, "step.started"), event("r_missing", "step.started")]).catch((caught: unknown) => caught);
      expect(isBatonError(error, "RUN_NOT_FOUND")).toBe(true);
      expect(await store.listEvents(run.id)).toEqual(before);
    } finally {
      store.close();
    }
  });

  it("keeps the audit log append-only even against hand-written SQL", async () => {
    const path = join(directory.path, "baton.db");
    const store = openSqliteStore(path);
    await runAtCursor(store, 2);
    store.close();
    const database = openDatabase(path);
    try {
      expect(() => database.exec("UPDATE events SET actor = 'mallory'")).toThrow(/append-only/);
      expect(() => database.exec("DELETE FROM events")).toThrow(/append-only/);
      // run.started, then model.call and step.finished for each of the two steps
      expect(database.prepare("SELECT count(*) FROM events").pluck().get()).toBe(5);
    } finally {
      database.close();
    }
  });

  it("names every event type in the event_types table, with the codes the store writes", async () => {
    const path = join(directory.path, "baton.db");
    openSqliteStore(path).close();
    const database = openDatabase(path);
    try {
      const rows = database.prepare("SELECT name, code FROM event_types ORDER BY code").all();
      expect(rows).toEqual(Object.entries(EVENT_TYPE_CODES).map(([name, code]) => ({ name, code })));
    } finally {
      database.close();
    }
  });

  it("shows runs' events and steps by run id in the audit_log and step_log views", async () => {
    const path = join(directory.path, "baton.db");
    const store = openSqliteStore(path);
    const run = newRun();
    await store.createRun(run, [event(run.id, "run.started")]);
    await store.commitStep(stepCommit(run.id, 0));
    store.close();
    const database = openDatabase(path);
    try {
      const log = database.prepare("SELECT sequence, type FROM audit_log WHERE run_id = ? ORDER BY sequence").all(run.id);
      expect(log).toEqual([
        { sequence: 1, type: "run.started" },
        { sequence: 2, type: "model.call" },
        { sequence: 3, type: "step.finished" },
      ]);
      expect(database.prepare("SELECT step_index, step_id FROM step_log WHERE run_id = ?").all(run.id)).toEqual([{ step_index: 0, step_id: "step-0" }]);
    } finally {
      database.close();
    }
  });
});
