import { statement } from "./transactions.js";

/**
 * The alert store's statements (tables of migration 4), named so each connection prepares them
 * once. An incident is always read in one statement with its alerts folded in (`json_agg` in
 * position order), so a reader never sees the counts of one delivery and the alerts of another.
 */

/**
 * The first key of the advisory locks deliveries of one alert group take turns on; the second
 * is the group's hash. A pair of int4 keys never meets the bigint key of the migration lock.
 */
export const ALERT_GROUP_LOCK_CLASS = 0x62746e01;

const INCIDENT_COLUMNS = "i.id, i.source, i.group_key, i.status, i.title, i.run_id, i.opened_at, i.updated_at, i.resolved_at, i.alert_count, i.firing_count";
const WITH_ALERTS = `${INCIDENT_COLUMNS},
  coalesce((SELECT json_agg(a.alert ORDER BY a.position) FROM incident_alerts a WHERE a.incident_id = i.id), '[]'::json) AS alerts`;

export const ALERT_STATEMENTS = {
  // ─── recording a delivery ───
  /** Waits until no other transaction records a delivery of this group; held until commit. */
  lockGroup: statement("baton_alert_lock_group", "SELECT pg_advisory_xact_lock($1::integer, hashtext($2))"),
  /** No row back: the key was taken (by a delivery committed before, or one this waited for). */
  insertDelivery: statement(
    "baton_alert_insert_delivery",
    `INSERT INTO deliveries (id, source, delivery_key, received_at, raw_body, alerts) VALUES ($1, $2, $3, $4, $5::json, $6::json)
     ON CONFLICT (delivery_key) DO NOTHING RETURNING id`,
  ),
  deliveryByKey: statement("baton_alert_delivery_by_key", "SELECT id FROM deliveries WHERE delivery_key = $1"),
  lockOpenIncident: statement(
    "baton_alert_lock_open_incident",
    "SELECT id, alert_count, firing_count FROM incidents WHERE source = $1 AND group_key = $2 AND status = 'open' FOR UPDATE",
  ),
  insertIncident: statement(
    "baton_alert_insert_incident",
    `INSERT INTO incidents (id, source, group_key, status, title, run_id, opened_at, updated_at, resolved_at, alert_count, firing_count)
     VALUES ($1, $2, $3, 'open', $4, NULL, $5, $5, NULL, 0, 0)`,
  ),
  alertStatuses: statement("baton_alert_statuses", "SELECT fingerprint, status FROM incident_alerts WHERE incident_id = $1 AND fingerprint = ANY($2::text[])"),
  insertAlerts: statement(
    "baton_alert_insert_alerts",
    `INSERT INTO incident_alerts (incident_id, fingerprint, position, status, alert)
     SELECT $1, a.fingerprint, a.position, a.status, a.alert
     FROM unnest($2::text[], $3::integer[], $4::text[], $5::json[]) AS a(fingerprint, position, status, alert)`,
  ),
  updateAlerts: statement(
    "baton_alert_update_alerts",
    `UPDATE incident_alerts SET status = a.status, alert = a.alert
     FROM unnest($2::text[], $3::text[], $4::json[]) AS a(fingerprint, status, alert)
     WHERE incident_alerts.incident_id = $1 AND incident_alerts.fingerprint = a.fingerprint`,
  ),
  updateIncident: statement(
    "baton_alert_update_incident",
    `UPDATE incidents i SET status = $2, updated_at = $3, resolved_at = $4, alert_count = $5, firing_count = $6
     WHERE i.id = $1 RETURNING ${INCIDENT_COLUMNS}`,
  ),
  insertUpdate: statement(
    "baton_alert_insert_update",
    `INSERT INTO incident_updates (incident_id, delivery_id, resolves, new_alerts, resolved_alerts, created_at)
     VALUES ($1, $2, $3, $4::json, $5::json, $6)`,
  ),

  // ─── reading incidents ───
  incidentById: statement("baton_alert_incident_by_id", `SELECT ${WITH_ALERTS} FROM incidents i WHERE i.id = $1`),
  incidentByRun: statement("baton_alert_incident_by_run", `SELECT ${WITH_ALERTS} FROM incidents i WHERE i.run_id = $1 ORDER BY i.opened_at DESC LIMIT 1`),
  listIncidents: statement(
    "baton_alert_list_incidents",
    `SELECT ${WITH_ALERTS} FROM incidents i
     WHERE ($1::text IS NULL OR i.status = $1) AND i.opened_at >= $2
     ORDER BY i.opened_at DESC, i.id DESC
     LIMIT $3`,
  ),
  attachRun: statement("baton_alert_attach_run", "UPDATE incidents SET run_id = $2 WHERE id = $1 AND run_id IS NULL"),
  replaceRun: statement("baton_alert_replace_run", "UPDATE incidents SET run_id = $3 WHERE id = $1 AND run_id = $2"),
  countDeliveries: statement("baton_alert_count_deliveries", "SELECT count(*) AS count FROM deliveries"),

  // ─── the incident update outbox ───
  owedIncidents: statement(
    "baton_alert_owed_incidents",
    "SELECT incident_id FROM incident_updates WHERE posted_at IS NULL GROUP BY incident_id ORDER BY min(id) LIMIT $1",
  ),
  /** Claims of one incident take turns on its row, as its deliveries do. */
  lockIncident: statement("baton_alert_lock_incident", "SELECT id FROM incidents WHERE id = $1 FOR UPDATE"),
  claimedBatch: statement(
    "baton_alert_claimed_batch",
    "SELECT batch FROM incident_updates WHERE incident_id = $1 AND posted_at IS NULL AND batch IS NOT NULL ORDER BY id LIMIT 1",
  ),
  unclaimed: statement("baton_alert_unclaimed", "SELECT id FROM incident_updates WHERE incident_id = $1 AND batch IS NULL ORDER BY id LIMIT $2"),
  claim: statement("baton_alert_claim", "UPDATE incident_updates SET batch = $2 WHERE incident_id = $1 AND batch IS NULL AND id >= $3 AND id <= $4"),
  rowsOfBatch: statement(
    "baton_alert_rows_of_batch",
    "SELECT id, incident_id, delivery_id, resolves, new_alerts, resolved_alerts FROM incident_updates WHERE batch = $1 ORDER BY id",
  ),
  markPosted: statement("baton_alert_mark_posted", "UPDATE incident_updates SET posted_at = $2 WHERE batch = $1 AND posted_at IS NULL"),
} as const;
