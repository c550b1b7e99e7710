// baton vs LangGraph.js on the same workload, in one command: runs langgraph-workload.mjs and
// baton-workload.ts one after the other, each in its own child process (so neither engine's JIT
// state, heap or GC debt leaks into the other's figures), then prints both and the ratios.
//
//   node run.mjs [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--quick]
//                [--runs=1]             separate rounds (each: LangGraph, then baton); medians are reported
//                [--only=baton|langgraph]
//                [--variants=all]       extra variants (LangGraph: MemorySaver, durability sync, synchronous=FULL;
//                                       baton: store on :memory:); they are not part of the ratios
//                [--out=results/x.json] also write the combined JSON there
//
// Prints a human summary, then (last line) one JSON object.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// Issue 17: hold the engine's lead (per durable step >= 10x, pause + resume >= 8x). The first
// targets (20x and 10x) were recorded out of reach in docs/benchmarks.md; DB bytes keeps its first one.
const TARGETS = { per_step: 10, pause_resume: 8, db_bytes_per_chain: 5 };

let rounds = 1;
let only;
let out;
const passThrough = [];
for (const argument of process.argv.slice(2)) {
  const match = /^--(runs|only|out)=(.*)$/.exec(argument);
  if (!match) passThrough.push(argument);
  else if (match[1] === "runs") rounds = Number(match[2]);
  else if (match[1] === "only") only = match[2];
  else out = match[2];
}
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--runs must be a positive integer");
if (only !== undefined && only !== "baton" && only !== "langgraph") throw new Error("--only must be baton or langgraph");

const ENGINES = {
  langgraph: { label: "LangGraph.js", args: [join(here, "langgraph-workload.mjs")] },
  baton: { label: "baton", args: ["--import", "tsx", join(here, "baton-workload.ts")] },
};

/** Run one workload script; its summary lines are echoed with a prefix, its last line is the JSON. */
function runChild(engine) {
  const { label, args } = ENGINES[engine];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...args, ...passThrough], { cwd: here, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.trimEnd().split("\n");
      if (code !== 0) return reject(new Error(`${label} workload exited with ${code}:\n${stdout}`));
      for (const summaryLine of lines.slice(0, -1)) console.log(`  [${engine}] ${summaryLine}`);
      try {
        resolvePromise(JSON.parse(lines.at(-1)));
      } catch (error) {
        reject(new Error(`${label} workload printed no JSON last line: ${error.message}`));
      }
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** Median of every numeric leaf across rounds; other leaves come from the first round. */
const mergeMedian = (values) => {
  const first = values[0];
  if (typeof first === "number") return median(values);
  if (first && typeof first === "object" && !Array.isArray(first)) {
    return Object.fromEntries(Object.keys(first).map((key) => [key, mergeMedian(values.map((value) => value?.[key]))]));
  }
  return first;
};
const r2 = (x) => Math.round(x * 100) / 100;

function ratiosOf(langgraph, baton) {
  const lgA = langgraph.throughput.sqlite;
  const btA = baton.throughput.sqlite;
  const lgB = langgraph.pause_resume;
  const btB = baton.pause_resume;
  const ratio = (value, target) => ({ ratio: r2(value), target, pass: value >= target });
  return {
    per_step: ratio(lgA.per_step_us / btA.per_step_us, TARGETS.per_step),
    pause_resume: ratio((lgB.pause_ms_median + lgB.resume_ms_median) / (btB.pause_ms_median + btB.resume_ms_median), TARGETS.pause_resume),
    db_bytes_per_chain: ratio(lgA.db_bytes_per_chain / btA.db_bytes_per_chain, TARGETS.db_bytes_per_chain),
    // Reported, not a target: the same ratio on scenario B's file.
    db_bytes_per_chain_pause_resume: { ratio: r2(lgB.db_bytes_per_chain / btB.db_bytes_per_chain) },
    chains_per_s: { ratio: r2(btA.chains_per_s / lgA.chains_per_s) },
  };
}

/** Which baton source was measured: the repository's commit, and whether src/ had uncommitted changes. */
function batonSource() {
  const git = (...args) => execFileSync("git", ["-C", join(here, ".."), ...args], { encoding: "utf8" }).trim();
  try {
    return { commit: git("rev-parse", "--short", "HEAD"), src_modified: git("status", "--porcelain", "--", "src").length > 0 };
  } catch {
    return { commit: "unknown", src_modified: null };
  }
}
const sourceBefore = batonSource();

// Both engines are measured on whatever else the machine is doing; say so when it is busy.
const [load1] = loadavg();
if (load1 > 1) console.log(`note: 1-minute load average is ${load1.toFixed(2)} before the run; other processes will skew the figures`);

const results = [];
for (let round = 1; round <= rounds; round += 1) {
  if (rounds > 1) console.log(`--- round ${round}/${rounds}`);
  const result = {};
  for (const engine of ["langgraph", "baton"]) {
    if (only && only !== engine) continue;
    console.log(`running ${ENGINES[engine].label} ${passThrough.join(" ")}`.trimEnd());
    result[engine] = await runChild(engine);
  }
  if (result.langgraph && result.baton) result.ratios = ratiosOf(result.langgraph, result.baton);
  results.push(result);
}

const summary = rounds === 1 ? results[0] : mergeMedian(results);
if (rounds > 1 && summary.langgraph && summary.baton) summary.ratios = ratiosOf(summary.langgraph, summary.baton);

// ---------------------------------------------------------------- the comparison
const { langgraph, baton, ratios } = summary;
const pad = (text, width) => String(text).padEnd(width);
const padLeft = (text, width) => String(text).padStart(width);
console.log("");
console.log(`${rounds > 1 ? `median of ${rounds} rounds; ` : ""}node ${(langgraph ?? baton).node}, ${(langgraph ?? baton).cpus} cpus`);
const row = (label, lg, bt, unit = "") => console.log(`${pad(label, 40)} ${padLeft(lg ?? "-", 12)} ${padLeft(bt ?? "-", 12)} ${unit}`);
row("", "LangGraph", "baton");
const lgA = langgraph?.throughput.sqlite;
const btA = baton?.throughput.sqlite;
const lgB = langgraph?.pause_resume;
const btB = baton?.pause_resume;
row("A  chains/s", lgA?.chains_per_s, btA?.chains_per_s);
row("A  µs per durable step", lgA?.per_step_us, btA?.per_step_us, "µs");
row("A  chain median", lgA?.chain_ms_median, btA?.chain_ms_median, "ms");
row("A  chain p99", lgA?.chain_ms_p99, btA?.chain_ms_p99, "ms");
row("A  DB bytes per chain", lgA?.db_bytes_per_chain, btA?.db_bytes_per_chain, "bytes");
row("   floor (same work, no engine)", langgraph?.floor_no_engine.per_step_us, baton?.floor_no_engine.per_step_us, "µs/step");
row("B  pause median", lgB?.pause_ms_median, btB?.pause_ms_median, "ms");
row("B  pause p99", lgB?.pause_ms_p99, btB?.pause_ms_p99, "ms");
row("B  resume median", lgB?.resume_ms_median, btB?.resume_ms_median, "ms");
row("B  resume p99", lgB?.resume_ms_p99, btB?.resume_ms_p99, "ms");
row("B  pause + resume (medians)", lgB && r2(lgB.pause_ms_median + lgB.resume_ms_median), btB && r2(btB.pause_ms_median + btB.resume_ms_median), "ms");
row("B  DB bytes per chain", lgB?.db_bytes_per_chain, btB?.db_bytes_per_chain, "bytes");
row("A  WAL bytes written per chain", langgraph?.wal_writes_per_chain.bytes_per_chain, baton?.wal_writes_per_chain.bytes_per_chain, "bytes");
row("peak RSS (getrusage maxRSS)", langgraph?.max_rss_mib_getrusage, baton?.max_rss_mib_getrusage, "MiB");
row("load average (1 min) at start", langgraph?.load_average_1m.at_start, baton?.load_average_1m.at_start);
if (ratios) {
  console.log("");
  const verdict = (entry) => `${entry.ratio}x (target >= ${entry.target}x: ${entry.pass ? "PASS" : "MISS"})`;
  console.log(`LangGraph ÷ baton, µs per durable step:       ${verdict(ratios.per_step)}`);
  console.log(`LangGraph ÷ baton, pause + resume medians:    ${verdict(ratios.pause_resume)}`);
  console.log(`LangGraph ÷ baton, DB bytes per chain (A):    ${verdict(ratios.db_bytes_per_chain)}`);
  console.log(`LangGraph ÷ baton, DB bytes per chain (B):    ${ratios.db_bytes_per_chain_pause_resume.ratio}x`);
}

const sourceAfter = batonSource();
if (JSON.stringify(sourceAfter) !== JSON.stringify(sourceBefore))
  console.log(`note: baton's source changed during the run (${JSON.stringify(sourceBefore)} -> ${JSON.stringify(sourceAfter)})`);
console.log(`baton source: commit ${sourceBefore.commit}${sourceBefore.src_modified ? " with uncommitted changes in src/" : ""}`);
const combined = {
  bench: "baton-vs-langgraph",
  rounds,
  arguments: passThrough,
  baton_source: sourceBefore,
  ...summary,
  ...(rounds > 1 ? { per_round: results } : {}),
};
if (out) {
  const path = resolve(here, out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(combined, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
console.log(JSON.stringify(combined));
