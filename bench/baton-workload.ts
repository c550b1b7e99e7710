// baton's side: the workload of bench/workload.mjs run by baton's real engine (Runner, model
// step policy, approvals) on its real SQLite store, with a zero-latency LlmClient port fake.
//
//   node --import tsx baton-workload.ts [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--quick]
//                                       [--variants=all]   (also the store on ":memory:")
//
// Prints a human summary, then (last line) one JSON object. Run by bench/run.mjs.

import Database from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { ChainStore, RunRecord } from "../src/core/ports.js";
import type { Runner } from "../src/core/runner.js";
import { SqliteChainStore, openDatabase, openSqliteStore } from "../src/store/index.js";
import { checkRun, countCalls, makeBenchRunner, perChain, schemas, subtract } from "./baton-engine.js";
import { FIXED_JSON, STEPS, floorWork, makeRequest, parseArguments, quantile, r1, r2, maxRssMiB, pauseResumeFigures } from "./workload.mjs";

const options = parseArguments(process.argv.slice(2));
const { nThroughput, nPause, nWarmup } = options;
const allVariants = options.named.variants === "all";

interface Engine {
  store: ChainStore;
  runner: Runner;
  walWrites(n: number): WalWrites;
  close(): Promise<void>;
}

/** What a process does at start-up: open the store, build the chains, make a runner. */
function openEngine(path: string, gate: boolean, calls?: Record<string, number>, walProbe?: { bytesPerChain?: WalWrites }): Engine {
  // openSqliteStore(path) is exactly this; the database handle is kept for the untimed WAL probe.
  const database = openDatabase(path);
  if (walProbe) database.pragma("wal_autocheckpoint = 0");
  const store = new SqliteChainStore(database);
  if (calls) countCalls(store, calls);
  const runner = makeBenchRunner(store, gate);
  return {
    store,
    runner,
    walWrites(n: number): WalWrites {
      const pageSize = database.pragma("page_size", { simple: true }) as number;
      const frames = Math.max(0, fileSize(`${path}-wal`) - 32) / (pageSize + 24);
      return { page_size: pageSize, frames_per_chain: r1(frames / n), bytes_per_chain: Math.round((frames * (pageSize + 24)) / n) };
    },
    async close() {
      await runner.close();
      store.close();
    },
  };
}

/** WAL frames (a page + 24-byte header each) written per chain, from the size of a WAL never checkpointed. */
interface WalWrites {
  page_size: number;
  frames_per_chain: number;
  bytes_per_chain: number;
}

// ---------------------------------------------------------------- persistence helpers

const tmp = mkdtempSync(join(tmpdir(), "baton-bench-baton-"));
const fileSize = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** Rows and bytes per table and index (SQLite's dbstat), read after the store closed. */
function tableSizes(file: string): Record<string, { rows?: number; bytes: number }> {
  const database = new Database(file, { readonly: true });
  try {
    const sizes: Record<string, { rows?: number; bytes: number }> = {};
    for (const row of database.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as Array<{
      name: string;
      bytes: number;
    }>) {
      sizes[row.name] = { bytes: row.bytes };
    }
    for (const table of ["runs", "steps", "approvals", "events"]) {
      const entry = sizes[table];
      if (entry) entry.rows = (database.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;
    }
    return sizes;
  } finally {
    database.close();
  }
}

// ---------------------------------------------------------------- scenarios

interface ThroughputResult {
  n: number;
  total_ms: number;
  chains_per_s: number;
  per_step_us: number;
  chain_ms_median: number;
  chain_ms_p99: number;
  db_bytes_final?: number;
  db_bytes_per_chain?: number;
  tables?: ReturnType<typeof tableSizes>;
}

/** Scenario A: n independent chains, one after another, each to the end; then every run is checked. */
async function throughput(path: string, n: number, calls?: Record<string, number>, walProbe?: { bytesPerChain?: WalWrites }): Promise<ThroughputResult> {
  const engine = openEngine(path, false, calls, walProbe);
  const { runner, store } = engine;
  const latencies = new Float64Array(n);
  const runIds: string[] = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const { runId } = await runner.start("bench", makeRequest(i), { startedBy: "bench" });
    const run: RunRecord = await runner.settled(runId);
    latencies[i] = performance.now() - started;
    if (run.status !== "succeeded") throw new Error(`chain ${i}: ${run.status} ${JSON.stringify(run.error)}`);
    runIds[i] = runId;
  }
  const totalMs = performance.now() - t0;
  if (walProbe) walProbe.bytesPerChain = engine.walWrites(n);
  for (let i = 0; i < n; i += 1) await checkRun(store, runIds[i] as string, i, false);
  await engine.close();
  const result: ThroughputResult = {
    n,
    total_ms: r1(totalMs),
    chains_per_s: r1((n * 1000) / totalMs),
    per_step_us: r1((totalMs * 1000) / (n * STEPS.length)),
    chain_ms_median: r2(quantile(latencies, 0.5)),
    chain_ms_p99: r2(quantile(latencies, 0.99)),
  };
  if (path !== ":memory:") {
    result.db_bytes_final = fileSize(path);
    result.db_bytes_per_chain = Math.round(result.db_bytes_final / n);
    result.tables = tableSizes(path);
  }
  return result;
}

/**
 * Scenario B: n chains run until step 1's output awaits approval (pause); runner and store are
 * closed; then a new store, chain registry and runner on the same file approve every run and run
 * steps 2-4 (resume). A resume starts from the run id: finding the pending approval is timed.
 */
async function pauseResume(path: string, n: number, calls?: { pause: Record<string, number>; resume: Record<string, number> }) {
  const pause = new Float64Array(n);
  const resume = new Float64Array(n);
  const runIds: string[] = new Array(n);

  const first = openEngine(path, true, calls?.pause);
  const pauseStart = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const { runId } = await first.runner.start("bench", makeRequest(i), { startedBy: "bench" });
    const run = await first.runner.settled(runId);
    pause[i] = performance.now() - started;
    if (run.status !== "awaiting_approval" || run.cursor !== 0) throw new Error(`chain ${i}: expected to rest at the approval, got ${run.status}`);
    runIds[i] = runId;
  }
  const pauseTotal = performance.now() - pauseStart;
  await first.close(); // as at process exit: the last connection to close checkpoints the WAL
  const sizeAfterPause = fileSize(path);

  const second = openEngine(path, true, calls?.resume);
  await second.runner.recover(); // what a restarted process does first; nothing is in flight here
  const approver = { id: "bench-approver", trusted: true };
  const resumeStart = performance.now();
  for (let i = 0; i < n; i += 1) {
    const runId = runIds[i] as string;
    const started = performance.now();
    const [approval] = await second.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) throw new Error(`chain ${i}: no pending approval`);
    // As the Slack and terminal adapters do: look the approval up, then decide by its id.
    const decision = await second.runner.decide(approval.id, { kind: "approve" }, approver);
    const run = await second.runner.settled(runId);
    resume[i] = performance.now() - started;
    if (!decision.applied || run.status !== "succeeded") throw new Error(`chain ${i}: resume ended ${run.status}`);
  }
  const resumeTotal = performance.now() - resumeStart;
  for (let i = 0; i < n; i += 1) await checkRun(second.store, runIds[i] as string, i, true);
  await second.close();
  const finalBytes = fileSize(path);

  return {
    ...pauseResumeFigures({ n, pause, resume, pauseTotal, resumeTotal, sizeAfterPause, finalBytes }),
    tables: tableSizes(path),
    cycle_extra_ms_vs_uninterrupted_chain: 0,
  };
}

// ---------------------------------------------------------------- main

const loadAtStart = loadavg()[0];

async function main(): Promise<void> {
  const wallStart = performance.now();

  // The SQLite settings as the store leaves them.
  const probePath = join(tmp, "probe.sqlite");
  openSqliteStore(probePath).close();
  const probe = new Database(probePath, { readonly: true });
  const sqlite = {
    sqlite_version: (probe.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v,
    journal_mode: probe.pragma("journal_mode", { simple: true }),
  };
  probe.close();

  // Untimed warm-up on throw-away databases, as the anchor does; it also counts store calls.
  const calls: Record<string, Record<string, number>> = {};
  const walProbe: { bytesPerChain?: WalWrites } = {};
  {
    await floorWork(nWarmup, schemas);
    const chainCalls: Record<string, number> = {};
    // No automatic checkpoint in this untimed pass, so the WAL keeps every frame written:
    // how many bytes of pages a chain's commits write (what checkpoints later copy back).
    await throughput(join(tmp, "warmup.sqlite"), nWarmup, chainCalls, walProbe);
    const nGated = Math.max(1, Math.floor(nWarmup / 4));
    const gatedCalls = { pause: {}, resume: {} };
    await pauseResume(join(tmp, "warmup-gated.sqlite"), nGated, gatedCalls);
    // The counts include the untimed check of every run after the loop (getRun, getSteps,
    // listApprovals once each per run); they are subtracted here.
    const checked = { getRun: 1, getSteps: 1 };
    calls.chain = perChain(subtract(chainCalls, checked, nWarmup), nWarmup);
    calls.pause = perChain(gatedCalls.pause, nGated);
    calls.resume = perChain(subtract(gatedCalls.resume, { ...checked, listApprovals: 1 }, nGated), nGated);
  }

  const floor = await floorWork(nThroughput, schemas);
  const throughputResults: Record<string, ThroughputResult> = { sqlite: await throughput(join(tmp, "a-sqlite.sqlite"), nThroughput) };
  if (allVariants) throughputResults.memory = await throughput(":memory:", nThroughput);
  const pauseResumeResult = await pauseResume(join(tmp, "pause-resume.sqlite"), nPause);
  pauseResumeResult.cycle_extra_ms_vs_uninterrupted_chain = r2(
    pauseResumeResult.pause_ms_median + pauseResumeResult.resume_ms_median - (throughputResults.sqlite as ThroughputResult).chain_ms_median,
  );

  const result = {
    engine: "baton",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    // Other processes on the machine skew every figure; the 1-minute load average says how busy it was.
    load_average_1m: { at_start: r2(loadAtStart as number), at_end: r2(loadavg()[0] as number) },
    sqlite: { ...sqlite, synchronous: "NORMAL (set by openDatabase)" },
    workload: {
      steps: STEPS,
      step_output_bytes: Object.fromEntries(STEPS.map((step) => [step, (FIXED_JSON as Record<string, string>)[step]?.length])),
      warmup_chains: nWarmup,
    },
    store_calls_per_chain: calls,
    wal_writes_per_chain: walProbe.bytesPerChain,
    floor_no_engine: floor,
    throughput: throughputResults,
    pause_resume: pauseResumeResult,
    max_rss_mib_getrusage: maxRssMiB(),
    wall_s: r1((performance.now() - wallStart) / 1000),
  };

  const line = (label: string, value: string) => console.log(`${label.padEnd(46)} ${value}`);
  const a = throughputResults.sqlite as ThroughputResult;
  const b = pauseResumeResult;
  console.log(
    `baton engine on its SQLite store (SQLite ${sqlite.sqlite_version}, journal_mode=${String(sqlite.journal_mode)}, synchronous=NORMAL); node ${result.node}`,
  );
  for (const [name, r] of Object.entries(throughputResults)) {
    line(`A  ${name}:`, `${r.chains_per_s} chains/s, ${r.per_step_us} µs/step, chain median ${r.chain_ms_median} ms p99 ${r.chain_ms_p99} ms (N=${r.n})`);
  }
  line("A  DB bytes per chain:", `${a.db_bytes_per_chain} (${a.db_bytes_final} bytes)`);
  line("   floor (same work, no engine):", `${floor.per_step_us} µs/step`);
  line("B  pause (start -> step 1 -> approval):", `median ${b.pause_ms_median} ms, p99 ${b.pause_ms_p99} ms (N=${b.n})`);
  line("B  resume (new store + runner, find, approve):", `median ${b.resume_ms_median} ms, p99 ${b.resume_ms_p99} ms`);
  line("B  DB bytes per chain:", `${b.db_bytes_per_chain} (${b.db_bytes_final} bytes)`);
  const wal = walProbe.bytesPerChain as WalWrites;
  line("A  WAL written per chain (warm-up, no checkpoint):", `${wal.frames_per_chain} frames of ${wal.page_size} B = ${wal.bytes_per_chain} bytes`);
  line("store calls per chain / pause / resume:", `${JSON.stringify(calls.chain)} / ${JSON.stringify(calls.pause)} / ${JSON.stringify(calls.resume)}`);
  line("peak RSS (getrusage maxRSS):", `${result.max_rss_mib_getrusage} MiB`);
  line("wall time, load average (1 min) start/end:", `${result.wall_s} s, ${result.load_average_1m.at_start} / ${result.load_average_1m.at_end}`);
  console.log(JSON.stringify(result));
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
