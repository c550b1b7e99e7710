/**
 * A child process for sqlite-alert-store.test.ts and postgres-state-replicas.test.ts (not a test
 * itself): one baton process on a shared database (a SQLite file, or a PostgreSQL URL) recording
 * the same alert deliveries as another. It prints `ready`, waits for `go <epoch ms>` on stdin,
 * sleeps until then (so both start together), records every delivery and prints one JSON line:
 * per delivery, whether it was new and which incidents it opened.
 *
 *   node --import tsx test/store/alert-racing-process.ts <database path or URL> <delivery count>
 */
import { waitForGo } from "../support/racing-child.js";
import { openSqliteState } from "../../src/store/index.js";
import { isPostgresUrl, openPostgresState } from "../../src/store-postgres/index.js";
import { alertDelivery } from "./alert-store-fixtures.js";

const [database, countText] = process.argv.slice(2);
if (database === undefined || countText === undefined) throw new Error("usage: alert-racing-process.ts <database path or URL> <delivery count>");

const state = isPostgresUrl(database) ? await openPostgresState(database, { maxConnections: 2 }) : openSqliteState(database);
await waitForGo();

const recorded: Array<{ deliveryId: string; duplicate: boolean; opened: string[] }> = [];
for (let index = 0; index < Number(countText); index++) {
  // Every delivery fires a new alert in one of five groups: the first per group opens its incident.
  const outcome = await state.alerts.recordDelivery(
    alertDelivery({ groupKey: `group-${String(index % 5)}`, fingerprint: `alert-${String(index)}`, deliveryKey: `key-${String(index)}` }),
  );
  recorded.push({
    deliveryId: outcome.deliveryId,
    duplicate: outcome.duplicate,
    opened: outcome.changes.filter((change) => change.change === "opened").map((change) => change.incident.id),
  });
}
await state.close();
console.log(JSON.stringify(recorded));
