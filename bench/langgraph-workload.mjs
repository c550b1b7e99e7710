// The reference side: the workload of bench/workload.mjs on LangGraph.js with its SQLite
// checkpointer (SqliteSaver on a file, WAL, synchronous=NORMAL, durability "async": the
// defaults), measured the way the LangGraph anchor benchmark measures it.
//
//   node langgraph-workload.mjs [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--quick]
//                               [--variants=all]   (also MemorySaver, durability "sync", synchronous=FULL)
//
// Prints a human summary, then (last line) one JSON object.

import { MemorySaver, Command } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { checkFinalState, compileGraph, countCheckpointerCalls, perChain, schemas } from "./langgraph-graph.mjs";
import { FIXED_JSON, STEPS, floorWork, makeRequest, parseArguments, quantile, r1, r2, maxRssMiB, pauseResumeFigures } from "./workload.mjs";

const options = parseArguments(process.argv.slice(2));
const { nThroughput, nPause, nWarmup } = options;
const allVariants = options.named.variants === "all";

// ---------------------------------------------------------------- persistence helpers

const tmp = mkdtempSync(join(tmpdir(), "baton-bench-langgraph-"));
const fileSize = (file) => (existsSync(file) ? statSync(file).size : 0);

/** A SqliteSaver on its own connection; with `calls`, counts checkpointer calls (warm-up only). */
function openSaver(file, calls) {
  const saver = new SqliteSaver(new Database(file));
  if (calls) countCheckpointerCalls(saver, calls);
  return saver;
}
/** WAL frames (a page + 24-byte header each) written per chain, from the size of a WAL never checkpointed. */
function walWritesPerChain(file, database, n) {
  const pageSize = database.pragma("page_size", { simple: true });
  const frames = Math.max(0, fileSize(`${file}-wal`) - 32) / (pageSize + 24);
  return { page_size: pageSize, frames_per_chain: r1(frames / n), bytes_per_chain: Math.round((frames * (pageSize + 24)) / n) };
}
const countRows = (saver, table) => saver.db.prepare(`SELECT count(*) AS c FROM ${table}`).get().c;

// ---------------------------------------------------------------- scenarios

// Thread ids are spelled as in the anchor ("a-sqlite-<i>", "hitl-<i>"): every checkpoint and
// write row stores its thread id, so their length shows in the database size.

/** Scenario A: n independent chains, one after another, each to the end. */
async function throughput(label, graph, n, invokeOptions = {}) {
  const latencies = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const state = await graph.invoke({ input: makeRequest(i) }, { configurable: { thread_id: `${label}-${i}` }, ...invokeOptions });
    latencies[i] = performance.now() - started;
    checkFinalState(state, i, false);
  }
  const totalMs = performance.now() - t0;
  return {
    n,
    total_ms: r1(totalMs),
    chains_per_s: r1((n * 1000) / totalMs),
    per_step_us: r1((totalMs * 1000) / (n * STEPS.length)),
    chain_ms_median: r2(quantile(latencies, 0.5)),
    chain_ms_p99: r2(quantile(latencies, 0.99)),
  };
}

/** A on a fresh SQLite file; the size is taken after the connection closed (WAL folded in). */
async function throughputOnFile(name, n, { invokeOptions, pragma } = {}) {
  const file = join(tmp, `${name}.sqlite`);
  const saver = openSaver(file);
  if (pragma) saver.db.pragma(pragma);
  const result = await throughput(name, compileGraph({ gate: false, checkpointer: saver }), n, invokeOptions);
  result.checkpoint_rows = countRows(saver, "checkpoints");
  result.write_rows = countRows(saver, "writes");
  saver.db.close();
  result.db_bytes_final = fileSize(file);
  result.db_bytes_per_chain = Math.round(result.db_bytes_final / n);
  return result;
}

/**
 * Scenario B: n chains run to the interrupt (pause); the connection is closed; then a new
 * connection, saver and graph on the same file resume every chain to the end (resume).
 */
async function pauseResume(file, n, calls) {
  const pause = new Float64Array(n);
  const resume = new Float64Array(n);

  const saver1 = openSaver(file, calls?.pause);
  const graph1 = compileGraph({ gate: true, checkpointer: saver1 });
  const pauseStart = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const state = await graph1.invoke({ input: makeRequest(i) }, { configurable: { thread_id: `hitl-${i}` } });
    pause[i] = performance.now() - started;
    if (state.__interrupt__?.length !== 1 || state.architectureResult !== undefined || state.extractResult?.company === undefined) {
      throw new Error(`chain ${i}: expected to stop at the interrupt`);
    }
  }
  const pauseTotal = performance.now() - pauseStart;
  saver1.db.close(); // as at process exit: the last connection to close checkpoints the WAL
  const sizeAfterPause = fileSize(file);

  const saver2 = openSaver(file, calls?.resume);
  const graph2 = compileGraph({ gate: true, checkpointer: saver2 });
  const resumeStart = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const state = await graph2.invoke(new Command({ resume: { approved: true } }), { configurable: { thread_id: `hitl-${i}` } });
    resume[i] = performance.now() - started;
    checkFinalState(state, i, true);
  }
  const resumeTotal = performance.now() - resumeStart;
  const checkpointRows = countRows(saver2, "checkpoints");
  const writeRows = countRows(saver2, "writes");
  saver2.db.close();
  const finalBytes = fileSize(file);

  return {
    ...pauseResumeFigures({ n, pause, resume, pauseTotal, resumeTotal, sizeAfterPause, finalBytes }),
    checkpoint_rows: checkpointRows,
    write_rows: writeRows,
  };
}

// ---------------------------------------------------------------- main

const here = dirname(fileURLToPath(import.meta.url));
const installedVersion = (name) => JSON.parse(readFileSync(join(here, "node_modules", ...name.split("/"), "package.json"), "utf8")).version;

const loadAtStart = loadavg()[0];

async function main() {
  const wallStart = performance.now();

  // The SQLite settings as SqliteSaver leaves them.
  const probe = openSaver(join(tmp, "probe.sqlite"));
  probe.setup();
  const sqlite = {
    sqlite_version: probe.db.prepare("SELECT sqlite_version() AS v").get().v,
    journal_mode: probe.db.pragma("journal_mode", { simple: true }),
    synchronous: ["OFF", "NORMAL", "FULL", "EXTRA"][probe.db.pragma("synchronous", { simple: true })],
  };
  probe.db.close();

  // Untimed warm-up on throw-away databases, as the anchor does; it also counts checkpointer calls.
  const calls = {};
  let walWrites;
  {
    await floorWork(nWarmup, schemas);
    await throughput("warm-memory", compileGraph({ gate: false, checkpointer: new MemorySaver() }), nWarmup);
    const chainCalls = {};
    const warmupFile = join(tmp, "warmup.sqlite");
    const saver = openSaver(warmupFile, chainCalls);
    // No automatic checkpoint in this untimed pass, so the WAL keeps every frame written:
    // how many bytes of pages a chain's commits write (what checkpoints later copy back).
    saver.db.pragma("wal_autocheckpoint = 0");
    await throughput("warm-sqlite", compileGraph({ gate: false, checkpointer: saver }), nWarmup);
    walWrites = walWritesPerChain(warmupFile, saver.db, nWarmup);
    saver.db.close();
    const nGated = Math.max(1, Math.floor(nWarmup / 4));
    const gatedCalls = { pause: {}, resume: {} };
    await pauseResume(join(tmp, "warmup-gated.sqlite"), nGated, gatedCalls);
    calls.chain = perChain(chainCalls, nWarmup);
    calls.pause = perChain(gatedCalls.pause, nGated);
    calls.resume = perChain(gatedCalls.resume, nGated);
  }

  const floor = await floorWork(nThroughput, schemas);
  const throughputResults = { sqlite: await throughputOnFile("a-sqlite", nThroughput) };
  if (allVariants) {
    throughputResults.sqlite_durability_sync = await throughputOnFile("a-sqlite-sync", nThroughput, { invokeOptions: { durability: "sync" } });
    throughputResults.sqlite_synchronous_full = await throughputOnFile("a-sqlite-full", nThroughput, { pragma: "synchronous=FULL" });
    throughputResults.memory = await throughput("a-memory", compileGraph({ gate: false, checkpointer: new MemorySaver() }), nThroughput);
  }
  const pauseResumeResult = await pauseResume(join(tmp, "pause-resume.sqlite"), nPause);
  pauseResumeResult.cycle_extra_ms_vs_uninterrupted_chain = r2(
    pauseResumeResult.pause_ms_median + pauseResumeResult.resume_ms_median - throughputResults.sqlite.chain_ms_median,
  );

  const result = {
    engine: "langgraph",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    // Other processes on the machine skew every figure; the 1-minute load average says how busy it was.
    load_average_1m: { at_start: r2(loadAtStart), at_end: r2(loadavg()[0]) },
    versions: Object.fromEntries(
      ["@langchain/langgraph", "@langchain/langgraph-checkpoint", "@langchain/langgraph-checkpoint-sqlite", "@langchain/core", "better-sqlite3", "zod"].map(
        (name) => [name, installedVersion(name)],
      ),
    ),
    sqlite,
    workload: { steps: STEPS, step_output_bytes: Object.fromEntries(STEPS.map((step) => [step, FIXED_JSON[step].length])), warmup_chains: nWarmup },
    checkpointer_calls_per_chain: calls,
    wal_writes_per_chain: walWrites,
    floor_no_engine: floor,
    throughput: throughputResults,
    pause_resume: pauseResumeResult,
    max_rss_mib_getrusage: maxRssMiB(),
    wall_s: r1((performance.now() - wallStart) / 1000),
  };

  const line = (label, value) => console.log(`${label.padEnd(46)} ${value}`);
  const a = throughputResults.sqlite;
  const b = pauseResumeResult;
  console.log(
    `LangGraph.js ${result.versions["@langchain/langgraph"]}, checkpoint-sqlite ${result.versions["@langchain/langgraph-checkpoint-sqlite"]}, ` +
      `better-sqlite3 ${result.versions["better-sqlite3"]} (SQLite ${sqlite.sqlite_version}, journal_mode=${sqlite.journal_mode}, synchronous=${sqlite.synchronous}); node ${result.node}`,
  );
  for (const [name, r] of Object.entries(throughputResults)) {
    line(`A  ${name}:`, `${r.chains_per_s} chains/s, ${r.per_step_us} µs/step, chain median ${r.chain_ms_median} ms p99 ${r.chain_ms_p99} ms (N=${r.n})`);
  }
  line("A  DB bytes per chain:", `${a.db_bytes_per_chain} (${a.db_bytes_final} bytes, ${a.checkpoint_rows} checkpoints, ${a.write_rows} writes)`);
  line("   floor (same work, no engine):", `${floor.per_step_us} µs/step`);
  line("B  pause:", `median ${b.pause_ms_median} ms, p99 ${b.pause_ms_p99} ms (N=${b.n})`);
  line("B  resume (new connection + saver + graph):", `median ${b.resume_ms_median} ms, p99 ${b.resume_ms_p99} ms`);
  line("B  DB bytes per chain:", `${b.db_bytes_per_chain} (${b.db_bytes_final} bytes)`);
  line(
    "A  WAL written per chain (warm-up, no checkpoint):",
    `${walWrites.frames_per_chain} frames of ${walWrites.page_size} B = ${walWrites.bytes_per_chain} bytes`,
  );
  line("checkpointer calls per chain / pause / resume:", `${JSON.stringify(calls.chain)} / ${JSON.stringify(calls.pause)} / ${JSON.stringify(calls.resume)}`);
  line("peak RSS (getrusage maxRSS):", `${result.max_rss_mib_getrusage} MiB`);
  line("wall time, load average (1 min) start/end:", `${result.wall_s} s, ${result.load_average_1m.at_start} / ${result.load_average_1m.at_end}`);
  console.log(JSON.stringify(result));
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
