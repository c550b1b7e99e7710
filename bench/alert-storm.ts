// An alert storm against the bot (`npm start`, a child process): N Alertmanager-shaped
// deliveries spread evenly over S seconds across G alert groups, each delivery carrying a new
// firing alert of its group. Measures the webhook's response time, then checks that every
// delivery was persisted, that exactly G incidents (and G incident runs) exist, and the bot's
// peak RSS. The model is the scripted one; Slack is a fake on loopback in this process.
//
//   node --import tsx alert-storm.ts [--deliveries=5000] [--seconds=60] [--groups=50]
//
// Prints a summary, then (last line) one JSON object.

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { startFakeSlackServer } from "../test/support/fake-slack-server.js";
import { startBotProcess } from "./bot-process.js";

const named = Object.fromEntries(
  process.argv
    .slice(2)
    .map((argument) => /^--([a-z-]+)=(.*)$/.exec(argument))
    .filter((match) => match !== null)
    .map((match) => [match[1], match[2]]),
);
const deliveries = Number(named["deliveries"] ?? 5_000);
const seconds = Number(named["seconds"] ?? 60);
const groups = Number(named["groups"] ?? 50);
const TOKEN = "alert-storm-token-0123456789";

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const r2 = (value: number): number => Math.round(value * 100) / 100;

const slack = await startFakeSlackServer();
const directory = mkdtempSync(join(tmpdir(), "baton-bench-storm-"));
const databasePath = join(directory, "storm.db");
const bot = await startBotProcess({
  SLACK_BOT_TOKEN: "xoxb-bench",
  SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
  SLACK_API_URL: slack.apiUrl,
  BATON_MODEL: "scripted",
  BATON_DB: databasePath,
  BATON_WEBHOOK_TOKEN: TOKEN,
  BATON_SLACK_CHANNEL: "C0STORM",
});
const port = bot.port;
const url = `http://127.0.0.1:${String(port)}/webhooks/alertmanager`;
await new Promise((resolve) => setTimeout(resolve, 1_000));
const startRssMib = bot.rssMib("VmRSS");

/** Delivery `index`: group index % groups, and a new firing alert of that group. */
function payload(index: number): string {
  const group = index % groups;
  const alertname = `StormAlert${String(group)}`;
  const instance = `host-${String(Math.floor(index / groups))}`;
  const labels = { alertname, service: `service-${String(group)}`, severity: group % 5 === 0 ? "critical" : "warning", instance };
  return JSON.stringify({
    receiver: "baton",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: { summary: `${alertname} on ${instance}`, description: "synthetic storm" },
        startsAt: new Date().toISOString(),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example/graph",
        fingerprint: `${String(group)}-${instance}`,
      },
    ],
    groupLabels: { alertname, service: labels.service },
    commonLabels: { alertname, service: labels.service },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example",
    version: "4",
    groupKey: `{}:{alertname="${alertname}", service="${labels.service}"}`,
    truncatedAlerts: 0,
  });
}

const latencies: number[] = [];
const statuses = new Map<number, number>();
const pending: Array<Promise<void>> = [];
const started = performance.now();
for (let index = 0; index < deliveries; index += 1) {
  const due = started + (index * seconds * 1000) / deliveries;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const body = payload(index);
  const sent = performance.now();
  pending.push(
    fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body }).then(async (response) => {
      await response.text();
      latencies.push(performance.now() - sent);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }),
  );
}
await Promise.all(pending);
const elapsedSeconds = (performance.now() - started) / 1000;
// Let the incident runs reach their approvals before counting.
await new Promise((resolve) => setTimeout(resolve, 3_000));
const peakRssMib = bot.rssMib("VmHWM");
await bot.stop();
await slack.close();

const database = new Database(databasePath, { readonly: true, fileMustExist: true });
const count = (sql: string): number => (database.prepare(sql).get() as { count: number }).count;
const persisted = count("SELECT count(*) AS count FROM deliveries");
const incidents = count("SELECT count(*) AS count FROM incidents");
const runs = count("SELECT count(*) AS count FROM runs WHERE chain_id = 'incident-response'");
database.close();
rmSync(directory, { recursive: true, force: true });

const sorted = [...latencies].sort((left, right) => left - right);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  load_average_1m: r2(loadavg()[0] ?? 0),
  deliveries,
  groups,
  seconds: r2(elapsedSeconds),
  statuses: Object.fromEntries(statuses),
  response_ms: { p50: r2(quantile(sorted, 0.5)), p95: r2(quantile(sorted, 0.95)), p99: r2(quantile(sorted, 0.99)), max: r2(sorted.at(-1) ?? Number.NaN) },
  persisted,
  incidents,
  incident_runs: runs,
  rss_after_start_mib: r2(startRssMib),
  peak_rss_mib: r2(peakRssMib),
  targets: { p99_ms: 50, incidents: groups, peak_rss_mib: 200 },
};
console.log(
  `${String(deliveries)} Alertmanager deliveries in ${String(result.seconds)} s across ${String(groups)} groups (load ${String(result.load_average_1m)}); statuses ${JSON.stringify(result.statuses)}`,
);
console.log(
  `response ms: p50 ${String(result.response_ms.p50)}  p95 ${String(result.response_ms.p95)}  p99 ${String(result.response_ms.p99)}  max ${String(result.response_ms.max)}  → target p99 < 50: ${result.response_ms.p99 < 50 ? "pass" : "MISS"}`,
);
console.log(
  `persisted ${String(persisted)}/${String(deliveries)} (${persisted === deliveries ? "pass" : "MISS"}), incidents ${String(incidents)} (${incidents === groups ? "pass" : "MISS"}), incident runs ${String(runs)}, bot RSS ${String(result.rss_after_start_mib)} MiB after start, peak ${String(result.peak_rss_mib)} MiB (${result.peak_rss_mib < 200 ? "pass" : "MISS"})`,
);
console.log(JSON.stringify(result));
