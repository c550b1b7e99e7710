import { createHash } from "node:crypto";
import type { AlertSource, DeliveryInput, NormalizedAlert } from "../core/ports.js";
import type { AlertmanagerPayload, GenericPayload, GrafanaPayload, PagerDutyPayload } from "./payload-schemas.js";

/** Each sender's payload as baton's delivery: its group, its title and its alerts, normalised. */

type PrometheusStyle = AlertmanagerPayload | GrafanaPayload;

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);
/** Alertmanager sends 0001-01-01T00:00:00Z as "no end yet". */
const time = (value: string | undefined): string | null => (value === undefined || value.startsWith("0001-01-01") ? null : value);

function fromPrometheusStyle(payload: PrometheusStyle): NormalizedAlert[] {
  return payload.alerts.map((alert) => {
    const labels = { ...payload.commonLabels, ...alert.labels };
    const annotations = alert.annotations;
    return {
      fingerprint: alert.fingerprint,
      name: labels["alertname"] ?? "unnamed alert",
      // A group with status firing can hold resolved alerts: each alert's own status counts.
      status: alert.status,
      severity: labels["severity"] ?? null,
      service: labels["service"] ?? labels["job"] ?? null,
      summary: annotations["summary"] ?? annotations["message"] ?? labels["alertname"] ?? "",
      description: annotations["description"] ?? "",
      labels,
      annotations,
      runbookUrl: annotations["runbook_url"] ?? null,
      startsAt: time(alert.startsAt),
      endsAt: time(alert.endsAt),
      generatorUrl: alert.generatorURL ?? null,
    };
  });
}

function titleOf(alerts: ReadonlyArray<NormalizedAlert>, fallback: string): string {
  const first = alerts[0];
  if (!first) return fallback;
  return `${first.name}${first.service ? ` on ${first.service}` : ""}`;
}

/** Redelivery key: the group, and every alert's fingerprint with its status. */
function prometheusKey(source: AlertSource, payload: PrometheusStyle): string {
  const alerts = payload.alerts
    .map((alert) => `${alert.fingerprint}:${alert.status}`)
    .sort()
    .join(",");
  return hash(`${source}\u0000${payload.groupKey}\u0000${alerts}`);
}

export function alertmanagerDelivery(payload: AlertmanagerPayload, rawBody: string, receivedAt: number): DeliveryInput {
  const alerts = fromPrometheusStyle(payload);
  return {
    source: "alertmanager",
    deliveryKey: prometheusKey("alertmanager", payload),
    receivedAt,
    rawBody,
    groupKey: payload.groupKey,
    title: titleOf(alerts, payload.groupKey),
    alerts,
  };
}

export function grafanaDelivery(payload: GrafanaPayload, rawBody: string, receivedAt: number): DeliveryInput {
  const alerts = fromPrometheusStyle(payload);
  return {
    source: "grafana",
    deliveryKey: prometheusKey("grafana", payload),
    receivedAt,
    rawBody,
    groupKey: payload.groupKey,
    title: titleOf(alerts, payload.title ?? payload.groupKey),
    alerts,
  };
}

/** `webhookId` is PagerDuty's X-Webhook-Id: the same for every retry of one delivery. */
export function pagerDutyDelivery(payload: PagerDutyPayload, rawBody: string, receivedAt: number, webhookId: string | undefined): DeliveryInput {
  const { event } = payload;
  const incident = event.data;
  const resolved = event.event_type === "incident.resolved" || incident.status === "resolved";
  const alert: NormalizedAlert = {
    fingerprint: `pagerduty:${incident.id}`,
    name: incident.title || `PagerDuty incident ${incident.id}`,
    status: resolved ? "resolved" : "firing",
    severity: incident.priority?.summary ?? incident.urgency ?? null,
    service: incident.service?.summary ?? null,
    summary: incident.title,
    description: `${event.event_type} at ${event.occurred_at}`,
    labels: { event_type: event.event_type, incident_id: incident.id },
    annotations: {},
    runbookUrl: null,
    startsAt: event.occurred_at,
    endsAt: resolved ? event.occurred_at : null,
    generatorUrl: incident.html_url ?? null,
  };
  return {
    source: "pagerduty",
    deliveryKey: hash(`pagerduty\u0000${webhookId ?? event.id}`),
    receivedAt,
    rawBody,
    groupKey: incident.id,
    title: alert.name,
    alerts: [alert],
  };
}

export function genericDelivery(payload: GenericPayload, rawBody: string, receivedAt: number): DeliveryInput {
  const group = payload.group ?? payload.title;
  const alert: NormalizedAlert = {
    fingerprint: hash(`generic\u0000${group}\u0000${payload.title}`),
    name: payload.title,
    status: payload.status,
    severity: payload.severity ?? null,
    service: payload.labels["service"] ?? null,
    summary: payload.title,
    description: payload.description,
    labels: payload.labels,
    annotations: {},
    runbookUrl: payload.runbookUrl ?? null,
    startsAt: new Date(receivedAt).toISOString(),
    endsAt: null,
    generatorUrl: null,
  };
  return { source: "generic", deliveryKey: hash(`generic\u0000${rawBody}`), receivedAt, rawBody, groupKey: group, title: payload.title, alerts: [alert] };
}
