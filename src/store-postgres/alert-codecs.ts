import { z } from "zod";
import { NormalizedAlertSchema, type IncidentRecord, type IncidentSummary, type IncidentUpdateBatch } from "../core/ports.js";
import { bigintColumn, parseRow } from "./row-codecs.js";

/** The alert store's rows → records (what pg hands back is `unknown` until these check it). */

const incidentRowSchema = z.object({
  id: z.string(),
  source: z.enum(["alertmanager", "grafana", "pagerduty", "generic"]),
  group_key: z.string(),
  status: z.enum(["open", "resolved"]),
  title: z.string(),
  run_id: z.string().nullable(),
  opened_at: bigintColumn,
  updated_at: bigintColumn,
  resolved_at: bigintColumn.nullable(),
  alert_count: z.number().int(),
  firing_count: z.number().int(),
});

const alertsSchema = z.array(NormalizedAlertSchema);

export function toIncidentSummary(row: unknown): IncidentSummary {
  const incident = parseRow(incidentRowSchema, row, "incidents");
  return {
    id: incident.id,
    source: incident.source,
    groupKey: incident.group_key,
    status: incident.status,
    title: incident.title,
    runId: incident.run_id,
    openedAt: incident.opened_at,
    updatedAt: incident.updated_at,
    resolvedAt: incident.resolved_at,
    alertCount: incident.alert_count,
    firingCount: incident.firing_count,
  };
}

/** A row of the incident statements that fold the alerts in (`alerts`, in arrival order). */
export function toIncidentRecord(row: unknown): IncidentRecord {
  const { alerts } = parseRow(z.object({ alerts: alertsSchema }), row, "incident_alerts");
  return { ...toIncidentSummary(row), alerts };
}

export const openIncidentRowSchema = z.object({ id: z.string(), alert_count: z.number().int(), firing_count: z.number().int() });
export const alertStatusRowSchema = z.object({ fingerprint: z.string(), status: z.enum(["firing", "resolved"]) });
export const idRowSchema = z.object({ id: z.string() });
export const countRowSchema = z.object({ count: bigintColumn });
export const owedRowSchema = z.object({ incident_id: z.string() });
export const batchRowSchema = z.object({ batch: z.string() });
export const updateIdRowSchema = z.object({ id: bigintColumn });

const updateRowSchema = z.object({
  id: bigintColumn,
  incident_id: z.string(),
  delivery_id: z.string(),
  resolves: z.boolean(),
  new_alerts: alertsSchema,
  resolved_alerts: alertsSchema,
});

/** The rows of one claimed batch, folded into one thread reply; undefined for no rows. */
export function toUpdateBatch(key: string, rows: unknown[]): IncidentUpdateBatch | undefined {
  const updates = rows.map((row) => parseRow(updateRowSchema, row, "incident_updates"));
  const last = updates.at(-1);
  if (last === undefined) return undefined;
  return {
    key,
    incidentId: last.incident_id,
    deliveryId: last.delivery_id,
    resolves: updates.some((update) => update.resolves),
    newAlerts: updates.flatMap((update) => update.new_alerts),
    resolvedAlerts: updates.flatMap((update) => update.resolved_alerts),
  };
}
