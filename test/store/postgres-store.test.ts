import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import { LATEST_POSTGRES_SCHEMA_VERSION, openPostgresStore, type PostgresChainStore } from "../../src/store-postgres/index.js";
import { approval, event, guardOf, OTHER_OWNER, OWNER, runAtCursor, runAwaitingApproval, START } from "./chain-store-fixtures.js";
import { createTestDatabase, skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";

/**
 * What the PostgreSQL chain store does beyond the shared contract: opening (migrations, the
 * errors a person sees), the append-only log, several replicas at once. The other stores:
 * postgres-state.test.ts (their contracts) and postgres-state-replicas.test.ts.
 */

const skip = await skipWithoutPostgres("test/store/postgres-store.test.ts");

async function openError(url: string): Promise<unknown> {
  return openPostgresStore(url, { connectionTimeoutMs: 2_000 }).then(
    async (store) => {
      await store.closed();
      throw new Error("expected opening to fail");
    },
    (error: unknown) => error,
  );
}

describe("the adapter's edge", () => {
  it("nothing outside src/store-postgres imports pg", () => {
    const sourceRoot = join(import.meta.dirname, "..", "..", "src");
    const importers = readdirSync(sourceRoot, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .filter((file) => /from\s+["']pg(?:-[a-z]+)?["']|import\(\s*["']pg["']/.test(readFileSync(join(sourceRoot, file), "utf8")))
      .map((file) => relative(sourceRoot, join(sourceRoot, file)).split("\\").join("/"));
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((file) => !file.startsWith("store-postgres/"))).toEqual([]);
  });
});

describe("opening a PostgreSQL store that is not there", () => {
  it("DATABASE_UNREACHABLE names the server without the password, and what to check", async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const error = await openError("postgres://baton:s3cret-pw@127.0.0.1:1/baton");
    expect(isBatonError(error, "DATABASE_UNREACHABLE")).toBe(true);
    expect(String(error)).toContain("postgres://baton@127.0.0.1:1/baton");
    expect(String(error)).toContain("PostgreSQL is running");
    expect(String(error)).not.toContain("s3cret-pw");
  });
});

describe.skipIf(skip)("PostgreSQL store", () => {
  const { url, query } = usePostgresDatabase();
  const stores: PostgresChainStore[] = [];
  const open = async (): Promise<PostgresChainStore> => {
    const store = await openPostgresStore(url());
    stores.push(store);
    return store;
  };

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.closed()));
  });

  describe("migrations", () => {
    it("replicas opening a new database at once migrate it once, and reopening applies nothing", async () => {
      await Promise.all([open(), open(), open()]);
      await open();
      expect(await query("SELECT version, description FROM schema_migrations ORDER BY version")).toEqual([
        { version: 1, description: "runs, steps, approvals, audit events and effect records" },
        { version: 2, description: "step retries (a run waiting out an outage) and run lineage (re-runs)" },
        { version: 3, description: "messages adapters posted (Slack cards, thread replies, reminders)" },
        { version: 4, description: "alert deliveries, incidents, their alerts, and the incident update outbox" },
        { version: 5, description: "command intents" },
        { version: 6, description: "retention: the one way audit detail is deleted" },
        { version: 7, description: "the part of a step's input tokens the model server served from its prompt cache" },
        { version: 8, description: "audit event sequence numbers as bigint, so runs copied from SQLite with many decisions fit" },
      ]);
      expect(LATEST_POSTGRES_SCHEMA_VERSION).toBe(8);
    });

    it("a database at version 6 keeps its steps and approvals, which read as 0 cached input tokens after migration 7", async () => {
      const older = await createTestDatabase();
      try {
        const first = await openPostgresStore(older.url);
        const run = await runAtCursor(first, 1);
        const pending = approval(run.id, 1);
        expect(await first.openApproval({ guard: guardOf(run.id, 1), approval: pending, at: START + 2000, events: [] })).toBe(true);
        await first.closed();
        // Back to version 6 as a baton before migration 7 left it: no column, no record of 7 (or of
        // 8, which finds its columns bigint already and changes nothing).
        const pool = testPool(older.url);
        try {
          await pool.query(
            "ALTER TABLE steps DROP COLUMN cached_input_tokens; ALTER TABLE approvals DROP COLUMN cached_input_tokens; DELETE FROM schema_migrations WHERE version >= 7",
          );
        } finally {
          await pool.end();
        }

        const upgraded = await openPostgresStore(older.url);
        try {
          const [step] = await upgraded.getSteps(run.id);
          expect(step?.usage).toEqual({ modelCalls: 1, inputTokens: 800, cachedInputTokens: 0, outputTokens: 200, costUsd: 0.000123 });
          expect(await upgraded.getApproval(pending.id)).toEqual({ ...pending, stepUsage: { ...pending.stepUsage, cachedInputTokens: 0 } });
        } finally {
          await upgraded.closed();
        }
      } finally {
        await older.drop();
      }
    });

    it("a database at version 7 keeps its runs' events, and migration 8 lets them be numbered past 2^31", async () => {
      const older = await createTestDatabase();
      const columnTypes =
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE (table_name, column_name) IN (('events', 'sequence'), ('runs', 'event_count')) ORDER BY table_name";
      try {
        const first = await openPostgresStore(older.url);
        const run = await runAtCursor(first, 1);
        const { run: waiting } = await runAwaitingApproval(first, 1);
        const before = { run: await first.listEvents(run.id), waiting: await first.listEvents(waiting.id) };
        await first.closed();
        // Back to version 7 as a baton before migration 8 left it: integer columns, no record of 8.
        const pool = testPool(older.url);
        try {
          await pool.query(
            "ALTER TABLE events ALTER COLUMN sequence TYPE integer; ALTER TABLE runs ALTER COLUMN event_count TYPE integer; DELETE FROM schema_migrations WHERE version = 8",
          );
          expect((await pool.query(columnTypes)).rows.map((row: { data_type: string }) => row.data_type)).toEqual(["integer", "integer"]);
        } finally {
          await pool.end();
        }

        const upgraded = await openPostgresStore(older.url);
        try {
          expect(await upgraded.listEvents(run.id)).toEqual(before.run);
          expect(await upgraded.listEvents(waiting.id)).toEqual(before.waiting);
          expect(before.waiting.map((item) => item.sequence)).toEqual([1, 2, 3, 4]);
          // Appending goes on from event_count, now bigint: a run copied with numbers past 2^31 carries on.
          await upgraded.appendEvents([event(run.id, "effect.replayed", { actor: null })]);
          expect((await upgraded.listEvents(run.id)).at(-1)).toMatchObject({ sequence: before.run.length + 1, type: "effect.replayed" });
          const pool = testPool(older.url);
          try {
            expect((await pool.query(columnTypes)).rows).toEqual([
              { table_name: "events", column_name: "sequence", data_type: "bigint" },
              { table_name: "runs", column_name: "event_count", data_type: "bigint" },
            ]);
            await pool.query("UPDATE runs SET event_count = $2 WHERE id = $1", [run.id, 2 ** 31 + 5]);
          } finally {
            await pool.end();
          }
          await upgraded.appendEvents([event(run.id, "run.recovered", { actor: null })]);
          expect((await upgraded.listEvents(run.id)).at(-1)).toMatchObject({ sequence: 2 ** 31 + 6, type: "run.recovered" });
        } finally {
          await upgraded.closed();
        }
      } finally {
        await older.drop();
      }
    });

    it("DATABASE_TOO_NEW for a database a newer baton migrated, changing nothing", async () => {
      await open();
      await query("INSERT INTO schema_migrations (version, description) VALUES (99, 'from the future')");
      try {
        const error = await openError(url());
        expect(isBatonError(error, "DATABASE_TOO_NEW")).toBe(true);
        expect(String(error)).toContain("schema version 99");
      } finally {
        await query("DELETE FROM schema_migrations WHERE version = 99");
      }
    });

    it("DATABASE_UNREACHABLE for a database that does not exist on a running server, saying to create it", async () => {
      const missing = new URL(url());
      missing.pathname = "/baton_test_never_created";
      const error = await openError(missing.toString());
      expect(isBatonError(error, "DATABASE_UNREACHABLE")).toBe(true);
      expect(String(error)).toContain("baton_test_never_created");
      expect(String(error)).toContain("createdb");
    });
  });

  describe("the audit log", () => {
    it("refuses UPDATE and DELETE of events, whoever runs them", async () => {
      const store = await open();
      const run = await runAtCursor(store, 0);
      await expect(query(`UPDATE events SET actor = 'mallory' WHERE run_id = '${run.id}'`)).rejects.toThrow(/append-only: events are never updated/);
      await expect(query(`DELETE FROM events WHERE run_id = '${run.id}'`)).rejects.toThrow(/append-only: events are never deleted/);
      expect(await store.listEvents(run.id)).toHaveLength(1);
    });

    it("RUN_NOT_FOUND for events of an unknown run, and none of the batch is kept", async () => {
      const store = await open();
      const run = await runAtCursor(store, 0);
      const error: unknown = await store
        .appendEvents([event(run.id, "approval.denied"), event("r_missing", "approval.denied")])
        .catch((caught: unknown) => caught);
      expect(isBatonError(error, "RUN_NOT_FOUND")).toBe(true);
      expect(await store.listEvents(run.id)).toHaveLength(1);
    });
  });

  describe("several replicas at once", () => {
    it("a claim gives up at once on a run another connection is writing (SKIP LOCKED), and applies once it is free", async () => {
      const store = await open();
      const run = await runAtCursor(store, 1);
      const pool = testPool(url());
      const writer = await pool.connect();
      try {
        await writer.query("BEGIN");
        await writer.query("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", [run.id]);
        const claim = { runId: run.id, expectedOwner: OWNER, owner: OTHER_OWNER, leaseExpiresAt: START + 90_000, at: START + 60_000, events: [] };
        const startedAt = Date.now();
        expect(await store.claimRun(claim)).toBe(false);
        expect(Date.now() - startedAt).toBeLessThan(2_000);
        await writer.query("COMMIT");
        expect(await store.claimRun(claim)).toBe(true);
      } finally {
        writer.release();
        await pool.end();
      }
    });

    it("concurrent appends to one run from two store objects get every event a distinct, increasing sequence", async () => {
      const [first, second] = [await open(), await open()];
      const run = await runAtCursor(first, 0);
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? first : second).appendEvents([event(run.id, "approval.denied", { actor: `U${String(index)}` })]),
        ),
      );
      const sequences = (await first.listEvents(run.id)).map((item) => item.sequence);
      expect(sequences).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    });

    it("a decision racing a cancel on another replica: exactly one applies, and nothing deadlocks", async () => {
      const [first, second] = [await open(), await open()];
      for (let round = 0; round < 5; round += 1) {
        const run = await runAtCursor(first, 1);
        const pending = approval(run.id, 1);
        expect(await first.openApproval({ guard: guardOf(run.id, 1), approval: pending, at: START, events: [] })).toBe(true);
        const [decided, cancelled] = await Promise.all([
          first.decideApproval({
            approvalId: pending.id,
            status: "rejected",
            decidedBy: "U1",
            at: START + 1,
            editedOutput: null,
            comment: "no",
            step: null,
            runStatus: "rejected",
            leaseOwner: null,
            leaseExpiresAt: null,
            events: [event(run.id, "approval.decided")],
          }),
          second.finishRun({
            runId: run.id,
            fromStatuses: ["awaiting_approval"],
            owner: null,
            status: "cancelled",
            error: null,
            at: START + 1,
            events: [event(run.id, "run.finished")],
          }),
        ]);
        expect([decided.applied, cancelled].filter(Boolean)).toHaveLength(1);
        const stored = await first.getApproval(pending.id);
        expect(stored?.status).toBe(decided.applied ? "rejected" : "cancelled");
        expect((await first.getRun(run.id))?.status).toBe(decided.applied ? "rejected" : "cancelled");
      }
    });
  });

  it("pg is pure JavaScript here: the native binding is not installed", async () => {
    await expect(import("pg-native" as string)).rejects.toThrow();
    expect(pg.native).toBeNull();
  });
});
