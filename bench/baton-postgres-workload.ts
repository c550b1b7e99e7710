// baton's side on PostgreSQL: the workload of bench/workload.mjs run by baton's real engine on
// its PostgreSQL chain store (src/store-postgres), in scenarios A and B as baton-workload.ts
// runs them on SQLite. The store is built as openPostgresStore builds it (migrations, then the
// store on a pool), on the pool of postgres-databases.mjs, which LangGraph's side gets too.
// Each scenario gets a new database on the server, dropped at the end.
//
//   node --import tsx baton-postgres-workload.ts [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--quick]
//
// Prints a human summary, then (last line) one JSON object. Run by bench/run.mjs.

import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { RunRecord } from "../src/core/ports.js";
import type { Runner } from "../src/core/runner.js";
import { PostgresChainStore, applyPostgresMigrations } from "../src/store-postgres/index.js";
import { checkRun, countCalls, makeBenchRunner, perChain, subtract } from "./baton-engine.js";
import {
  benchPool,
  countRoundTrips,
  createBenchDatabase,
  databaseBytes,
  dropAll,
  perChainCounts,
  postgresHost,
  resetCounts,
  serverSettings,
} from "./postgres-databases.mjs";
import { leaveLockstep, timedChains } from "./lockstep.mjs";
import { commitAndRoundTripFloor } from "./postgres-floor.mjs";
import { STEPS, makeRequest, parseArguments, quantile, r1, r2, maxRssMiB, pauseResumeFigures } from "./workload.mjs";

const options = parseArguments(process.argv.slice(2));
const { nThroughput, nPause, nWarmup } = options;

type RoundTrips = ReturnType<typeof countRoundTrips>;
interface Counts {
  calls: Record<string, number>;
  roundTrips?: ReturnType<typeof perChainCounts>;
}
interface Engine {
  store: PostgresChainStore;
  runner: Runner;
  roundTrips: RoundTrips | undefined;
  bytes(): ReturnType<typeof databaseBytes>;
  close(): Promise<void>;
}

/** What a process does at start-up: open the store (migrations, then the store), build the chains, make a runner. */
async function openEngine(url: string, gate: boolean, counts?: Counts): Promise<Engine> {
  const pool = benchPool(url);
  const roundTrips = counts ? countRoundTrips(pool) : undefined;
  await applyPostgresMigrations(pool, url);
  if (roundTrips) resetCounts(roundTrips); // the migrations are not a chain's work
  const store = new PostgresChainStore(pool, url);
  if (counts) countCalls(store, counts.calls);
  const runner = makeBenchRunner(store, gate);
  return {
    store,
    runner,
    roundTrips,
    bytes: () => databaseBytes(pool),
    async close() {
      await runner.close();
      await store.closed();
    },
  };
}

/** Scenario A: n independent chains, one after another, each to the end, on a new database; then every run is checked. */
async function throughput(label: string, n: number, { counts, phase }: { counts?: Counts; phase?: string } = {}) {
  const database = await createBenchDatabase(`baton_${label}`);
  const engine = await openEngine(database.url, false, counts);
  const { runner, store } = engine;
  const latencies = new Float64Array(n);
  const runIds: string[] = new Array(n);
  const totalMs = await timedChains(n, phase, async (i: number) => {
    const started = performance.now();
    const { runId } = await runner.start("bench", makeRequest(i), { startedBy: "bench" });
    const run: RunRecord = await runner.settled(runId);
    latencies[i] = performance.now() - started;
    if (run.status !== "succeeded") throw new Error(`chain ${i}: ${run.status} ${JSON.stringify(run.error)}`);
    runIds[i] = runId;
  });
  if (counts && engine.roundTrips) counts.roundTrips = perChainCounts(engine.roundTrips, n);
  for (let i = 0; i < n; i += 1) await checkRun(store, runIds[i] as string, i, false);
  const bytes = await engine.bytes();
  await engine.close();
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
 * Scenario B: n chains run until step 1's output awaits approval (pause); runner and store are
 * closed; then a new store, chain registry and runner on the same database approve every run
 * and run steps 2-4 (resume). Finding the pending approval is timed, as on SQLite.
 */
async function pauseResume(label: string, n: number, { counts, timed = false }: { counts?: { pause: Counts; resume: Counts }; timed?: boolean } = {}) {
  const database = await createBenchDatabase(`baton_${label}`);
  const pause = new Float64Array(n);
  const resume = new Float64Array(n);
  const runIds: string[] = new Array(n);

  const first = await openEngine(database.url, true, counts?.pause);
  const pauseTotal = await timedChains(n, timed ? "pause" : undefined, async (i: number) => {
    const started = performance.now();
    const { runId } = await first.runner.start("bench", makeRequest(i), { startedBy: "bench" });
    const run = await first.runner.settled(runId);
    pause[i] = performance.now() - started;
    if (run.status !== "awaiting_approval" || run.cursor !== 0) throw new Error(`chain ${i}: expected to rest at the approval, got ${run.status}`);
    runIds[i] = runId;
  });
  if (counts && first.roundTrips) counts.pause.roundTrips = perChainCounts(first.roundTrips, n);
  const sizeAfterPause = (await first.bytes()).total;
  await first.close();

  const second = await openEngine(database.url, true, counts?.resume);
  await second.runner.recover(); // what a restarted process does first; nothing is in flight here
  if (second.roundTrips) resetCounts(second.roundTrips);
  const approver = { id: "bench-approver", trusted: true };
  const resumeTotal = await timedChains(n, timed ? "resume" : undefined, async (i: number) => {
    const runId = runIds[i] as string;
    const started = performance.now();
    const [approval] = await second.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) throw new Error(`chain ${i}: no pending approval`);
    const decision = await second.runner.decide(approval.id, { kind: "approve" }, approver);
    const run = await second.runner.settled(runId);
    resume[i] = performance.now() - started;
    if (!decision.applied || run.status !== "succeeded") throw new Error(`chain ${i}: resume ended ${run.status}`);
  });
  if (counts && second.roundTrips) counts.resume.roundTrips = perChainCounts(second.roundTrips, n);
  for (let i = 0; i < n; i += 1) await checkRun(second.store, runIds[i] as string, i, true);
  const bytes = await second.bytes();
  await second.close();
  await database.drop();
  return {
    ...pauseResumeFigures({ n, pause, resume, pauseTotal, resumeTotal, sizeAfterPause, finalBytes: bytes.total }),
    tables: bytes.tables,
    cycle_extra_ms_vs_uninterrupted_chain: 0,
  };
}

// ---------------------------------------------------------------- main

const loadAtStart = loadavg()[0] as number;

async function main(): Promise<void> {
  const wallStart = performance.now();
  const server = await serverSettings();

  // Untimed warm-up on throw-away databases, as on SQLite; it also counts store calls and round trips.
  const chain: Counts = { calls: {} };
  await throughput("warmup", nWarmup, { counts: chain });
  const nGated = Math.max(1, Math.floor(nWarmup / 4));
  const gated = { pause: { calls: {} }, resume: { calls: {} } } as { pause: Counts; resume: Counts };
  await pauseResume("warmup_gated", nGated, { counts: gated });
  // The call counts include the untimed check of every run after the loop (getRun, getSteps,
  // listApprovals once each per run); they are subtracted here. The round trips were read before it.
  const checked = { getRun: 1, getSteps: 1 };
  const calls = {
    chain: perChain(subtract(chain.calls, checked, nWarmup), nWarmup),
    pause: perChain(gated.pause.calls, nGated),
    resume: perChain(subtract(gated.resume.calls, { ...checked, listApprovals: 1 }, nGated), nGated),
  };
  const roundTrips = { chain: chain.roundTrips, pause: gated.pause.roundTrips, resume: gated.resume.roundTrips };

  // A and B are measured on the server as it is while they run; this says what a commit and a round trip cost then.
  const floor = await commitAndRoundTripFloor("baton", Math.max(50, Math.floor(nThroughput / 4)));
  const throughputResults = { postgres: await throughput("a", nThroughput, { phase: "a" }) };
  const pauseResumeResult = await pauseResume("b", nPause, { timed: true });
  pauseResumeResult.cycle_extra_ms_vs_uninterrupted_chain = r2(
    pauseResumeResult.pause_ms_median + pauseResumeResult.resume_ms_median - throughputResults.postgres.chain_ms_median,
  );

  const result = {
    engine: "baton",
    store: "postgres",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    load_average_1m: { at_start: r2(loadAtStart), at_end: r2(loadavg()[0] as number) },
    postgres: { host: postgresHost(), ...server, pool: "10 connections (postgres-databases.mjs benchPool)" },
    store_calls_per_chain: calls,
    round_trips_per_chain: roundTrips,
    floor_commit_and_round_trip: floor,
    throughput: throughputResults,
    pause_resume: pauseResumeResult,
    max_rss_mib_getrusage: maxRssMiB(),
    wall_s: r1((performance.now() - wallStart) / 1000),
  };

  const line = (label: string, value: string) => console.log(`${label.padEnd(46)} ${value}`);
  const a = throughputResults.postgres;
  const b = pauseResumeResult;
  console.log(
    `baton engine on its PostgreSQL store (PostgreSQL ${server.server_version} at ${postgresHost()}, synchronous_commit=${server.synchronous_commit}); node ${result.node}`,
  );
  line("A  postgres:", `${a.chains_per_s} chains/s, ${a.per_step_us} µs/step, chain median ${a.chain_ms_median} ms p99 ${a.chain_ms_p99} ms (N=${a.n})`);
  line("A  DB bytes per chain (tables + indexes):", `${a.db_bytes_per_chain} (${a.db_bytes_final} bytes)`);
  line("B  pause (start -> step 1 -> approval):", `median ${b.pause_ms_median} ms, p99 ${b.pause_ms_p99} ms (N=${b.n})`);
  line("B  resume (new store + runner, find, approve):", `median ${b.resume_ms_median} ms, p99 ${b.resume_ms_p99} ms`);
  line("store calls per chain / pause / resume:", `${JSON.stringify(calls.chain)} / ${JSON.stringify(calls.pause)} / ${JSON.stringify(calls.resume)}`);
  for (const [name, counted] of Object.entries(roundTrips)) {
    if (counted === undefined) continue;
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
