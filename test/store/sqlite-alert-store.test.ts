import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { COMPRESS_FROM_BYTES, encodeJson } from "../../src/store/json-columns.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { startRacingChild, type RacingChild } from "../support/racing-child.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { alert, alertDelivery } from "./alert-store-fixtures.js";

/**
 * What only the SQLite AlertStore has: a compressed raw body on disk, two processes racing on one
 * file, and migration 5. Grouping, redeliveries, the compare-and-sets and the outbox are the
 * shared contract (alert-store-contract.ts, incident-outbox-contract.ts, run by sqlite-state.test.ts).
 */

const CHILD = new URL("./alert-racing-process.ts", import.meta.url);

let directory: { path: string; remove(): void };
let path: string;
let state: SqliteState;
beforeEach(() => {
  directory = makeTempDirectory("baton-alerts-");
  path = join(directory.path, "baton.db");
  state = openSqliteState(path);
});
afterEach(() => {
  state.close();
  directory.remove();
});

describe("SqliteAlertStore on a file (the shared behaviour is in alert-store-contract.ts)", () => {
  it("keeps a large raw body intact, and it is on disk once recordDelivery resolves", async () => {
    const rawBody = JSON.stringify({ padding: "x".repeat(200_000) });
    const outcome = await state.alerts.recordDelivery(alertDelivery({ rawBody }));
    const reopened = openSqliteState(path);
    try {
      expect(await reopened.alerts.countDeliveries()).toBe(1);
      expect((await reopened.alerts.listIncidents({ limit: 1 }))[0]?.id).toBe(outcome.changes[0]?.incident.id);
    } finally {
      reopened.close();
    }
    // The stored column may be compressed; its size says it was not padded or truncated.
    const database = new Database(path, { readonly: true });
    try {
      const row = z
        .object({ raw_body: z.union([z.string(), z.instanceof(Buffer)]) })
        .parse(database.prepare("SELECT raw_body FROM deliveries WHERE id = ?").get(outcome.deliveryId));
      expect(row.raw_body.length).toBeGreaterThan(0);
    } finally {
      database.close();
    }
  });
});

const RacerReport = z.array(z.object({ deliveryId: z.string(), duplicate: z.boolean(), opened: z.array(z.string()) }));

function startRacer(databasePath: string, count: number): RacingChild<z.infer<typeof RacerReport>> {
  return startRacingChild(CHILD, [databasePath, String(count)], RacerReport);
}

describe("two processes on one file recording the same deliveries at once", () => {
  it("each delivery is new in exactly one process, with one id, and each group opens one incident", async () => {
    const count = 60;
    const racers = [startRacer(path, count), startRacer(path, count)];
    await Promise.all(racers.map((racer) => racer.ready));
    const startAt = Date.now() + 300;
    for (const racer of racers) racer.go(startAt);
    const [first, second] = await Promise.all(racers.map((racer) => racer.finished));
    if (!first || !second) throw new Error("a racer reported nothing");
    for (let index = 0; index < count; index++) {
      const [left, right] = [first[index], second[index]];
      expect([left?.duplicate, right?.duplicate].filter((duplicate) => duplicate === false)).toHaveLength(1);
      expect(left?.deliveryId).toBe(right?.deliveryId);
    }
    expect([...first, ...second].flatMap((report) => report.opened)).toHaveLength(5);
    expect(await state.alerts.countDeliveries()).toBe(count);
    expect(await state.alerts.listIncidents({ status: "open", limit: 10 })).toHaveLength(5);
  }, 30_000);
});

describe("migration 5: an incident's alerts move from one JSON column to rows", () => {
  it("keeps every alert (plain and compressed columns), in order, with the counts, and the next delivery groups into it", async () => {
    state.close();
    directory.remove();
    directory = makeTempDirectory("baton-alerts-migrate-");
    path = join(directory.path, "baton.db");
    const database = new Database(path);
    for (const migration of MIGRATIONS.filter((item) => item.version <= 4)) database.exec(migration.sql);
    database.pragma("user_version = 4");
    const insert = database.prepare(
      "INSERT INTO incidents (id, source, group_key, status, title, run_id, opened_at, updated_at, resolved_at, alerts) VALUES (?, 'alertmanager', ?, 'open', 'HighErrorRate on checkout', ?, 1000, 1000, NULL, ?)",
    );
    const many = Array.from({ length: 12 }, (_, index) => alert(`m${String(index)}`, index % 3 === 0 ? "resolved" : "firing"));
    insert.run("i_small", "g1", "r_i_small", JSON.stringify([alert("a1"), alert("a2", "resolved")]));
    insert.run("i_large", "g2", null, encodeJson(many, { compressFromBytes: COMPRESS_FROM_BYTES }));
    database.close();

    state = openSqliteState(path);
    const small = await state.alerts.getIncident("i_small");
    expect(small).toMatchObject({ runId: "r_i_small", alertCount: 2, firingCount: 1 });
    expect(small?.alerts.map((item) => `${item.fingerprint}=${item.status}`)).toEqual(["a1=firing", "a2=resolved"]);
    const large = await state.alerts.getIncident("i_large");
    expect(large?.alerts).toEqual(many);
    expect(large).toMatchObject({ alertCount: 12, firingCount: 8 });

    const next = await state.alerts.recordDelivery(alertDelivery({ groupKey: "g1", fingerprint: "a1", status: "resolved", receivedAt: 5_000 }));
    expect(next.changes[0]).toMatchObject({
      change: "resolved",
      incident: { id: "i_small", status: "resolved", firingCount: 0 },
      resolvedAlerts: [{ fingerprint: "a1" }],
    });
  });
});
