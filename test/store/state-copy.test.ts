import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AuditEventInput, CommandIntent, EffectRecord, IncidentSummary, PostedMessage, StepRecord } from "../../src/core/ports.js";
import type { CopiedDelivery, CopiedIntent, CopiedRun, CopyReport, RetentionLogEntry } from "../../src/core/state-copy.js";
import { COPIED_TABLES, copyState } from "../../src/core/state-copy.js";
import { openSqliteExport } from "../../src/store/sqlite-export.js";
import { openSqliteState } from "../../src/store/open-state.js";
import { openPostgresImport, openPostgresState, type PostgresState } from "../../src/store-postgres/index.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { alert, type BuiltSource, buildSource, type Keys, pausedRun, proposal, readThroughPorts, recordsOf, remediate, runnerOn } from "./state-copy-source.js";

/**
 * `baton store copy`'s two halves on a real SQLite file and a real PostgreSQL database: a
 * deployment built by a real Runner is copied, every record reads the same through the ports on
 * both sides, and the copy works as a deployment (a waiting run is approved and finishes there;
 * event numbers, run, approval and outbox ids go on after the copied ones).
 */

const skip = await skipWithoutPostgres("test/store/state-copy.test.ts");

describe.skipIf(skip)("copying a SQLite deployment into PostgreSQL", () => {
  const database = usePostgresDatabase();
  let harness: Harness;
  let built: BuiltSource;
  let report: CopyReport;
  let postgres: PostgresState;
  const progress: Array<{ table: string; done: boolean }> = [];

  beforeAll(async () => {
    harness = await createHarness([remediate]);
    built = await buildSource(harness);
    const source = openSqliteExport(harness.databasePath, { pageSize: 7 });
    const target = await openPostgresImport(database.url());
    try {
      report = await copyState(source, await target.begin(), { targetName: "the test database", onProgress: (step) => progress.push(step) });
    } finally {
      source.close();
      await target.close();
    }
    postgres = await openPostgresState(database.url(), { maxConnections: 4 });
  }, 60_000);

  afterAll(async () => {
    await postgres?.close();
    await harness?.close();
  });

  it("copies every table of a source that has rows in each, and commits when the counts match", () => {
    expect(COPIED_TABLES.filter((table) => report.source[table] === 0)).toEqual([]);
    expect(report).toMatchObject({ committed: true, differing: [] });
    expect(report.target).toEqual(report.source);
    // One "done" per table, in order; big tables said so page by page before.
    expect(progress.filter((step) => step.done).map((step) => step.table)).toEqual([...COPIED_TABLES]);
    expect(progress.filter((step) => step.table === "events" && !step.done).length).toBeGreaterThan(1);
  });

  it("every record reads the same through the ports on both sides", async () => {
    const snapshot = openSqliteExport(harness.databasePath);
    const records = await recordsOf(snapshot).finally(() => snapshot.close());
    const keys: Keys = {
      runIds: (records.get("runs") as CopiedRun[]).map((copied) => copied.run.id),
      approvalIds: (records.get("approvals") as Array<{ approval: { id: string } }>).map((copied) => copied.approval.id),
      effectKeys: (records.get("effects") as EffectRecord[]).map((effect) => effect.key),
      messageKeys: (records.get("posted_messages") as PostedMessage[]).map((message) => message.key),
      incidentIds: (records.get("incidents") as IncidentSummary[]).map((incident) => incident.id),
    };
    expect(keys.runIds).toHaveLength(report.source.runs);
    const sqlite = openSqliteState(harness.databasePath);
    try {
      const now = Date.now();
      const fromSqlite = await readThroughPorts(sqlite, keys, now);
      expect(await readThroughPorts(postgres, keys, now)).toEqual(fromSqlite);
      // The waiting run, the pruned one and the outbox are really there (not two empty answers).
      expect(fromSqlite["pendingApprovals"]).toHaveLength(2);
      expect(fromSqlite["owedUpdates"]).toEqual([built.openIncidentId]);
      expect(fromSqlite["retries"]).toHaveLength(1);
      // A step's cached input tokens cross over with it (the comparison above would pass on two zeros).
      const cachedFigures = (fromSqlite["runs"] as Array<{ steps: StepRecord[] }>).flatMap((run) => run.steps.map((step) => step.usage.cachedInputTokens));
      expect(cachedFigures).toContain(4);
      // Claiming the owed updates gives the same batch, under the same key, on both sides.
      const claimedHere = await sqlite.alerts.claimIncidentUpdates(built.openIncidentId);
      expect(claimedHere?.key).toMatch(/^incident-update:/);
      expect(await postgres.alerts.claimIncidentUpdates(built.openIncidentId)).toEqual(claimedHere);
    } finally {
      sqlite.close();
    }
    expect(await rowsThePortsDoNotShow(database.url())).toEqual({
      deliveries: (records.get("deliveries") as CopiedDelivery[]).map((delivery) => ({ ...delivery })).sort((a, b) => a.id.localeCompare(b.id)),
      intents: (records.get("command_intents") as CopiedIntent[]).map(({ intent, finishedAt }) => ({ ...intent, finishedAt })).sort(byId),
      retentionLog: records.get("retention_log") as RetentionLogEntry[],
      pruned: (records.get("runs") as CopiedRun[])
        .filter((copied) => copied.detailPrunedAt !== null)
        .map((copied) => ({ id: copied.run.id, prunedAt: copied.detailPrunedAt })),
    });
  });

  it("is a working deployment: a Runner on PostgreSQL approves the waiting run, which finishes", async () => {
    const runner = runnerOn(postgres.store, harness, "postgres-replica:1:aa");
    try {
      const sentBefore = harness.notifier.sent.length;
      const decided = await runner.decide(built.pending.approval.id, { kind: "approve" }, { id: "U-ONCALL", trusted: true });
      expect(decided.applied).toBe(true);
      expect((await runner.settled(built.pending.runId)).status).toBe("succeeded");
      expect(harness.notifier.sent.slice(sentBefore).map((sent) => sent.title)).toEqual([proposal.title]);
      const steps = await postgres.store.getSteps(built.pending.runId);
      expect(steps.map((step) => step.stepId)).toEqual(["diagnose", "plan", "notify"]);
      // A new run pauses at its approval there too: a new approval row, numbered after the copied ones.
      const fresh = await pausedRun(runner, harness, postgres.store, "after the move");
      const [newest] = await postgres.store.listApprovals({ limit: 1 });
      expect(newest?.id).toBe(fresh.approval.id);
      const [latestRun] = await postgres.store.listRuns({ limit: 1 });
      expect(latestRun?.id).toBe(fresh.runId);
    } finally {
      await runner.close();
    }
  });

  it("event numbers go on after each copied run's last, the log stays append-only, and new outbox rows come after the copied ones", async () => {
    const before = await postgres.store.listEvents(built.approvedRunId);
    const last = before.at(-1)?.sequence ?? 0;
    expect(last).toBeGreaterThan(before.length); // numbered in event segments: the gaps are kept
    const appended: AuditEventInput = {
      runId: built.approvedRunId,
      at: Date.now(),
      type: "run.retried",
      stepId: null,
      actor: "U-ONCALL",
      data: { note: "after the move" },
    };
    await postgres.store.appendEvents([appended, { ...appended, type: "run.recovered" }]);
    const after = await postgres.store.listEvents(built.approvedRunId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((event) => [event.sequence, event.type])).toEqual([
      [last + 1, "run.retried"],
      [last + 2, "run.recovered"],
    ]);
    // The copy inserted events without touching the audit log's trigger: changing one is still refused.
    const pool = testPool(database.url());
    try {
      await expect(pool.query("UPDATE events SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(pool.query("DELETE FROM events")).rejects.toThrow(/append-only/);
    } finally {
      await pool.end();
    }
    const update = await postgres.alerts.recordDelivery({
      source: "alertmanager",
      deliveryKey: "d-after-the-move",
      receivedAt: Date.now(),
      rawBody: "{}",
      groupKey: "g-open",
      title: "Group g-open",
      alerts: [alert("fe", "firing")],
    });
    expect(update.changes[0]?.change).toBe("updated");
    // The batch claimed before the move comes back first; once it is posted, the owed rows follow.
    const claimedBefore = await postgres.alerts.claimIncidentUpdates(built.openIncidentId);
    expect(claimedBefore?.newAlerts.map((added) => added.fingerprint)).toEqual(["fc"]);
    await postgres.alerts.markIncidentUpdatesPosted(claimedBefore?.key ?? "", Date.now());
    const batch = await postgres.alerts.claimIncidentUpdates(built.openIncidentId);
    expect(batch?.newAlerts.map((added) => added.fingerprint)).toEqual(["fd", "fe"]);
  });
});

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const bigint = z.coerce.number();
const deliveryRow = z.object({
  id: z.string(),
  source: z.enum(["alertmanager", "grafana", "pagerduty", "generic"]),
  delivery_key: z.string(),
  received_at: bigint,
  raw_body: z.string(),
  alerts: z.array(z.unknown()),
});
const intentRow = z.object({ id: z.string(), kind: z.string(), payload: z.unknown(), created_at: bigint, finished_at: bigint.nullable() });
const logRow = z.object({ at: bigint, cutoff: bigint, runs: z.number(), events: z.number(), effects: z.number(), deliveries: z.number() });
const prunedRow = z.object({ id: z.string(), detail_pruned_at: bigint });

/** What the ports never read back whole: raw webhook bodies, finished intents, the retention log, when runs were pruned. */
async function rowsThePortsDoNotShow(url: string): Promise<Record<string, unknown>> {
  const pool = testPool(url);
  try {
    const rows = async (sql: string): Promise<unknown[]> => (await pool.query(sql)).rows as unknown[];
    return {
      deliveries: (await rows("SELECT id, source, delivery_key, received_at, raw_body, alerts FROM deliveries ORDER BY id")).map((row) => {
        const delivery = deliveryRow.parse(row);
        return {
          id: delivery.id,
          source: delivery.source,
          deliveryKey: delivery.delivery_key,
          receivedAt: delivery.received_at,
          rawBody: delivery.raw_body,
          alerts: delivery.alerts,
        };
      }),
      intents: (await rows("SELECT id, kind, payload, created_at, finished_at FROM command_intents ORDER BY id")).map(
        (row): CommandIntent & { finishedAt: number | null } => {
          const intent = intentRow.parse(row);
          return { id: intent.id, kind: intent.kind, payload: intent.payload, createdAt: intent.created_at, finishedAt: intent.finished_at };
        },
      ),
      retentionLog: (await rows("SELECT at, cutoff, runs, events, effects, deliveries FROM retention_log")).map((row) => logRow.parse(row)),
      pruned: (await rows("SELECT id, detail_pruned_at FROM runs WHERE detail_pruned_at IS NOT NULL ORDER BY id")).map((row) => {
        const run = prunedRow.parse(row);
        return { id: run.id, prunedAt: run.detail_pruned_at };
      }),
    };
  } finally {
    await pool.end();
  }
}
