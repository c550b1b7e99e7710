// `baton store copy`'s two halves on a SQLite file of --runs decided runs (each: three steps with
// 1-2 KB outputs, model-call events, an approval decided, so its later events sit in an event
// segment) and --deliveries webhook deliveries, copied into a throw-away PostgreSQL database:
// wall time, rows per second, the file's size and the process's peak resident memory. A
// diagnostic, not part of `npm run bench`.
//
//   node --import tsx store-copy.ts [--runs=5000] [--deliveries=2000] [--url=postgres://postgres@127.0.0.1:5432/postgres]
//
// The URL names a database from which a throw-away one is created (and dropped afterwards).

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { AuditEventInput } from "../src/core/ports.js";
import { COPIED_TABLES, copyState } from "../src/core/state-copy.js";
import { openSqliteExport, openSqliteState } from "../src/store/index.js";
import { openPostgresImport } from "../src/store-postgres/index.js";
import { parseArguments } from "./workload.mjs";

const { named } = parseArguments(process.argv.slice(2));
const runs = Number(named.runs ?? 5000);
const deliveries = Number(named.deliveries ?? 2000);
const adminUrl = String(named.url ?? "postgres://postgres@127.0.0.1:5432/postgres");

const directory = mkdtempSync(join(tmpdir(), "baton-store-copy-"));
const path = join(directory, "baton.db");
const output = (index: number) => ({
  summary: `step output ${String(index)} `.repeat(40),
  items: Array.from({ length: 20 }, (_, item) => `item ${String(item)}`),
});

async function fill(): Promise<void> {
  const { store, alerts, close } = openSqliteState(path);
  const at = Date.now() - 3_600_000;
  for (let index = 0; index < runs; index += 1) {
    const runId = `r_${String(index).padStart(8, "0")}`;
    const event = (type: AuditEventInput["type"], stepId: string | null): AuditEventInput => ({
      runId,
      at,
      type,
      stepId,
      actor: null,
      data: { model: "gpt-4o-mini", inputTokens: 812, outputTokens: 240 },
    });
    await store.createRun(
      {
        id: runId,
        chainId: "bench",
        stepCount: 3,
        input: { request: "x".repeat(800) },
        startedBy: "U",
        origin: null,
        at,
        leaseOwner: "bench",
        leaseExpiresAt: at + 60_000,
      },
      [event("run.started", null)],
    );
    const usage = { modelCalls: 1, inputTokens: 812, cachedInputTokens: 0, outputTokens: 240, costUsd: 0.0003 };
    const step = (stepIndex: number) => ({
      runId,
      stepIndex,
      stepId: `s${String(stepIndex)}`,
      status: "succeeded" as const,
      output: output(stepIndex),
      startedAt: at,
      finishedAt: at + 5,
      executions: 1,
      usage,
    });
    await store.commitStep({
      guard: { runId, owner: "bench", cursor: 0 },
      step: step(0),
      nextStatus: "running",
      at,
      events: [event("model.call", "s0"), event("step.finished", "s0")],
    });
    const approval = {
      id: `a_${String(index).padStart(8, "0")}`,
      runId,
      chainId: "bench",
      stepId: "s1",
      stepIndex: 1,
      round: 1,
      status: "pending" as const,
      proposal: output(1),
      approvers: ["U1"],
      allowSelfApproval: false,
      requestedBy: "system",
      requestedAt: at,
      deadlineAt: null,
      stepStartedAt: at,
      stepUsage: usage,
      stepExecutions: 1,
      decidedAt: null,
      decidedBy: null,
      editedOutput: null,
      comment: null,
    };
    await store.openApproval({
      guard: { runId, owner: "bench", cursor: 1 },
      approval,
      at,
      events: [event("model.call", "s1"), event("approval.requested", "s1")],
    });
    await store.decideApproval({
      approvalId: approval.id,
      status: "approved",
      decidedBy: "U1",
      at,
      editedOutput: null,
      comment: null,
      step: { ...step(1), output: approval.proposal },
      runStatus: "running",
      leaseOwner: "bench",
      leaseExpiresAt: at + 60_000,
      events: [event("approval.decided", "s1")],
    });
    await store.commitStep({
      guard: { runId, owner: "bench", cursor: 2 },
      step: step(2),
      nextStatus: "succeeded",
      at,
      events: [event("model.call", "s2"), event("step.finished", "s2"), event("run.finished", null)],
    });
  }
  for (let index = 0; index < deliveries; index += 1) {
    const alert = {
      fingerprint: `f${String(index % 300)}`,
      name: "HighErrorRate",
      status: "firing" as const,
      severity: "critical",
      service: "checkout",
      summary: "error rate high",
      description: "",
      labels: { alertname: "HighErrorRate" },
      annotations: {},
      runbookUrl: null,
      startsAt: null,
      endsAt: null,
      generatorUrl: null,
    };
    await alerts.recordDelivery({
      source: "alertmanager",
      deliveryKey: `d${String(index)}`,
      receivedAt: at + index,
      rawBody: JSON.stringify({ alerts: [alert], padding: "y".repeat(1_500) }),
      groupKey: `g${String(index % 40)}`,
      title: "HighErrorRate",
      alerts: [alert],
    });
  }
  close();
}

const name = `baton_copy_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
try {
  const filled = Date.now();
  await fill();
  console.log(
    `filled ${String(runs)} runs and ${String(deliveries)} deliveries in ${String(Date.now() - filled)} ms; file ${(statSync(path).size / 1_048_576).toFixed(1)} MB`,
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = Date.now();
  const source = openSqliteExport(path);
  const target = await openPostgresImport(url.toString());
  try {
    const report = await copyState(source, await target.begin(), { targetName: name });
    const elapsed = Date.now() - started;
    const rows = COPIED_TABLES.reduce((sum, table) => sum + report.source[table], 0);
    console.log(
      COPIED_TABLES.filter((table) => report.source[table] > 0)
        .map((table) => `${table} ${String(report.source[table])}`)
        .join(", "),
    );
    console.log(
      `copied ${String(rows)} rows in ${String(elapsed)} ms (${String(Math.round(rows / (elapsed / 1000)))} rows/s), committed: ${String(report.committed)}; RSS ${(before / 1_048_576).toFixed(0)} MB before, peak ${(peak / 1_048_576).toFixed(0)} MB`,
    );
  } finally {
    clearInterval(sample);
    source.close();
    await target.close();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(directory, { recursive: true, force: true });
}
