import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import type { DeliveryInput, DeliveryOutcome, IdGenerator, IncidentChange, IncidentUpdateBatch, NormalizedAlert } from "../core/ports.js";
import {
  alertStatusRowSchema,
  batchRowSchema,
  idRowSchema,
  openIncidentRowSchema,
  toIncidentSummary,
  toUpdateBatch,
  updateIdRowSchema,
} from "./alert-codecs.js";
import { ALERT_GROUP_LOCK_CLASS, ALERT_STATEMENTS as STATEMENTS } from "./alert-statements.js";
import { jsonText } from "./record-values.js";
import { parseRow } from "./row-codecs.js";
import { queryCount, queryRows } from "./transactions.js";

/**
 * The alert store's writes, each the body of one transaction (postgres-alert-store.ts opens it),
 * grouping as sqlite-alert-store.ts does.
 *
 * Two replicas behind a load balancer receive the same Alertmanager group at the same moment
 * (a retry, or two Alertmanagers in a cluster). Each delivery first takes the advisory lock of
 * its group, held until commit, so deliveries of one group are recorded one after the other:
 * the second finds the first's delivery key (a redelivery) or its open incident (one incident).
 * READ COMMITTED gives each statement after the lock a snapshot that includes the first's commit.
 */

/** How many owed rows one thread reply folds at most; the rest go in the next. */
const MAX_ROWS_PER_BATCH = 1_000;

/**
 * Text as a text column can hold it: PostgreSQL refuses U+0000 in text, which a sender may put
 * in a group key, a title or a fingerprint. It becomes U+FFFD; the alerts (json) keep it.
 */
export function storableText(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
}

/** Longer keys are indexed as their hash: a B-tree entry holds at most 2704 bytes. */
const MAX_KEY_BYTES = 1_024;

/**
 * A sender's key (delivery key, group key, fingerprint) as its indexed column holds it: storable
 * text, and a key too long for an index entry as `sha256:` and its hash, the same for the same
 * key, so a giant group still groups and its redelivery is still recognised.
 */
export function keyText(value: string): string {
  const text = storableText(value);
  if (Buffer.byteLength(text, "utf8") <= MAX_KEY_BYTES) return text;
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

export async function writeDelivery(client: PoolClient, input: DeliveryInput, ids: IdGenerator): Promise<DeliveryOutcome> {
  const groupKey = keyText(input.groupKey);
  const deliveryKey = keyText(input.deliveryKey);
  await queryRows(client, STATEMENTS.lockGroup, [ALERT_GROUP_LOCK_CLASS, `${input.source}\n${groupKey}`]);
  const deliveryId = ids.next("d_");
  const inserted = await queryRows(client, STATEMENTS.insertDelivery, [
    deliveryId,
    input.source,
    deliveryKey,
    input.receivedAt,
    jsonText(input.rawBody),
    jsonText(input.alerts),
  ]);
  if (inserted.length === 0) {
    const [existing] = await queryRows(client, STATEMENTS.deliveryByKey, [deliveryKey]);
    // Retention deleted the first delivery in between: the webhook answers 503, and the
    // sender's retry records this one anew.
    if (existing === undefined) throw new Error(`the delivery with key ${deliveryKey} was deleted while its redelivery was recorded`);
    return { deliveryId: parseRow(idRowSchema, existing, "deliveries").id, duplicate: true, changes: [] };
  }

  // The last state of each fingerprint in the delivery wins, as if it came alone.
  const latest = new Map<string, NormalizedAlert>();
  for (const alert of input.alerts) latest.set(keyText(alert.fingerprint), alert);
  const [openRow] = await queryRows(client, STATEMENTS.lockOpenIncident, [input.source, groupKey]);
  const open = openRow === undefined ? undefined : parseRow(openIncidentRowSchema, openRow, "incidents");
  const at = input.receivedAt;
  let incidentId: string;
  let alertCount = 0;
  let firingCount = 0;
  if (open === undefined) {
    // Only resolutions for a group with no open incident: nothing to open (kept as a delivery).
    if (![...latest.values()].some((alert) => alert.status === "firing")) return { deliveryId, duplicate: false, changes: [] };
    incidentId = ids.next("i_");
    await queryCount(client, STATEMENTS.insertIncident, [incidentId, input.source, groupKey, storableText(input.title), at]);
  } else {
    incidentId = open.id;
    alertCount = open.alert_count;
    firingCount = open.firing_count;
  }

  const statusRows = await queryRows(client, STATEMENTS.alertStatuses, [incidentId, [...latest.keys()]]);
  const before = new Map(statusRows.map((row) => parseRow(alertStatusRowSchema, row, "incident_alerts")).map((row) => [row.fingerprint, row.status]));
  // Each incoming alert against its own row only: latest state per fingerprint. A resolution
  // of an alert this incident never saw firing is not kept (nothing to resolve).
  const added: NormalizedAlert[] = [];
  const resolved: NormalizedAlert[] = [];
  const inserts = { fingerprints: [] as string[], positions: [] as number[], statuses: [] as string[], alerts: [] as string[] };
  const updates = { fingerprints: [] as string[], statuses: [] as string[], alerts: [] as string[] };
  for (const [fingerprint, alert] of latest) {
    const was = before.get(fingerprint);
    if (was === undefined) {
      if (alert.status !== "firing") continue;
      inserts.fingerprints.push(fingerprint);
      inserts.positions.push(alertCount);
      inserts.statuses.push(alert.status);
      inserts.alerts.push(jsonText(alert));
      alertCount += 1;
      firingCount += 1;
      added.push(alert);
      continue;
    }
    updates.fingerprints.push(fingerprint);
    updates.statuses.push(alert.status);
    updates.alerts.push(jsonText(alert));
    if (was === "firing" && alert.status === "resolved") {
      firingCount -= 1;
      resolved.push(alert);
    } else if (was === "resolved" && alert.status === "firing") {
      // Fires again: the thread hears it like a new alert.
      firingCount += 1;
      added.push(alert);
    }
  }
  if (inserts.fingerprints.length > 0) {
    await queryCount(client, STATEMENTS.insertAlerts, [incidentId, inserts.fingerprints, inserts.positions, inserts.statuses, inserts.alerts]);
  }
  if (updates.fingerprints.length > 0) await queryCount(client, STATEMENTS.updateAlerts, [incidentId, updates.fingerprints, updates.statuses, updates.alerts]);

  const allResolved = firingCount === 0;
  const change: IncidentChange["change"] =
    open === undefined ? "opened" : allResolved ? "resolved" : added.length > 0 || resolved.length > 0 ? "updated" : "unchanged";
  const [incidentRow] = await queryRows(client, STATEMENTS.updateIncident, [
    incidentId,
    allResolved ? "resolved" : "open",
    at,
    allResolved ? at : null,
    alertCount,
    firingCount,
  ]);
  if (change === "updated" || change === "resolved") {
    // Owed to the run's thread, in this transaction: accepted (202) means it will be posted.
    await queryCount(client, STATEMENTS.insertUpdate, [incidentId, deliveryId, change === "resolved", jsonText(added), jsonText(resolved), at]);
  }
  return { deliveryId, duplicate: false, changes: [{ incident: toIncidentSummary(incidentRow), change, newAlerts: added, resolvedAlerts: resolved }] };
}

/**
 * An incident's owed updates as one batch: the batch claimed earlier and not posted, else every
 * owed row (up to the limit) claimed now under a new key. Claims and deliveries of one incident
 * take turns on its row lock, so two replicas claiming at once get the same batch.
 */
export async function writeUpdateClaim(client: PoolClient, incidentId: string): Promise<IncidentUpdateBatch | undefined> {
  await queryRows(client, STATEMENTS.lockIncident, [incidentId]);
  const [claimedRow] = await queryRows(client, STATEMENTS.claimedBatch, [incidentId]);
  if (claimedRow !== undefined) {
    const { batch } = parseRow(batchRowSchema, claimedRow, "incident_updates");
    return toUpdateBatch(batch, await queryRows(client, STATEMENTS.rowsOfBatch, [batch]));
  }
  const owed = (await queryRows(client, STATEMENTS.unclaimed, [incidentId, MAX_ROWS_PER_BATCH])).map(
    (row) => parseRow(updateIdRowSchema, row, "incident_updates").id,
  );
  const first = owed[0];
  const last = owed.at(-1);
  if (first === undefined || last === undefined) return undefined;
  // The key names the incident and its first row: unique, and stable until posted.
  const batch = `incident-update:${incidentId}:${String(first)}`;
  await queryCount(client, STATEMENTS.claim, [incidentId, batch, first, last]);
  return toUpdateBatch(batch, await queryRows(client, STATEMENTS.rowsOfBatch, [batch]));
}
