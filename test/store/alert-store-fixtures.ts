import type { DeliveryInput, NormalizedAlert } from "../../src/core/ports.js";

/** Alerts and deliveries for the alert store's tests, with only what a test cares about spelled out. */

export function alert(fingerprint: string, status: NormalizedAlert["status"] = "firing"): NormalizedAlert {
  return {
    fingerprint,
    name: "HighErrorRate",
    status,
    severity: "critical",
    service: "checkout",
    summary: `error rate high (${fingerprint})`,
    description: "",
    labels: { alertname: "HighErrorRate", instance: fingerprint },
    annotations: {},
    runbookUrl: null,
    startsAt: "2026-11-24T10:00:00Z",
    endsAt: status === "resolved" ? "2026-11-24T10:30:00Z" : null,
    generatorUrl: null,
  };
}

export function alertDelivery(options: {
  groupKey?: string;
  fingerprint?: string;
  status?: NormalizedAlert["status"];
  deliveryKey?: string;
  alerts?: NormalizedAlert[];
  receivedAt?: number;
  rawBody?: string;
}): DeliveryInput {
  const alerts = options.alerts ?? [alert(options.fingerprint ?? "a1", options.status)];
  return {
    source: "alertmanager",
    deliveryKey: options.deliveryKey ?? `${options.groupKey ?? "g1"}:${alerts.map((item) => `${item.fingerprint}=${item.status}`).join(",")}`,
    receivedAt: options.receivedAt ?? 1_000,
    rawBody: options.rawBody ?? JSON.stringify({ alerts }),
    groupKey: options.groupKey ?? "g1",
    title: "HighErrorRate on checkout",
    alerts,
  };
}
