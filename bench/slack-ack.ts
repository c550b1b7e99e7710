// The Slack bot under load: signed slash commands and Approve clicks at a steady rate against
// the real HTTP receiver of `npm start` (a child process), measuring
//   1. time to acknowledge: request sent → HTTP response received (Slack allows 3 s; target p99 < 50 ms)
//   2. Approve click → the next step starting, from the run's audit log (target < 100 ms)
// The model is the scripted one (answers at once: model time excluded); Slack's Web API is a
// fake on loopback in this process that answers at once.
//
//   node --import tsx slack-ack.ts [--rate=100] [--seconds=20] [--warmup=3]
//
// Prints a summary, then (last line) one JSON object.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { startFakeSlackServer } from "../test/support/fake-slack-server.js";
import { startBotProcess } from "./bot-process.js";
import { buttonClick, slashCommand, type SlackPost } from "../test/support/slack-requests.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const named = Object.fromEntries(
  process.argv
    .slice(2)
    .map((argument) => /^--([a-z-]+)=(.*)$/.exec(argument))
    .filter((match) => match !== null)
    .map((match) => [match[1], match[2]]),
);
const rate = Number(named["rate"] ?? 100);
const seconds = Number(named["seconds"] ?? 20);
const warmupSeconds = Number(named["warmup"] ?? 3);
const SECRET = "0123456789abcdef0123456789abcdef";
const APPROVER = "U0APPROVER";
const input = JSON.parse(readFileSync(join(root, "chains", "solution-brief", "example-input.json"), "utf8")) as { request: string; customer: string };

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const r2 = (value: number): number => Math.round(value * 100) / 100;
function summary(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  return {
    n: sorted.length,
    p50: r2(quantile(sorted, 0.5)),
    p95: r2(quantile(sorted, 0.95)),
    p99: r2(quantile(sorted, 0.99)),
    max: r2(sorted.at(-1) ?? Number.NaN),
  };
}

const slack = await startFakeSlackServer();
const directory = mkdtempSync(join(tmpdir(), "baton-bench-slack-"));
const databasePath = join(directory, "bench.db");
const bot = await startBotProcess({
  SLACK_BOT_TOKEN: "xoxb-bench",
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: slack.apiUrl,
  BATON_MODEL: "scripted",
  BATON_DB: databasePath,
  BATON_APPROVERS: APPROVER,
});
const port = bot.port;
const eventsUrl = `http://127.0.0.1:${String(port)}/slack/events`;

/**
 * Approval cards (with buttons) posted and not yet clicked: the approval id and where the card is.
 * A click counts only on the card it was built for (src/slack/click-source.ts), so the bench
 * clicks there, as a person does.
 */
const clickable: Array<{ approvalId: string; channelId: string; messageTs: string }> = [];
let scannedCalls = 0;
/** Looks only at calls not seen before, so the load generator's own work stays constant per request. */
function collectApprovals(): void {
  for (; scannedCalls < slack.calls.length; scannedCalls += 1) {
    const call = slack.calls[scannedCalls];
    if (call?.method !== "chat.postMessage" || !Array.isArray(call.args["blocks"])) continue;
    // The fake records its answer (with the card's ts) in the same tick as the call; a call it
    // failed on purpose has none, and posted no card.
    if (call.result === undefined) continue;
    const channelId = call.result["channel"];
    const messageTs = call.result["ts"];
    if (typeof channelId !== "string" || typeof messageTs !== "string") continue;
    for (const block of call.args["blocks"] as Array<{ type?: string; elements?: Array<{ action_id?: string; value?: string }> }>) {
      if (block.type !== "actions") continue;
      const approve = block.elements?.find((element) => element.action_id === "baton.approve");
      if (approve?.value) clickable.push({ approvalId: approve.value, channelId, messageTs });
    }
  }
}

interface Sample {
  kind: "run" | "runs" | "approve";
  sentAt: number;
  ackMs: number;
  status: number;
  approvalId?: string;
}

async function send(kind: Sample["kind"], post: SlackPost, approvalId?: string): Promise<Sample> {
  const sentAt = Date.now();
  const started = performance.now();
  const response = await fetch(eventsUrl, { method: "POST", headers: post.headers, body: post.body });
  await response.text();
  return { kind, sentAt, ackMs: performance.now() - started, status: response.status, ...(approvalId ? { approvalId } : {}) };
}

let runsStarted = 0;
function nextRequest(index: number): Promise<Sample> {
  const responseUrl = `${slack.url}/response/r${String(index)}`;
  collectApprovals();
  const card = index % 5 === 0 ? clickable.shift() : undefined;
  if (card) {
    const click = buttonClick(
      { actionId: "baton.approve", value: card.approvalId, userId: APPROVER, responseUrl, channelId: card.channelId, messageTs: card.messageTs },
      SECRET,
    );
    return send("approve", click, card.approvalId);
  }
  if (index % 2 === 0 || runsStarted === 0) {
    runsStarted += 1;
    return send("run", slashCommand({ text: `run solution-brief ${JSON.stringify(input)}`, userId: "U0ALICE", responseUrl }, SECRET));
  }
  return send("runs", slashCommand({ text: "runs all", userId: "U0ALICE", responseUrl }, SECRET));
}

/** Requests at a steady `rate` for `duration` seconds (open loop: a slow answer does not slow the sender). */
async function load(duration: number): Promise<Sample[]> {
  const pending: Array<Promise<Sample>> = [];
  const total = Math.round(rate * duration);
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(nextRequest(index));
  }
  return Promise.all(pending);
}

await load(warmupSeconds);
const samples = await load(seconds);
// Let the runs the last clicks resumed reach their next step.
await new Promise((resolve) => setTimeout(resolve, 1_500));

// Approve click → next step starting: the `deliver` step's start, from the audit log.
const database = new Database(databasePath, { readonly: true, fileMustExist: true });
const startOfDeliver = database.prepare(
  "SELECT e.data AS data FROM audit_log e JOIN approvals a ON a.id = ? WHERE e.run_id = (SELECT id FROM runs WHERE key = a.run_key) AND e.type = 'step.finished' AND e.step_id = 'deliver'",
);
const clickToStep: number[] = [];
let clicksWithoutStep = 0;
for (const sample of samples) {
  if (sample.kind !== "approve" || !sample.approvalId) continue;
  const row = startOfDeliver.get(sample.approvalId) as { data: string | Buffer } | undefined;
  const data = row ? (JSON.parse(typeof row.data === "string" ? row.data : "{}") as { startedAt?: number }) : undefined;
  if (data?.startedAt === undefined) clicksWithoutStep += 1;
  else clickToStep.push(data.startedAt - sample.sentAt);
}
database.close();
await bot.stop();
await slack.close();
rmSync(directory, { recursive: true, force: true });

const failed = samples.filter((sample) => sample.status !== 200).length;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  load_average_1m: r2(loadavg()[0] ?? 0),
  rate_per_second: rate,
  seconds,
  requests: samples.length,
  non_200: failed,
  ack_ms_all: summary(samples.map((sample) => sample.ackMs)),
  ack_ms_by_kind: Object.fromEntries(
    (["run", "runs", "approve"] as const).map((kind) => [kind, summary(samples.filter((sample) => sample.kind === kind).map((sample) => sample.ackMs))]),
  ),
  approve_click_to_next_step_ms: summary(clickToStep),
  clicks_without_next_step: clicksWithoutStep,
  targets: { ack_p99_ms: 50, click_to_next_step_ms: 100 },
};
const passAck = result.ack_ms_all.p99 < 50;
const passClick = result.approve_click_to_next_step_ms.p99 < 100;
console.log(
  `${String(result.requests)} signed requests at ${String(rate)}/s for ${String(seconds)} s (load ${String(result.load_average_1m)}), ${String(failed)} not 200`,
);
console.log(
  `ack ms (all): p50 ${String(result.ack_ms_all.p50)}  p95 ${String(result.ack_ms_all.p95)}  p99 ${String(result.ack_ms_all.p99)}  max ${String(result.ack_ms_all.max)}  → target p99 < 50: ${passAck ? "pass" : "MISS"}`,
);
for (const [kind, figures] of Object.entries(result.ack_ms_by_kind))
  console.log(`  ${kind.padEnd(8)} n=${String(figures.n)}  p50 ${String(figures.p50)}  p99 ${String(figures.p99)}  max ${String(figures.max)}`);
const click = result.approve_click_to_next_step_ms;
console.log(
  `Approve click → next step start ms: n=${String(click.n)}  p50 ${String(click.p50)}  p99 ${String(click.p99)}  max ${String(click.max)} (${String(clicksWithoutStep)} clicks without a next step) → target < 100: ${passClick ? "pass" : "MISS"}`,
);
console.log(JSON.stringify(result));
