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

/** The SQLite AlertStore on a real file: grouping, redeliveries, the run compare-and-set, and two processes racing. */

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

describe("SqliteAlertStore", () => {
  it("opens one incident per group, adds new alerts, resolves it when every alert is resolved, then opens a new one", async () => {
    const opened = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    expect(opened.deliveryId).toMatch(/^d_/);
    const [first] = opened.changes;
    expect(first?.change).toBe("opened");
    expect(first?.incident.id).toMatch(/^i_/);
    const incidentId = first?.incident.id ?? "";

    const updated = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
    expect(updated.changes[0]).toMatchObject({ change: "updated", incident: { id: incidentId, status: "open" }, newAlerts: [{ fingerprint: "a2" }] });

    const partly = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1", status: "resolved", receivedAt: 3_000 }));
    expect(partly.changes[0]).toMatchObject({ change: "updated", incident: { status: "open" }, resolvedAlerts: [{ fingerprint: "a1" }] });

    const resolved = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a2", status: "resolved", receivedAt: 4_000 }));
    expect(resolved.changes[0]).toMatchObject({ change: "resolved", incident: { id: incidentId, status: "resolved", resolvedAt: 4_000 } });

    const again = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "refire", receivedAt: 5_000 }));
    expect(again.changes[0]?.change).toBe("opened");
    expect(again.changes[0]?.incident.id).not.toBe(incidentId);
    expect(await state.alerts.listIncidents({ limit: 10 })).toHaveLength(2);
    expect(await state.alerts.listIncidents({ status: "open", limit: 10 })).toHaveLength(1);
    expect(await state.alerts.listIncidents({ since: 5_000, limit: 10 })).toHaveLength(1);
  });

  it("keeps each alert's own status within one delivery", async () => {
    const outcome = await state.alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a2", "resolved")] }));
    expect(outcome.changes[0]?.newAlerts.map((item) => item.fingerprint)).toEqual(["a1"]);
    expect(outcome.changes[0]?.incident).toMatchObject({ alertCount: 1, firingCount: 1 });
    expect((await state.alerts.getIncident(outcome.changes[0]?.incident.id ?? ""))?.alerts.map((item) => item.fingerprint)).toEqual(["a1"]);
  });

  it("a redelivery changes nothing and answers with the first delivery's id", async () => {
    const first = await state.alerts.recordDelivery(alertDelivery({ deliveryKey: "same" }));
    const second = await state.alerts.recordDelivery(alertDelivery({ deliveryKey: "same", fingerprint: "other" }));
    expect(second).toEqual({ deliveryId: first.deliveryId, duplicate: true, changes: [] });
    expect(await state.alerts.countDeliveries()).toBe(1);
    const [incident] = await state.alerts.listIncidents({ limit: 5 });
    expect(incident?.alerts.map((item) => item.fingerprint)).toEqual(["a1"]);
  });

  it("a resolution for a group with no open incident is kept as a delivery and opens nothing", async () => {
    const outcome = await state.alerts.recordDelivery(alertDelivery({ status: "resolved" }));
    expect(outcome).toMatchObject({ duplicate: false, changes: [] });
    expect(await state.alerts.countDeliveries()).toBe(1);
    expect(await state.alerts.listIncidents({ limit: 5 })).toEqual([]);
  });

  it("attaches a run once (compare-and-set) and finds the incident by it", async () => {
    const outcome = await state.alerts.recordDelivery(alertDelivery({}));
    const incidentId = outcome.changes[0]?.incident.id ?? "";
    expect(await state.alerts.attachRun(incidentId, "r_1")).toBe(true);
    expect(await state.alerts.attachRun(incidentId, "r_2")).toBe(false);
    expect((await state.alerts.findIncidentByRun("r_1"))?.id).toBe(incidentId);
    expect(await state.alerts.findIncidentByRun("r_2")).toBeUndefined();
    expect((await state.alerts.getIncident(incidentId))?.runId).toBe("r_1");
    expect(await state.alerts.getIncident("i_missing")).toBeUndefined();
  });

  it("replaces an ended run once: only while the run replaced is still the incident's", async () => {
    const outcome = await state.alerts.recordDelivery(alertDelivery({}));
    const incidentId = outcome.changes[0]?.incident.id ?? "";
    await state.alerts.attachRun(incidentId, "r_1");
    expect(await state.alerts.replaceRun(incidentId, "r_1", "r_1_run2")).toBe(true);
    // A second process that read r_1 too finds it replaced already.
    expect(await state.alerts.replaceRun(incidentId, "r_1", "r_other")).toBe(false);
    expect((await state.alerts.getIncident(incidentId))?.runId).toBe("r_1_run2");
    expect((await state.alerts.findIncidentByRun("r_1_run2"))?.id).toBe(incidentId);
  });

  it("a re-fired alert is news and counts as firing again; a resolution of an alert the incident never saw is not kept", async () => {
    await state.alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a2")] }));
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1", status: "resolved", receivedAt: 2_000 }));
    const refired = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "a1-again", receivedAt: 3_000 }));
    expect(refired.changes[0]).toMatchObject({ change: "updated", incident: { alertCount: 2, firingCount: 2 }, newAlerts: [{ fingerprint: "a1" }] });
    const stranger = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "zz", status: "resolved", receivedAt: 4_000 }));
    expect(stranger.changes[0]).toMatchObject({ change: "unchanged", incident: { alertCount: 2, firingCount: 2 }, resolvedAlerts: [] });
    const incident = await state.alerts.getIncident(refired.changes[0]?.incident.id ?? "");
    expect(incident?.alerts.map((item) => `${item.fingerprint}=${item.status}`)).toEqual(["a1=firing", "a2=firing"]);
  });

  it("the last state of a fingerprint within one delivery wins: firing then resolved opens nothing", async () => {
    const outcome = await state.alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a1", "resolved")] }));
    expect(outcome.changes).toEqual([]);
    expect(await state.alerts.listIncidents({ limit: 5 })).toEqual([]);
  });

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
