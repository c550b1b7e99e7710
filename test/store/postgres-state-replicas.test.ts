import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isBatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { pruneAuditDetail } from "../../src/core/retention.js";
import { RetentionJob } from "../../src/jobs/retention-job.js";
import { openPostgresState, type PostgresState } from "../../src/store-postgres/index.js";
import { toPostgresStoreError } from "../../src/store-postgres/postgres-errors.js";
import { RETENTION_LOCK_CLASS } from "../../src/store-postgres/postgres-retention.js";
import { startRacingChild } from "../support/racing-child.js";
import { createTestDatabase, skipWithoutPostgres, usePostgresDatabase } from "../support/postgres-test-database.js";
import { alertDelivery } from "./alert-store-fixtures.js";
import { event, runAtCursor, START, stepCommit } from "./chain-store-fixtures.js";

/**
 * What `openPostgresState` owes beyond the shared contracts: the errors a person sees when the
 * database is not there or the URL is wrong, and several replicas on one database: one incident
 * from one alert group recorded by two processes at once, and one retention pass per tick.
 */

const skip = await skipWithoutPostgres("test/store/postgres-state-replicas.test.ts");
const DAY = 86_400_000;
/** The pass lock postgres-retention.ts takes (an int4 pair). */
const RETENTION_LOCK = `${String(RETENTION_LOCK_CLASS)}, 0`;

async function openError(url: string): Promise<unknown> {
  return openPostgresState(url, { connectionTimeoutMs: 2_000 }).then(
    async (state) => {
      await state.close();
      throw new Error("expected opening to fail");
    },
    (error: unknown) => error,
  );
}

describe("opening the PostgreSQL state with a connection string that is wrong", () => {
  it("CONFIG_INVALID for a URL pg cannot read, saying how to write one, without echoing the password", async () => {
    for (const url of [
      "postgres://baton:s3cret-pw@db.internal:notaport/baton",
      "postgres://baton:s3cret-pw@[::1/baton",
      "postgres://baton:s3cret-pw@db:99999/baton",
    ]) {
      const error = await openError(url);
      expect(isBatonError(error, "CONFIG_INVALID")).toBe(true);
      expect(String(error)).toContain("postgres://user:password@host:5432/database");
      expect(String(error)).toContain("percent-encoded");
      expect(String(error)).not.toContain("s3cret-pw");
    }
  });

  it("DATABASE_UNREACHABLE when the URL asks for SSL and the server has none (pg's error carries no code)", () => {
    const error = toPostgresStoreError(new Error("The server does not support SSL connections"), "postgres://baton:s3cret-pw@db:5432/baton?sslmode=require");
    expect(isBatonError(error, "DATABASE_UNREACHABLE")).toBe(true);
    expect(String(error)).toContain("does not support SSL");
    expect(String(error)).not.toContain("s3cret-pw");
  });

  it("DATABASE_UNREACHABLE for a server that is not there, naming it without the password", async () => {
    const error = await openError("postgres://baton:s3cret-pw@127.0.0.1:1/baton");
    expect(isBatonError(error, "DATABASE_UNREACHABLE")).toBe(true);
    expect(String(error)).toContain("postgres://baton@127.0.0.1:1/baton");
    expect(String(error)).toContain("PostgreSQL is running");
    expect(String(error)).not.toContain("s3cret-pw");
  });
});

describe.skipIf(skip)("the PostgreSQL state on a server", () => {
  const { url, query } = usePostgresDatabase({ migrated: true });
  const states: PostgresState[] = [];
  const open = async (): Promise<PostgresState> => {
    const state = await openPostgresState(url(), { maxConnections: 4 });
    states.push(state);
    return state;
  };
  const countOf = async (table: string): Promise<number> =>
    z.coerce.number().parse(z.array(z.object({ count: z.unknown() })).parse(await query(`SELECT count(*) AS count FROM ${table}`))[0]?.count);

  beforeEach(async () => {
    await query(
      "TRUNCATE runs, steps, approvals, events, effects, run_retries, run_lineage, posted_messages, deliveries, incidents, incident_alerts, incident_updates, command_intents, retention_log",
    );
  });
  afterEach(async () => {
    await Promise.all(states.splice(0).map((state) => state.close()));
  });

  describe("errors after opening", () => {
    it("DATABASE_ACCESS_DENIED for a user the server does not know, saying what to check", async () => {
      const denied = new URL(url());
      denied.username = "baton_no_such_user";
      denied.password = "s3cret-pw";
      const error = await openError(denied.toString());
      expect(isBatonError(error, "DATABASE_ACCESS_DENIED")).toBe(true);
      expect(String(error)).toContain("baton_no_such_user@");
      expect(String(error)).not.toContain("s3cret-pw");
    });

    it("a store whose database went away answers DATABASE_UNREACHABLE, not a pg stack", async () => {
      const doomed = await createTestDatabase();
      const state = await openPostgresState(doomed.url, { maxConnections: 2, connectionTimeoutMs: 2_000 });
      try {
        expect(await state.ledger.claimMessage({ key: "reminder:a_1:1", runId: null, channel: "C1", at: 1 })).toBe(true);
        await doomed.drop();
        for (const call of [
          () => state.ledger.claimMessage({ key: "reminder:a_1:2", runId: null, channel: "C1", at: 2 }),
          () => state.alerts.recordDelivery(alertDelivery({})),
          () => state.intents.listOpenIntents(5),
          () => state.retention.countPrunable(1),
          () => state.retention.runAlone(async () => "ran"),
        ]) {
          const error: unknown = await call().then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(isBatonError(error, "DATABASE_UNREACHABLE")).toBe(true);
          expect(String(error)).toContain("createdb");
        }
      } finally {
        await state.close();
        await state.close();
      }
    });
  });

  describe("two processes recording the same alert deliveries at once", () => {
    it("each delivery is new in exactly one process, with one id, and each group opens one incident", async () => {
      const count = 60;
      const Report = z.array(z.object({ deliveryId: z.string(), duplicate: z.boolean(), opened: z.array(z.string()) }));
      const racers = [0, 1].map(() => startRacingChild(new URL("./alert-racing-process.ts", import.meta.url), [url(), String(count)], Report));
      await Promise.all(racers.map((racer) => racer.ready));
      const startAt = Date.now() + 300;
      for (const racer of racers) racer.go(startAt);
      const [first, second] = await Promise.all(racers.map((racer) => racer.finished));
      if (!first || !second) throw new Error("a racer reported nothing");
      for (let index = 0; index < count; index++) {
        expect([first[index]?.duplicate, second[index]?.duplicate].sort()).toEqual([false, true]);
        expect(first[index]?.deliveryId).toBe(second[index]?.deliveryId);
      }
      expect([...first, ...second].flatMap((report) => report.opened)).toHaveLength(5);
      const state = await open();
      expect(await state.alerts.countDeliveries()).toBe(count);
      const incidents = await state.alerts.listIncidents({ status: "open", limit: 10 });
      expect(incidents.map((incident) => incident.alertCount)).toEqual([12, 12, 12, 12, 12]);
    }, 60_000);

    it("three pools firing every delivery at once: no deadlock, nothing lost, one incident per group", async () => {
      const pools = [await open(), await open(), await open()];
      const deliveries = Array.from({ length: 30 }, (_, index) =>
        alertDelivery({ groupKey: `group-${String(index % 3)}`, fingerprint: `alert-${String(index)}`, deliveryKey: `key-${String(index)}` }),
      );
      const outcomes = await Promise.all(deliveries.flatMap((delivery) => pools.map((state) => state.alerts.recordDelivery(delivery))));
      expect(outcomes.filter((outcome) => !outcome.duplicate)).toHaveLength(deliveries.length);
      expect(new Set(outcomes.map((outcome) => outcome.deliveryId)).size).toBe(deliveries.length);
      expect(outcomes.flatMap((outcome) => outcome.changes).filter((change) => change.change === "opened")).toHaveLength(3);
      const incidents = await pools[0]?.alerts.listIncidents({ status: "open", limit: 10 });
      expect(incidents?.map((incident) => incident.alertCount)).toEqual([10, 10, 10]);
      expect(await countOf("incident_updates")).toBe(deliveries.length - 3);
    });
  });

  describe("retention across replicas", () => {
    const finishedRuns = async (state: PostgresState, count: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const run = await runAtCursor(state.store, 2, { at: START });
        const last = stepCommit(run.id, 2, { nextStatus: "succeeded", at: START, events: [event(run.id, "model.call"), event(run.id, "run.finished")] });
        if (!(await state.store.commitStep(last))) throw new Error("setup: the last step did not commit");
        ids.push(run.id);
      }
      return ids;
    };

    it("while one replica runs a pass, another's tick skips at once, deleting nothing; afterwards it runs", async () => {
      const [first, second] = [await open(), await open()];
      await finishedRuns(first, 3);
      let release: () => void = () => {};
      const holding = new Promise<void>((resolve) => (release = resolve));
      let entered: () => void = () => {};
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const running = first.retention.runAlone(async () => {
        entered();
        await holding;
        return "first";
      });
      await inside;
      const startedAt = Date.now();
      const skipped = await pruneAuditDetail(second.retention, { olderThanMs: 90 * DAY, now: START + 100 * DAY });
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expect(skipped).toEqual({ cutoff: START + 10 * DAY, runs: 0, events: 0, effects: 0, deliveries: 0, skipped: true });
      expect(await second.retention.countPrunable(START + DAY)).toMatchObject({ runs: 3 });
      release();
      expect(await running).toBe("first");
      expect(await pruneAuditDetail(second.retention, { olderThanMs: 90 * DAY, now: START + 100 * DAY })).toMatchObject({ runs: 3, skipped: false });
    });

    it("the job on a skipped tick says so; three replicas' ticks at once prune every run once and log one pass", async () => {
      const replicas = [await open(), await open(), await open()];
      await finishedRuns(replicas[0] as PostgresState, 12);
      const lines: string[] = [];
      const logger: Logger = {
        debug() {},
        info: (_fields, message) => void lines.push(message),
        warn() {},
        error: (_fields, message) => void lines.push(message),
      };
      const clock = { now: () => START + 100 * DAY };
      const jobs = replicas.map((state) => new RetentionJob({ store: state.retention, clock, logger, olderThanMs: 90 * DAY }));
      const reports = await Promise.all(jobs.map((job) => job.runOnce()));
      expect(reports.reduce((sum, report) => sum + report.runs, 0)).toBe(12);
      expect(reports.filter((report) => report.runs > 0)).toHaveLength(1);
      expect(await countOf("retention_log")).toBe(1);
      expect(lines.filter((line) => line.startsWith("retention pass skipped")).length).toBe(reports.filter((report) => report.skipped).length);

      // A tick while a (hand-held) pass lock is taken logs the skip.
      const holder = new pg.Client({ connectionString: url() });
      await holder.connect();
      try {
        await holder.query(`SELECT pg_advisory_lock(${RETENTION_LOCK})`);
        lines.length = 0;
        expect(await jobs[0]?.runOnce()).toMatchObject({ skipped: true });
        expect(lines).toEqual(["retention pass skipped: another baton process sharing the database is running one"]);
      } finally {
        await holder.end();
      }
    });

    it("a replica that dies holding the pass lock does not stop the next pass; a pass that fails gives the lock back", async () => {
      const state = await open();
      await finishedRuns(state, 2);
      const holder = new pg.Client({ connectionString: url() });
      // Its connection is ended by the server below: the error is expected.
      holder.on("error", () => undefined);
      await holder.connect();
      await holder.query(`SELECT pg_advisory_lock(${RETENTION_LOCK})`);
      expect(await state.retention.runAlone(async () => "ran")).toBeUndefined();
      // The holder's session ends without unlocking, as a killed process's would.
      const [backend] = z.array(z.object({ pid: z.number() })).parse((await holder.query("SELECT pg_backend_pid() AS pid")).rows);
      await query(`SELECT pg_terminate_backend(${String(backend?.pid)})`);
      await holder.end().catch(() => undefined);
      expect(await state.retention.runAlone(async () => "ran")).toBe("ran");

      await expect(state.retention.runAlone(() => Promise.reject(new Error("the pass broke")))).rejects.toThrow("the pass broke");
      expect(await state.retention.runAlone(async () => "ran again")).toBe("ran again");
    });

    it("outside a retention batch the audit log still refuses every DELETE and UPDATE", async () => {
      const state = await open();
      const [runId] = await finishedRuns(state, 1);
      await pruneAuditDetail(state.retention, { olderThanMs: 90 * DAY, now: START + 100 * DAY });
      await expect(query(`DELETE FROM events WHERE run_id = '${String(runId)}'`)).rejects.toThrow(
        /append-only: events are never deleted, except by the retention job/,
      );
      await expect(query(`UPDATE events SET actor = 'mallory' WHERE run_id = '${String(runId)}'`)).rejects.toThrow(/append-only: events are never updated/);
      expect((await state.store.listEvents(String(runId))).map((item) => item.type)).toEqual(["run.started", "run.finished"]);
    });
  });
});
