// The state stores beside the chain store (message ledger, alerts, command intents, retention) on
// SQLite and on PostgreSQL, call by call: latency per call (p50 / p99) and calls per second, one
// caller at a time, then recordDelivery from two pools at once (two replicas). A diagnostic, not
// part of `npm run bench`.
//
//   node --import tsx state-stores.ts [--n=2000] [--url=postgres://postgres@127.0.0.1:5432/postgres]
//
// The URL names a database from which a throw-away one is created (and dropped afterwards).

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DeliveryInput, NormalizedAlert } from "../src/core/ports.js";
import { pruneAuditDetail } from "../src/core/retention.js";
import { openSqliteState } from "../src/store/index.js";
import { openPostgresState } from "../src/store-postgres/index.js";
import { parseArguments, quantile, r2 } from "./workload.mjs";

const { named } = parseArguments(process.argv.slice(2));
const n = Number(named.n ?? 2000);
const adminUrl = String(named.url ?? "postgres://postgres@127.0.0.1:5432/postgres");

interface Ports {
  state: Awaited<ReturnType<typeof openPostgresState>> | ReturnType<typeof openSqliteState>;
  second: () => Promise<Ports["state"]>;
}

function alert(fingerprint: string, status: NormalizedAlert["status"] = "firing"): NormalizedAlert {
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
    startsAt: "2026-12-01T10:00:00Z",
    endsAt: null,
    generatorUrl: null,
  };
}

function delivery(index: number, prefix: string): DeliveryInput {
  const alerts = [alert(`${prefix}-${String(index)}`)];
  return {
    source: "alertmanager",
    deliveryKey: `${prefix}-${String(index)}`,
    receivedAt: 1_000 + index,
    rawBody: JSON.stringify({ alerts }),
    groupKey: `group-${String(index % 50)}`,
    title: "HighErrorRate",
    alerts,
  };
}

async function timed(label: string, count: number, call: (index: number) => Promise<unknown>): Promise<Record<string, number | string>> {
  const times: number[] = [];
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    const before = performance.now();
    await call(index);
    times.push(performance.now() - before);
  }
  const total = performance.now() - started;
  return { call: label, p50Ms: r2(quantile(times, 0.5)), p99Ms: r2(quantile(times, 0.99)), perSecond: Math.round((count / total) * 1000) };
}

async function measure(name: string, ports: Ports): Promise<void> {
  const { state } = ports;
  const rows = [
    await timed("ledger.claimMessage (new key)", n, (index) =>
      state.ledger.claimMessage({ key: `reminder:${String(index)}`, runId: null, channel: "C1", at: index }),
    ),
    await timed("ledger.claimMessage (taken key)", n, (index) =>
      state.ledger.claimMessage({ key: `reminder:${String(index)}`, runId: null, channel: "C1", at: index }),
    ),
    await timed("alerts.recordDelivery (new alert, 50 groups)", n, (index) => state.alerts.recordDelivery(delivery(index, "a"))),
    await timed("alerts.recordDelivery (redelivery)", n, (index) => state.alerts.recordDelivery(delivery(index, "a"))),
    await timed("alerts.claimIncidentUpdates + mark posted", 50, async (index) => {
      const [incident] = await state.alerts.listIncidents({ limit: 1, since: 0 });
      const batch = await state.alerts.claimIncidentUpdates(incident?.id ?? "");
      if (batch) await state.alerts.markIncidentUpdatesPosted(batch.key, index);
    }),
    await timed("intents.recordIntent + finishIntent", n, async (index) =>
      state.intents.finishIntent(await state.intents.recordIntent({ kind: "slack.review", payload: { number: index }, at: index }), index),
    ),
  ];
  const other = await ports.second();
  const concurrent = performance.now();
  await Promise.all(
    [state, other].map(async (replica) => {
      for (let index = 0; index < n; index++) await replica.alerts.recordDelivery(delivery(index, "b"));
    }),
  );
  const twoPools = performance.now() - concurrent;
  rows.push({
    call: "alerts.recordDelivery, same deliveries from two connections at once",
    p50Ms: "—",
    p99Ms: "—",
    perSecond: Math.round(((2 * n) / twoPools) * 1000),
  });
  const pass = performance.now();
  const report = await pruneAuditDetail(state.retention, { olderThanMs: 0, now: 10_000_000 });
  rows.push({ call: `retention pass (${String(report.deliveries)} deliveries)`, p50Ms: r2(performance.now() - pass), p99Ms: "—", perSecond: "—" });
  console.log(`\n${name}`);
  console.table(rows);
  await other.close();
}

const directory = mkdtempSync(join(tmpdir(), "baton-state-bench-"));
try {
  const path = join(directory, "baton.db");
  const sqlite = openSqliteState(path);
  await measure("SQLite (WAL, one file)", { state: sqlite, second: async () => openSqliteState(path) });
  sqlite.close();
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const name = `baton_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const postgres = await openPostgresState(url.toString());
  await measure(`PostgreSQL (${url.host})`, { state: postgres, second: () => openPostgresState(url.toString()) });
  await postgres.close();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
