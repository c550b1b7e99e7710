// The reference side on PostgreSQL: the workload of bench/workload.mjs on LangGraph.js with
// its Postgres checkpointer (PostgresSaver on the pool of postgres-databases.mjs, durability
// "async": the default), in scenarios A and B as langgraph-workload.mjs runs them on SQLite.
// Each scenario gets a new database on the server, dropped at the end.
//
//   node langgraph-postgres-workload.mjs [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--quick]
//                                        [--variants=all]   (also durability "sync")
//
// Prints a human summary, then (last line) one JSON object. Run by bench/run.mjs.

import { Command } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { checkFinalState, compileGraph, countCheckpointerCalls, perChain } from "./langgraph-graph.mjs";
import {
  benchPool,
  countRoundTrips,
  createBenchDatabase,
  databaseBytes,
  dropAll,
  perChainCounts,
  resetCounts,
  postgresHost,
  serverSettings,
} from "./postgres-databases.mjs";
import { leaveLockstep, timedChains } from "./lockstep.mjs";
import { commitAndRoundTripFloor } from "./postgres-floor.mjs";
import { STEPS, makeRequest, parseArguments, quantile, r1, r2, maxRssMiB, pauseResumeFigures } from "./workload.mjs";

const options = parseArguments(process.argv.slice(2));
const { nThroughput, nPause, nWarmup } = options;
const allVariants = options.named.variants === "all";

/**
 * A PostgresSaver on a new pool of the database; with `counts`, the pool's round trips and the
 * saver's calls are counted (warm-up only).
 */
function openSaver(url, counts) {
  const pool = benchPool(url);
  const roundTrips = counts ? countRoundTrips(pool) : undefined;
  const saver = new PostgresSaver(pool);
  if (counts) countCheckpointerCalls(saver, counts.calls);
  return { saver, pool, roundTrips };
}

// ---------------------------------------------------------------- scenarios

/** Scenario A: n independent chains, one after another, each to the end, on a new database. */
async function throughput(label, n, { invokeOptions = {}, counts, phase } = {}) {
  const database = await createBenchDatabase(`lg_${label}`);
  const { saver, pool, roundTrips } = openSaver(database.url, counts);
  await saver.setup();
  if (roundTrips) resetCounts(roundTrips); // setup is not a chain's work
  const graph = compileGraph({ gate: false, checkpointer: saver });
  const latencies = new Float64Array(n);
  const totalMs = await timedChains(n, phase, async (i) => {
    const started = performance.now();
    const state = await graph.invoke({ input: makeRequest(i) }, { configurable: { thread_id: `a-postgres-${i}` }, ...invokeOptions });
    latencies[i] = performance.now() - started;
    checkFinalState(state, i, false);
  });
  if (counts) counts.roundTrips = perChainCounts(roundTrips, n);
  const bytes = await databaseBytes(pool);
  await pool.end();
  await database.drop();
  return {
    n,
    total_ms: r1(totalMs),
    chains_per_s: r1((n * 1000) / totalMs),
    per_step_us: r1((totalMs * 1000) / (n * STEPS.length)),
    chain_ms_median: r2(quantile(latencies, 0.5)),
    chain_ms_p99: r2(quantile(latencies, 0.99)),
    db_bytes_final: bytes.total,
    db_bytes_per_chain: Math.round(bytes.total / n),
    tables: bytes.tables,
  };
}

/**
 * Scenario B: n chains run to the interrupt (pause); the pool is ended; then a new pool, saver
 * and graph on the same database resume every chain to the end (resume).
 */
async function pauseResume(label, n, { counts, timed = false } = {}) {
  const database = await createBenchDatabase(`lg_${label}`);
  const pause = new Float64Array(n);
  const resume = new Float64Array(n);

  const first = openSaver(database.url, counts?.pause);
  await first.saver.setup();
  if (first.roundTrips) resetCounts(first.roundTrips);
  const graph1 = compileGraph({ gate: true, checkpointer: first.saver });
  const pauseTotal = await timedChains(n, timed ? "pause" : undefined, async (i) => {
    const started = performance.now();
    const state = await graph1.invoke({ input: makeRequest(i) }, { configurable: { thread_id: `hitl-${i}` } });
    pause[i] = performance.now() - started;
    if (state.__interrupt__?.length !== 1 || state.architectureResult !== undefined || state.extractResult?.company === undefined) {
      throw new Error(`chain ${i}: expected to stop at the interrupt`);
    }
  });
  if (counts) counts.pause.roundTrips = perChainCounts(first.roundTrips, n);
  const sizeAfterPause = (await databaseBytes(first.pool)).total;
  await first.pool.end(); // as at process exit

  const second = openSaver(database.url, counts?.resume);
  const graph2 = compileGraph({ gate: true, checkpointer: second.saver });
  const resumeTotal = await timedChains(n, timed ? "resume" : undefined, async (i) => {
    const started = performance.now();
    const state = await graph2.invoke(new Command({ resume: { approved: true } }), { configurable: { thread_id: `hitl-${i}` } });
    resume[i] = performance.now() - started;
    checkFinalState(state, i, true);
  });
  if (counts) counts.resume.roundTrips = perChainCounts(second.roundTrips, n);
  const bytes = await databaseBytes(second.pool);
  await second.pool.end();
  await database.drop();
  return {
    ...pauseResumeFigures({ n, pause, resume, pauseTotal, resumeTotal, sizeAfterPause, finalBytes: bytes.total }),
    tables: bytes.tables,
  };
}

// ---------------------------------------------------------------- main

const here = dirname(fileURLToPath(import.meta.url));
const installedVersion = (name) => JSON.parse(readFileSync(join(here, "node_modules", ...name.split("/"), "package.json"), "utf8")).version;

const loadAtStart = loadavg()[0];

async function main() {
  const wallStart = performance.now();
  const server = await serverSettings();

  // Untimed warm-up on throw-away databases, as on SQLite; it also counts calls and round trips.
  const chain = { calls: {} };
  await throughput("warmup", nWarmup, { counts: chain });
  const nGated = Math.max(1, Math.floor(nWarmup / 4));
  const gated = { pause: { calls: {} }, resume: { calls: {} } };
  await pauseResume("warmup_gated", nGated, { counts: gated });
  const calls = { chain: perChain(chain.calls, nWarmup), pause: perChain(gated.pause.calls, nGated), resume: perChain(gated.resume.calls, nGated) };
  const roundTrips = { chain: chain.roundTrips, pause: gated.pause.roundTrips, resume: gated.resume.roundTrips };

  // A and B are measured on the server as it is while they run; this says what a commit and a round trip cost then.
  const floor = await commitAndRoundTripFloor("lg", Math.max(50, Math.floor(nThroughput / 4)));
  const throughputResults = { postgres: await throughput("a", nThroughput, { phase: "a" }) };
  if (allVariants) {
    throughputResults.postgres_durability_sync = await throughput("a_sync", nThroughput, { invokeOptions: { durability: "sync" }, phase: "a_sync" });
  }
  const pauseResumeResult = await pauseResume("b", nPause, { timed: true });
  pauseResumeResult.cycle_extra_ms_vs_uninterrupted_chain = r2(
    pauseResumeResult.pause_ms_median + pauseResumeResult.resume_ms_median - throughputResults.postgres.chain_ms_median,
  );

  const result = {
    engine: "langgraph",
    store: "postgres",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    load_average_1m: { at_start: r2(loadAtStart), at_end: r2(loadavg()[0]) },
    versions: Object.fromEntries(
      ["@langchain/langgraph", "@langchain/langgraph-checkpoint", "@langchain/langgraph-checkpoint-postgres", "@langchain/core", "pg", "zod"].map((name) => [
        name,
        installedVersion(name),
      ]),
    ),
    postgres: { host: postgresHost(), ...server, pool: "10 connections (postgres-databases.mjs benchPool)" },
    checkpointer_calls_per_chain: calls,
    round_trips_per_chain: roundTrips,
    floor_commit_and_round_trip: floor,
    throughput: throughputResults,
    pause_resume: pauseResumeResult,
    max_rss_mib_getrusage: maxRssMiB(),
    wall_s: r1((performance.now() - wallStart) / 1000),
  };

  const line = (label, value) => console.log(`${label.padEnd(46)} ${value}`);
  const a = throughputResults.postgres;
  const b = pauseResumeResult;
  console.log(
    `LangGraph.js ${result.versions["@langchain/langgraph"]}, checkpoint-postgres ${result.versions["@langchain/langgraph-checkpoint-postgres"]}, ` +
      `pg ${result.versions.pg} (PostgreSQL ${server.server_version} at ${postgresHost()}, synchronous_commit=${server.synchronous_commit}); node ${result.node}`,
  );
  for (const [name, r] of Object.entries(throughputResults)) {
    line(`A  ${name}:`, `${r.chains_per_s} chains/s, ${r.per_step_us} µs/step, chain median ${r.chain_ms_median} ms p99 ${r.chain_ms_p99} ms (N=${r.n})`);
  }
  line("A  DB bytes per chain (tables + indexes):", `${a.db_bytes_per_chain} (${a.db_bytes_final} bytes)`);
  line("B  pause:", `median ${b.pause_ms_median} ms, p99 ${b.pause_ms_p99} ms (N=${b.n})`);
  line("B  resume (new pool + saver + graph):", `median ${b.resume_ms_median} ms, p99 ${b.resume_ms_p99} ms`);
  line("checkpointer calls per chain / pause / resume:", `${JSON.stringify(calls.chain)} / ${JSON.stringify(calls.pause)} / ${JSON.stringify(calls.resume)}`);
  for (const [name, counted] of Object.entries(roundTrips)) {
    line(
      `round trips per ${name === "chain" ? "chain (A)" : name}:`,
      `${counted.round_trips}, of them ${counted.commit} COMMIT and ${counted.autocommit_statements} outside a transaction block (${counted.autocommit_writes} writes)`,
    );
  }
  line("floor: one commit / one round trip:", `${floor.commit_us} / ${floor.round_trip_us} µs (N=${floor.n})`);
  line("peak RSS (getrusage maxRSS):", `${result.max_rss_mib_getrusage} MiB`);
  line("wall time, load average (1 min) start/end:", `${result.wall_s} s, ${result.load_average_1m.at_start} / ${result.load_average_1m.at_end}`);
  console.log(JSON.stringify(result));
}

try {
  await main();
} finally {
  await dropAll();
  leaveLockstep();
}
