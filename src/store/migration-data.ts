import type Database from "better-sqlite3";
import { COMPRESS_FROM_BYTES, decodeJson, encodeJson } from "./json-columns.js";

/**
 * Data moves that migrations cannot write in SQL (compressed JSON columns are decoded in
 * JavaScript). Each runs inside its migration's transaction, after the migration's SQL.
 */

/** Migration 5: each incident's \`alerts\` JSON column into incident_alerts rows; the column is dropped. */
export function moveIncidentAlertsToRows(database: Database.Database): void {
  const insert = database.prepare("INSERT INTO incident_alerts (incident_id, fingerprint, position, status, alert) VALUES (?, ?, ?, ?, ?)");
  const counts = database.prepare("UPDATE incidents SET alert_count = ?, firing_count = ? WHERE id = ?");
  const rows = database.prepare<[], { id: string; alerts: string | Buffer }>("SELECT id, alerts FROM incidents").all();
  for (const row of rows) {
    const alerts = decodeJson(row.alerts);
    if (!Array.isArray(alerts)) continue;
    let position = 0;
    let firing = 0;
    for (const alert of alerts as Array<{ fingerprint?: unknown; status?: unknown }>) {
      if (typeof alert.fingerprint !== "string") continue;
      const status = alert.status === "resolved" ? "resolved" : "firing";
      if (status === "firing") firing += 1;
      insert.run(row.id, alert.fingerprint, position, status, encodeJson(alert, { compressFromBytes: COMPRESS_FROM_BYTES }));
      position += 1;
    }
    counts.run(position, firing, row.id);
  }
  database.exec("ALTER TABLE incidents DROP COLUMN alerts");
}
