// Unsigned bodies against a signed webhook (issue 13, item 5: GitHub; `--webhook=pagerduty` for
// PagerDuty's): C concurrent senders each POST an unsigned 12 MB body to `/webhooks/<webhook>` of
// the bot (`npm start`, a child process) at the same moment, once a second for R rounds, while `/healthz` is probed every 20 ms. Measures the bot's RSS (sampled, and its peak)
// and `/healthz` latency during the load. Bounded (C × R bodies, about R seconds) and loopback
// only; Slack is a fake in this process.
//
//   npx tsx bench/unsigned-webhook-load.ts [--webhook=github|pagerduty] [--concurrency=8] [--rounds=10] [--megabytes=12]
//
// Targets: RSS under 250 MB and `/healthz` p99 under 50 ms during the load. Prints a summary,
// then (last line) one JSON object.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startFakeSlackServer } from "../test/support/fake-slack-server.js";
import { startBotProcess } from "./bot-process.js";

const named = Object.fromEntries(
  process.argv
    .slice(2)
    .map((argument) => /^--([a-z-]+)=(.*)$/.exec(argument))
    .filter((match) => match !== null)
    .map((match) => [match[1], match[2]]),
);
const concurrency = Number(named["concurrency"] ?? 8);
const rounds = Number(named["rounds"] ?? 10);
const megabytes = Number(named["megabytes"] ?? 12);
const webhook = named["webhook"] ?? "github";
if (webhook !== "github" && webhook !== "pagerduty") throw new Error(`--webhook is github or pagerduty, not "${String(webhook)}".`);

/** The bot's CPU time so far (user + system), in seconds: /proc/<pid>/stat fields 14 and 15, in clock ticks (100 a second on Linux). */
const cpuSeconds = (pid: number): number => {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, "utf8")
      .split(") ")[1]
      ?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const r2 = (value: number): number => Math.round(value * 100) / 100;

const slack = await startFakeSlackServer();
const directory = mkdtempSync(join(tmpdir(), "baton-bench-unsigned-"));
const bot = await startBotProcess({
  SLACK_BOT_TOKEN: "xoxb-bench",
  SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
  SLACK_API_URL: slack.apiUrl,
  BATON_MODEL: "scripted",
  BATON_DB: join(directory, "unsigned.db"),
  ...(webhook === "github"
    ? { GITHUB_WEBHOOK_SECRET: "bench-github-secret", GITHUB_TOKEN: "ghp_bench" }
    : { PAGERDUTY_WEBHOOK_SECRET: "bench-pagerduty-secret", BATON_INCIDENT_CHANNEL: "C0BENCH" }),
});
const base = `http://127.0.0.1:${String(bot.port)}`;
await new Promise((resolve) => setTimeout(resolve, 1_000));
const startRssMib = bot.rssMib("VmRSS");

// One JSON body (an event of the webhook's shape padded to size), shared by every sender.
const padding = "x".repeat(megabytes * 1024 * 1024);
const body = Buffer.from(
  JSON.stringify(webhook === "github" ? { action: "opened", number: 1, padding } : { event: { id: "E1", event_type: "incident.triggered", padding } }),
);
const eventHeaders: Record<string, string> = webhook === "github" ? { "x-github-event": "pull_request" } : {};

/** POST the body unsigned; resolves with the status (0 when the connection closed first). */
function sendUnsigned(): Promise<number> {
  return new Promise((resolve) => {
    let status = 0;
    const request = httpRequest(
      `${base}/webhooks/${webhook}`,
      { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length), ...eventHeaders } },
      (response) => {
        status = response.statusCode ?? 0;
        response.resume();
        response.on("end", () => resolve(status));
      },
    );
    // A server that refuses before reading closes while the body is still going out.
    request.on("error", () => resolve(status));
    request.end(body);
  });
}

async function probe(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/healthz`);
  await response.text();
  return performance.now() - started;
}
// Warm the prober's connection first: its first request measures the client, not the bot.
for (let warmUp = 0; warmUp < 10; warmUp += 1) await probe();

let loading = true;
const healthMs: number[] = [];
const prober = (async () => {
  while (loading) {
    healthMs.push(await probe());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();
const rssSamples: number[] = [];
const sampler = setInterval(() => rssSamples.push(bot.rssMib("VmRSS")), 50);

const statuses: number[] = [];
const cpuAtStart = cpuSeconds(bot.pid);
const loadStarted = performance.now();
for (let round = 0; round < rounds; round += 1) {
  const roundStarted = performance.now();
  statuses.push(...(await Promise.all(Array.from({ length: concurrency }, () => sendUnsigned()))));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (performance.now() - roundStarted))));
}
const loadSeconds = (performance.now() - loadStarted) / 1000;
const botCpuSeconds = cpuSeconds(bot.pid) - cpuAtStart;
loading = false;
await prober;
clearInterval(sampler);
const peakRssMib = bot.rssMib("VmHWM");
await bot.stop();
await slack.close();
rmSync(directory, { recursive: true, force: true });

const sortedHealth = [...healthMs].sort((left, right) => left - right);
const result = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  webhook,
  concurrency,
  rounds,
  bodies: statuses.length,
  bodyMib: r2(body.length / 1024 / 1024),
  loadSeconds: r2(loadSeconds),
  botCpuSeconds: r2(botCpuSeconds),
  statuses: Object.fromEntries([...new Set(statuses)].map((status) => [String(status), statuses.filter((candidate) => candidate === status).length])),
  startRssMib: r2(startRssMib),
  maxSampledRssMib: r2(Math.max(...rssSamples)),
  peakRssMib: r2(peakRssMib),
  healthz: {
    probes: healthMs.length,
    p50: r2(quantile(sortedHealth, 0.5)),
    p95: r2(quantile(sortedHealth, 0.95)),
    p99: r2(quantile(sortedHealth, 0.99)),
    max: r2(sortedHealth.at(-1) ?? Number.NaN),
  },
};
const pass = result.peakRssMib < 250 && result.healthz.p99 < 50;
console.log(
  `${String(statuses.length)} unsigned ${String(result.bodyMib)} MiB bodies (${String(concurrency)} at once, ${String(rounds)} rounds a second apart) in ${String(result.loadSeconds)} s; answers ${JSON.stringify(result.statuses)}`,
);
console.log(`bot CPU during the load: ${String(result.botCpuSeconds)} s (user + system)`);
console.log(
  `RSS start ${String(result.startRssMib)} MiB, sampled max ${String(result.maxSampledRssMib)} MiB, peak ${String(result.peakRssMib)} MiB (target < 250)`,
);
console.log(
  `/healthz during the load: p50 ${String(result.healthz.p50)} / p95 ${String(result.healthz.p95)} / p99 ${String(result.healthz.p99)} / max ${String(result.healthz.max)} ms over ${String(result.healthz.probes)} probes (target p99 < 50)`,
);
console.log(pass ? "PASS" : "MISS");
console.log(JSON.stringify(result));
