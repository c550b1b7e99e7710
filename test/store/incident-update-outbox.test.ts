import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { alert, alertDelivery } from "./alert-store-fixtures.js";

/**
 * The incident update outbox (migration 8) on a real file: a delivery that adds or resolves
 * alerts of an open incident writes what the run's thread is owed in its own transaction; owed
 * rows are claimed into one batch under a stable key until the batch is marked posted.
 */

let directory: { path: string; remove(): void };
let path: string;
let state: SqliteState;
beforeEach(() => {
  directory = makeTempDirectory("baton-outbox-");
  path = join(directory.path, "baton.db");
  state = openSqliteState(path);
});
afterEach(() => {
  state.close();
  directory.remove();
});

describe("the incident update outbox", () => {
  it("owes the thread every later alert and the resolution, folds them into one batch, and keeps its key until it is posted", async () => {
    const opened = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    const incidentId = opened.changes[0]?.incident.id ?? "";
    // Opening starts a run; it owes the thread nothing.
    expect(await state.alerts.listIncidentsOwedUpdates(10)).toEqual([]);

    const later = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
    await state.alerts.recordDelivery(alertDelivery({ alerts: [alert("a1", "resolved"), alert("a2", "resolved")], receivedAt: 3_000 }));
    expect(await state.alerts.listIncidentsOwedUpdates(10)).toEqual([incidentId]);

    const batch = await state.alerts.claimIncidentUpdates(incidentId);
    expect(batch).toMatchObject({ incidentId, resolves: true });
    expect(batch?.newAlerts.map((item) => item.fingerprint)).toEqual(["a2"]);
    expect(batch?.resolvedAlerts.map((item) => item.fingerprint)).toEqual(["a1", "a2"]);
    expect(batch?.key).toContain(incidentId);
    expect(batch?.deliveryId).not.toBe(later.deliveryId);

    // Claimed but not posted (a process died while posting it): the same batch comes back.
    state.close();
    state = openSqliteState(path);
    expect(await state.alerts.claimIncidentUpdates(incidentId)).toEqual(batch);

    await state.alerts.markIncidentUpdatesPosted(batch?.key ?? "", 4_000);
    expect(await state.alerts.claimIncidentUpdates(incidentId)).toBeUndefined();
    expect(await state.alerts.listIncidentsOwedUpdates(10)).toEqual([]);
  });

  it("a delivery after a claim goes into the next batch, under a new key", async () => {
    const opened = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    const incidentId = opened.changes[0]?.incident.id ?? "";
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
    const first = await state.alerts.claimIncidentUpdates(incidentId);
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a3", receivedAt: 3_000 }));
    // Until the first is posted, it is the one handed out.
    expect((await state.alerts.claimIncidentUpdates(incidentId))?.key).toBe(first?.key);
    await state.alerts.markIncidentUpdatesPosted(first?.key ?? "", 3_500);
    const second = await state.alerts.claimIncidentUpdates(incidentId);
    expect(second?.key).not.toBe(first?.key);
    expect(second?.newAlerts.map((item) => item.fingerprint)).toEqual(["a3"]);
    expect(second?.resolves).toBe(false);
  });

  it("a redelivery and a delivery that changes nothing owe nothing", async () => {
    const opened = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    const incidentId = opened.changes[0]?.incident.id ?? "";
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "same alert, another key" }));
    expect(await state.alerts.claimIncidentUpdates(incidentId)).toBeUndefined();
  });

  it("retention removes posted updates and finished intents past the cutoff, and keeps what is still owed or open", async () => {
    const opened = await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
    const incidentId = opened.changes[0]?.incident.id ?? "";
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
    const posted = await state.alerts.claimIncidentUpdates(incidentId);
    await state.alerts.markIncidentUpdatesPosted(posted?.key ?? "", 2_500);
    await state.alerts.recordDelivery(alertDelivery({ fingerprint: "a3", receivedAt: 3_000 }));
    const finished = await state.intents.recordIntent({ kind: "slack.review", payload: { repository: "acme/infra", number: 1 }, at: 1_000 });
    await state.intents.finishIntent(finished, 1_500);
    const open = await state.intents.recordIntent({ kind: "slack.review", payload: { repository: "acme/infra", number: 2 }, at: 1_000 });

    await state.retention.pruneBatch({ cutoff: 10_000, at: 10_000, maxRuns: 100, maxDeliveries: 100 });
    const reader = new Database(path, { readonly: true });
    const count = (table: string): number => (reader.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
    expect({ updates: count("incident_updates"), intents: count("command_intents") }).toEqual({ updates: 1, intents: 1 });
    reader.close();
    // The owed one (a3) is still there to post; the posted one is gone.
    const next = await state.alerts.claimIncidentUpdates(incidentId);
    expect(next?.newAlerts.map((item) => item.fingerprint)).toEqual(["a3"]);
    expect((await state.intents.listOpenIntents(10)).map((intent) => intent.id)).toEqual([open]);
  });
});
