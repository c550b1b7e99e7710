/**
 * Incidents from alert webhooks: the records and the port of their store. An incident is one
 * alert group (Alertmanager or Grafana `groupKey`, PagerDuty incident id, the generic `group`)
 * while it is open; its alerts are kept at their latest state per fingerprint. Re-exported by
 * `ports.ts`.
 */

import { z } from "zod";

export type AlertSource = "alertmanager" | "grafana" | "pagerduty" | "generic";

/**
 * A normalised alert as JSON (the store reads it back with this, and incident chains take it as
 * input). `endsAt` may be left out by people writing an input by hand.
 */
export const NormalizedAlertSchema = z.object({
  fingerprint: z.string(),
  name: z.string(),
  status: z.enum(["firing", "resolved"]),
  severity: z.string().nullable(),
  service: z.string().nullable(),
  summary: z.string(),
  description: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  runbookUrl: z.string().nullable(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable().default(null),
  generatorUrl: z.string().nullable(),
});

export interface NormalizedAlert {
  fingerprint: string;
  name: string;
  status: "firing" | "resolved";
  severity: string | null;
  service: string | null;
  summary: string;
  description: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runbookUrl: string | null;
  startsAt: string | null;
  endsAt: string | null;
  generatorUrl: string | null;
}

/** An incident without its alerts: what a delivery answers with (reading every alert back would cost as much as the incident is large). */
export interface IncidentSummary {
  id: string;
  source: AlertSource;
  groupKey: string;
  status: "open" | "resolved";
  title: string;
  /** The run the incident started, once started. */
  runId: string | null;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** Alerts seen in this incident, and how many of them fire now. */
  alertCount: number;
  firingCount: number;
}

export interface IncidentRecord extends IncidentSummary {
  /** Latest state per fingerprint, in arrival order. */
  alerts: NormalizedAlert[];
}

export interface DeliveryInput {
  source: AlertSource;
  /** Recognises a redelivery: the same key is accepted once. */
  deliveryKey: string;
  receivedAt: number;
  rawBody: string;
  groupKey: string;
  title: string;
  alerts: NormalizedAlert[];
}

export interface IncidentChange {
  /** The incident after the delivery. On "opened", its alerts are exactly `newAlerts`. */
  incident: IncidentSummary;
  change: "opened" | "updated" | "resolved" | "unchanged";
  newAlerts: NormalizedAlert[];
  resolvedAlerts: NormalizedAlert[];
}

export interface DeliveryOutcome {
  deliveryId: string;
  duplicate: boolean;
  changes: IncidentChange[];
}

/**
 * What an incident's run thread is owed, folded into one reply: the outbox rows of one batch,
 * written by the deliveries that added or resolved alerts.
 */
export interface IncidentUpdateBatch {
  /** The reply's key: the same from when the rows were claimed until the batch is posted. */
  key: string;
  incidentId: string;
  /** The last delivery folded in. */
  deliveryId: string;
  /** A delivery in the batch resolved the incident. */
  resolves: boolean;
  newAlerts: NormalizedAlert[];
  resolvedAlerts: NormalizedAlert[];
}

export interface AlertStore {
  /** In one transaction: keep the delivery (raw body and alerts), recognise a redelivery, group into incidents. */
  recordDelivery(input: DeliveryInput): Promise<DeliveryOutcome>;
  getIncident(incidentId: string): Promise<IncidentRecord | undefined>;
  findIncidentByRun(runId: string): Promise<IncidentRecord | undefined>;
  listIncidents(filter: { status?: "open" | "resolved"; since?: number; limit: number }): Promise<IncidentRecord[]>;
  /** Record the run an incident started; only while it has none (compare-and-set). */
  attachRun(incidentId: string, runId: string): Promise<boolean>;
  /**
   * Put a new run in place of the incident's ended one; only while `fromRunId` is still its run
   * (compare-and-set), so two processes replacing one run agree on one successor.
   */
  replaceRun(incidentId: string, fromRunId: string, toRunId: string): Promise<boolean>;
  countDeliveries(): Promise<number>;
  /** Incidents whose run thread is owed updates (recorded by deliveries, not yet posted). */
  listIncidentsOwedUpdates(limit: number): Promise<string[]>;
  /**
   * An incident's owed updates as one batch: a batch claimed earlier and not posted comes back
   * as it was (same key, same rows); otherwise every owed row is claimed now, under a new key.
   * Undefined when nothing is owed.
   */
  claimIncidentUpdates(incidentId: string): Promise<IncidentUpdateBatch | undefined>;
  /** The batch is in the thread: its rows are owed no more. */
  markIncidentUpdatesPosted(key: string, at: number): Promise<void>;
}
