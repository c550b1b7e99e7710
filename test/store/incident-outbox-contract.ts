import { describe, expect, it } from "vitest";
import { alert, alertDelivery } from "./alert-store-fixtures.js";
import { type StateUnderTest, useState } from "./state-under-test.js";

/**
 * The incident update outbox every `AlertStore` owes (SQLite migration 8, PostgreSQL migration
 * 4): a delivery that adds or resolves alerts of an open incident writes what the run's thread
 * is owed in its own transaction; owed rows are claimed into one batch under a stable key until
 * the batch is marked posted.
 */
export function describeIncidentOutboxContract(name: string, makeState: () => Promise<StateUnderTest>): void {
  describe(`AlertStore outbox contract: ${name}`, () => {
    const context = useState(makeState);

    it("owes the thread every later alert and the resolution, folds them into one batch, and keeps its key until it is posted", async () => {
      const { alerts } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      const incidentId = opened.changes[0]?.incident.id ?? "";
      // Opening starts a run; it owes the thread nothing.
      expect(await alerts.listIncidentsOwedUpdates(10)).toEqual([]);

      const later = await alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
      const last = await alerts.recordDelivery(alertDelivery({ alerts: [alert("a1", "resolved"), alert("a2", "resolved")], receivedAt: 3_000 }));
      expect(await alerts.listIncidentsOwedUpdates(10)).toEqual([incidentId]);

      const batch = await alerts.claimIncidentUpdates(incidentId);
      expect(batch).toEqual({
        key: expect.stringContaining(incidentId),
        incidentId,
        deliveryId: last.deliveryId,
        resolves: true,
        newAlerts: [alert("a2")],
        resolvedAlerts: [alert("a1", "resolved"), alert("a2", "resolved")],
      });
      expect(batch?.deliveryId).not.toBe(later.deliveryId);

      // Claimed but not posted (a process died while posting it): the same batch comes back, on another connection too.
      const other = await context.state.connectAgain();
      expect(await other.alerts.claimIncidentUpdates(incidentId)).toEqual(batch);

      await other.alerts.markIncidentUpdatesPosted(batch?.key ?? "", 4_000);
      expect(await alerts.claimIncidentUpdates(incidentId)).toBeUndefined();
      expect(await alerts.listIncidentsOwedUpdates(10)).toEqual([]);
    });

    it("a delivery after a claim goes into the next batch, under a new key", async () => {
      const { alerts } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      const incidentId = opened.changes[0]?.incident.id ?? "";
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
      const first = await alerts.claimIncidentUpdates(incidentId);
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a3", receivedAt: 3_000 }));
      // Until the first is posted, it is the one handed out.
      expect((await alerts.claimIncidentUpdates(incidentId))?.key).toBe(first?.key);
      await alerts.markIncidentUpdatesPosted(first?.key ?? "", 3_500);
      const second = await alerts.claimIncidentUpdates(incidentId);
      expect(second?.key).not.toBe(first?.key);
      expect(second?.newAlerts.map((item) => item.fingerprint)).toEqual(["a3"]);
      expect(second?.resolves).toBe(false);
    });

    it("lists the incidents owed updates, the longest owed first, up to the limit", async () => {
      const { alerts } = context.state;
      const incidents: string[] = [];
      for (const group of ["g1", "g2", "g3"]) {
        const opened = await alerts.recordDelivery(alertDelivery({ groupKey: group, fingerprint: "a1" }));
        incidents.push(opened.changes[0]?.incident.id ?? "");
      }
      for (const [index, group] of ["g3", "g1", "g2", "g3"].entries()) {
        await alerts.recordDelivery(alertDelivery({ groupKey: group, fingerprint: `later-${String(index)}`, receivedAt: 2_000 }));
      }
      expect(await alerts.listIncidentsOwedUpdates(10)).toEqual([incidents[2], incidents[0], incidents[1]]);
      expect(await alerts.listIncidentsOwedUpdates(2)).toEqual([incidents[2], incidents[0]]);
    });

    it("two connections claiming the same incident at once get the same batch", async () => {
      const { alerts } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      const incidentId = opened.changes[0]?.incident.id ?? "";
      const other = await context.state.connectAgain();
      for (let round = 0; round < 10; round++) {
        await alerts.recordDelivery(alertDelivery({ fingerprint: `b${String(round)}`, receivedAt: 2_000 + round }));
        const [left, right] = await Promise.all([alerts.claimIncidentUpdates(incidentId), other.alerts.claimIncidentUpdates(incidentId)]);
        expect(left).toEqual(right);
        expect(left?.newAlerts.map((item) => item.fingerprint)).toEqual([`b${String(round)}`]);
        await alerts.markIncidentUpdatesPosted(left?.key ?? "", 3_000 + round);
      }
    });

    it("a redelivery and a delivery that changes nothing owe nothing; an unknown incident has nothing to claim", async () => {
      const { alerts } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      const incidentId = opened.changes[0]?.incident.id ?? "";
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "same alert, another key" }));
      expect(await alerts.claimIncidentUpdates(incidentId)).toBeUndefined();
      expect(await alerts.claimIncidentUpdates("i_missing")).toBeUndefined();
      await alerts.markIncidentUpdatesPosted("incident-update:i_missing:1", 1);
    });
  });
}
