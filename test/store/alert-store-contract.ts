import { describe, expect, it } from "vitest";
import type { DeliveryOutcome } from "../../src/core/ports.js";
import { alert, alertDelivery } from "./alert-store-fixtures.js";
import { type StateUnderTest, useState } from "./state-under-test.js";

/**
 * The behaviour every `AlertStore` owes the webhooks and the incident jobs (src/core/incidents.ts):
 * grouping into incidents, redeliveries, the run compare-and-sets, and two connections recording
 * the same deliveries at once. The outbox is in incident-outbox-contract.ts.
 */
export function describeAlertStoreContract(name: string, makeState: () => Promise<StateUnderTest>): void {
  describe(`AlertStore contract: ${name}`, () => {
    const context = useState(makeState);

    it("opens one incident per group, adds new alerts, resolves it when every alert is resolved, then opens a new one", async () => {
      const { alerts } = context.state;
      const opened = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1" }));
      expect(opened.deliveryId).toMatch(/^d_/);
      const [first] = opened.changes;
      expect(first?.change).toBe("opened");
      expect(first?.incident).toEqual({
        id: expect.stringMatching(/^i_/),
        source: "alertmanager",
        groupKey: "g1",
        status: "open",
        title: "HighErrorRate on checkout",
        runId: null,
        openedAt: 1_000,
        updatedAt: 1_000,
        resolvedAt: null,
        alertCount: 1,
        firingCount: 1,
      });
      const incidentId = first?.incident.id ?? "";

      const updated = await alerts.recordDelivery(alertDelivery({ fingerprint: "a2", receivedAt: 2_000 }));
      expect(updated.changes[0]).toMatchObject({ change: "updated", incident: { id: incidentId, status: "open" }, newAlerts: [{ fingerprint: "a2" }] });

      const partly = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1", status: "resolved", receivedAt: 3_000 }));
      expect(partly.changes[0]).toMatchObject({ change: "updated", incident: { status: "open" }, resolvedAlerts: [{ fingerprint: "a1" }] });

      const resolved = await alerts.recordDelivery(alertDelivery({ fingerprint: "a2", status: "resolved", receivedAt: 4_000 }));
      expect(resolved.changes[0]).toMatchObject({ change: "resolved", incident: { id: incidentId, status: "resolved", resolvedAt: 4_000 } });

      const again = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "refire", receivedAt: 5_000 }));
      expect(again.changes[0]?.change).toBe("opened");
      expect(again.changes[0]?.incident.id).not.toBe(incidentId);
      expect(await alerts.listIncidents({ limit: 10 })).toHaveLength(2);
      expect(await alerts.listIncidents({ status: "open", limit: 10 })).toHaveLength(1);
      expect(await alerts.listIncidents({ since: 5_000, limit: 10 })).toHaveLength(1);
      expect((await alerts.listIncidents({ limit: 1 }))[0]?.id).toBe(again.changes[0]?.incident.id);
    });

    it("reads an incident back with its alerts exactly, in arrival order", async () => {
      const { alerts } = context.state;
      const firing = [alert("b2"), alert("a1"), alert("c3")];
      const outcome = await alerts.recordDelivery(alertDelivery({ alerts: firing }));
      const incidentId = outcome.changes[0]?.incident.id ?? "";
      await alerts.recordDelivery(alertDelivery({ fingerprint: "d4", receivedAt: 2_000 }));
      const incident = await alerts.getIncident(incidentId);
      expect(incident?.alerts).toEqual([...firing, alert("d4")]);
      expect(incident).toMatchObject({ alertCount: 4, firingCount: 4, updatedAt: 2_000 });
      expect((await alerts.listIncidents({ limit: 5 }))[0]).toEqual(incident);
    });

    it("keeps each alert's own status within one delivery", async () => {
      const { alerts } = context.state;
      const outcome = await alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a2", "resolved")] }));
      expect(outcome.changes[0]?.newAlerts.map((item) => item.fingerprint)).toEqual(["a1"]);
      expect(outcome.changes[0]?.incident).toMatchObject({ alertCount: 1, firingCount: 1 });
      expect((await alerts.getIncident(outcome.changes[0]?.incident.id ?? ""))?.alerts.map((item) => item.fingerprint)).toEqual(["a1"]);
    });

    it("a redelivery changes nothing and answers with the first delivery's id", async () => {
      const { alerts } = context.state;
      const first = await alerts.recordDelivery(alertDelivery({ deliveryKey: "same" }));
      const second = await alerts.recordDelivery(alertDelivery({ deliveryKey: "same", fingerprint: "other" }));
      expect(second).toEqual({ deliveryId: first.deliveryId, duplicate: true, changes: [] });
      expect(await alerts.countDeliveries()).toBe(1);
      const [incident] = await alerts.listIncidents({ limit: 5 });
      expect(incident?.alerts.map((item) => item.fingerprint)).toEqual(["a1"]);
    });

    it("a resolution for a group with no open incident is kept as a delivery and opens nothing", async () => {
      const { alerts } = context.state;
      const outcome = await alerts.recordDelivery(alertDelivery({ status: "resolved" }));
      expect(outcome).toMatchObject({ duplicate: false, changes: [] });
      expect(await alerts.countDeliveries()).toBe(1);
      expect(await alerts.listIncidents({ limit: 5 })).toEqual([]);
    });

    it("attaches a run once (compare-and-set) and finds the incident by it", async () => {
      const { alerts } = context.state;
      const outcome = await alerts.recordDelivery(alertDelivery({}));
      const incidentId = outcome.changes[0]?.incident.id ?? "";
      expect(await alerts.attachRun(incidentId, "r_1")).toBe(true);
      expect(await alerts.attachRun(incidentId, "r_2")).toBe(false);
      expect((await alerts.findIncidentByRun("r_1"))?.id).toBe(incidentId);
      expect((await alerts.findIncidentByRun("r_1"))?.alerts.map((item) => item.fingerprint)).toEqual(["a1"]);
      expect(await alerts.findIncidentByRun("r_2")).toBeUndefined();
      expect((await alerts.getIncident(incidentId))?.runId).toBe("r_1");
      expect(await alerts.getIncident("i_missing")).toBeUndefined();
      expect(await alerts.attachRun("i_missing", "r_3")).toBe(false);
    });

    it("replaces an ended run once: only while the run replaced is still the incident's", async () => {
      const { alerts } = context.state;
      const outcome = await alerts.recordDelivery(alertDelivery({}));
      const incidentId = outcome.changes[0]?.incident.id ?? "";
      await alerts.attachRun(incidentId, "r_1");
      expect(await alerts.replaceRun(incidentId, "r_1", "r_1_run2")).toBe(true);
      // A second process that read r_1 too finds it replaced already.
      expect(await alerts.replaceRun(incidentId, "r_1", "r_other")).toBe(false);
      expect((await alerts.getIncident(incidentId))?.runId).toBe("r_1_run2");
      expect((await alerts.findIncidentByRun("r_1_run2"))?.id).toBe(incidentId);
    });

    it("a re-fired alert is news and counts as firing again; a resolution of an alert the incident never saw is not kept", async () => {
      const { alerts } = context.state;
      await alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a2")] }));
      await alerts.recordDelivery(alertDelivery({ fingerprint: "a1", status: "resolved", receivedAt: 2_000 }));
      const refired = await alerts.recordDelivery(alertDelivery({ fingerprint: "a1", deliveryKey: "a1-again", receivedAt: 3_000 }));
      expect(refired.changes[0]).toMatchObject({ change: "updated", incident: { alertCount: 2, firingCount: 2 }, newAlerts: [{ fingerprint: "a1" }] });
      const stranger = await alerts.recordDelivery(alertDelivery({ fingerprint: "zz", status: "resolved", receivedAt: 4_000 }));
      expect(stranger.changes[0]).toMatchObject({ change: "unchanged", incident: { alertCount: 2, firingCount: 2 }, resolvedAlerts: [] });
      const incident = await alerts.getIncident(refired.changes[0]?.incident.id ?? "");
      expect(incident?.alerts.map((item) => `${item.fingerprint}=${item.status}`)).toEqual(["a1=firing", "a2=firing"]);
    });

    it("the last state of a fingerprint within one delivery wins: firing then resolved opens nothing", async () => {
      const { alerts } = context.state;
      const outcome = await alerts.recordDelivery(alertDelivery({ alerts: [alert("a1"), alert("a1", "resolved")] }));
      expect(outcome.changes).toEqual([]);
      expect(await alerts.listIncidents({ limit: 5 })).toEqual([]);
    });

    it("keeps a large raw body, and the delivery is durable once recordDelivery resolves", async () => {
      const rawBody = JSON.stringify({ padding: "x".repeat(200_000) });
      const outcome = await context.state.alerts.recordDelivery(alertDelivery({ rawBody }));
      const other = await context.state.connectAgain();
      expect(await other.alerts.countDeliveries()).toBe(1);
      expect((await other.alerts.listIncidents({ limit: 1 }))[0]?.id).toBe(outcome.changes[0]?.incident.id);
    });

    it("accepts U+0000 anywhere a sender can put it: the alerts keep it, and the group still groups", async () => {
      const { alerts } = context.state;
      const hostile = { ...alert("f\u0000p"), summary: "nul \u0000 inside", labels: { "k\u0000": "v\u0000" } };
      const delivery = { ...alertDelivery({ groupKey: "g\u00001", alerts: [hostile] }), title: "t\u0000", rawBody: '{"a":"\u0000"}' };
      const opened = await alerts.recordDelivery(delivery);
      expect(opened.changes[0]?.change).toBe("opened");
      const incidentId = opened.changes[0]?.incident.id ?? "";
      expect((await alerts.getIncident(incidentId))?.alerts).toEqual([hostile]);
      const next = await alerts.recordDelivery({ ...alertDelivery({ groupKey: "g\u00001", fingerprint: "a2", receivedAt: 2_000 }) });
      expect(next.changes[0]).toMatchObject({ change: "updated", incident: { id: incidentId, alertCount: 2 } });
      expect(await alerts.recordDelivery(delivery)).toEqual({ deliveryId: opened.deliveryId, duplicate: true, changes: [] });
    });

    it("keys of any length: a group key, fingerprint and delivery key of 3,000 characters group, update and redeliver like short ones", async () => {
      const { alerts } = context.state;
      const long = (seed: string): string => `${seed}:${"ß".repeat(3_000)}`;
      const giant = alert(long("fingerprint"));
      const delivery = alertDelivery({ groupKey: long("group"), alerts: [giant], deliveryKey: long("delivery") });
      const opened = await alerts.recordDelivery(delivery);
      expect(opened.changes[0]?.change).toBe("opened");
      expect(await alerts.recordDelivery(delivery)).toEqual({ deliveryId: opened.deliveryId, duplicate: true, changes: [] });
      const resolved = await alerts.recordDelivery(
        alertDelivery({ groupKey: long("group"), alerts: [alert(giant.fingerprint, "resolved")], receivedAt: 2_000 }),
      );
      expect(resolved.changes[0]).toMatchObject({ change: "resolved", incident: { id: opened.changes[0]?.incident.id, alertCount: 1, firingCount: 0 } });
      expect((await alerts.getIncident(opened.changes[0]?.incident.id ?? ""))?.alerts).toEqual([alert(giant.fingerprint, "resolved")]);
    });

    it("an alert storm: one delivery of 2,000 alerts, then one resolving them all", async () => {
      const { alerts } = context.state;
      const storm = Array.from({ length: 2_000 }, (_, index) => alert(`s${String(index)}`));
      const opened = await alerts.recordDelivery(alertDelivery({ alerts: storm }));
      expect(opened.changes[0]?.incident).toMatchObject({ alertCount: 2_000, firingCount: 2_000 });
      const calm = await alerts.recordDelivery(alertDelivery({ alerts: storm.map((item) => alert(item.fingerprint, "resolved")), receivedAt: 2_000 }));
      expect(calm.changes[0]).toMatchObject({ change: "resolved", incident: { alertCount: 2_000, firingCount: 0 } });
      expect(calm.changes[0]?.resolvedAlerts).toHaveLength(2_000);
      expect((await alerts.getIncident(opened.changes[0]?.incident.id ?? ""))?.alerts.map((item) => item.fingerprint)).toEqual(
        storm.map((item) => item.fingerprint),
      );
    });

    it("two connections recording the same deliveries at the same moment, many times: each is new once, with one id, one incident per group", async () => {
      const second = await context.state.connectAgain();
      const receivers = [context.state.alerts, second.alerts];
      const rounds = 40;
      const outcomes: DeliveryOutcome[][] = [];
      for (let round = 0; round < rounds; round++) {
        // Every round fires a new alert in one of four groups: the first per group opens its incident.
        const delivery = alertDelivery({
          groupKey: `group-${String(round % 4)}`,
          fingerprint: `alert-${String(round)}`,
          deliveryKey: `key-${String(round)}`,
          receivedAt: 1_000 + round,
        });
        outcomes.push(await Promise.all(receivers.map((receiver) => receiver.recordDelivery(delivery))));
      }
      for (const [left, right] of outcomes) {
        expect([left?.duplicate, right?.duplicate].sort()).toEqual([false, true]);
        expect(left?.deliveryId).toBe(right?.deliveryId);
      }
      const changes = outcomes.flat().flatMap((outcome) => outcome.changes);
      expect(changes.filter((change) => change.change === "opened")).toHaveLength(4);
      expect(changes.filter((change) => change.change === "updated")).toHaveLength(rounds - 4);
      expect(await context.state.alerts.countDeliveries()).toBe(rounds);
      const open = await context.state.alerts.listIncidents({ status: "open", limit: 10 });
      expect(open.map((incident) => incident.alertCount).sort()).toEqual([10, 10, 10, 10]);
    });
  });
}
