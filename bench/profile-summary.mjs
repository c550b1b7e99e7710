// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by area
// (baton's core, its store, zod, SQLite through better-sqlite3, zlib, GC, ...), plus the
// inclusive time of chosen functions.
//
//   node profile-summary.mjs <file.cpuprofile> [--top=40] [--inclusive=name1,name2,...]

import { readFileSync } from "node:fs";

const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error("usage: node profile-summary.mjs <file.cpuprofile> [--top=40] [--inclusive=a,b]");
const option = (name, fallback) => rest.find((argument) => argument.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const top = Number(option("top", 40));
const inclusiveNames = option("inclusive", "").split(",").filter(Boolean);

const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Self time per node from the samples and their time deltas (µs).
const selfTime = new Map();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
  total += delta;
});

function area(frame) {
  const { url, functionName } = frame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "(program: native, not attributed)";
  if (url.includes("/src/store/")) return "baton src/store (JS)";
  if (url.includes("/src/core/")) return "baton src/core";
  if (url.includes("/src/runtime/")) return "baton src/runtime";
  if (url.includes("/node_modules/zod/")) return "zod";
  if (url.includes("/node_modules/better-sqlite3/")) return "better-sqlite3 (JS wrapper)";
  if (url.includes("@langchain/langgraph-checkpoint-sqlite")) return "langgraph checkpoint-sqlite";
  if (url.includes("@langchain/langgraph-checkpoint/")) return "langgraph checkpoint (serde)";
  if (url.includes("@langchain/langgraph/")) return "@langchain/langgraph";
  if (url.includes("@langchain/core")) return "@langchain/core";
  if (url.includes("/langsmith/")) return "langsmith";
  if (url.includes("/bench/")) return "bench harness";
  if (url.startsWith("node:zlib") || url.includes("zlib")) return "node:zlib";
  if (url.startsWith("node:")) return `node internals (${url.replace(/^node:/, "").split("/")[0]})`;
  if (url === "") return "native/builtin (incl. SQLite via better-sqlite3)";
  return url.replace(/^.*node_modules\//, "").split("/")[0];
}

const byFunction = new Map();
const byArea = new Map();
for (const [id, time] of selfTime) {
  const frame = nodes.get(id).callFrame;
  const key = `${frame.functionName || "(anonymous)"}  ${frame.url.replace(/^.*\/(work\/main|node_modules)\//, "")}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  const name = area(frame);
  byArea.set(name, (byArea.get(name) ?? 0) + time);
}

const percent = (time) => `${((100 * time) / total).toFixed(1).padStart(5)}%`;
const ms = (time) => `${(time / 1000).toFixed(0).padStart(7)} ms`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
console.log("\nself time by area:");
for (const [name, time] of [...byArea].sort((x, y) => y[1] - x[1])) console.log(`  ${percent(time)} ${ms(time)}  ${name}`);
console.log(`\nself time, top ${top} functions:`);
for (const [name, time] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${percent(time)} ${ms(time)}  ${name}`);

if (inclusiveNames.length > 0) {
  // Inclusive time: every sample whose stack contains a frame with that function name
  // (counted once per sample even when the function recurses).
  console.log("\ninclusive time:");
  const inclusive = new Map(inclusiveNames.map((name) => [name, 0]));
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const name = nodes.get(current).callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, inclusive.get(name) + delta);
      }
    }
  });
  for (const [name, time] of inclusive) console.log(`  ${percent(time)} ${ms(time)}  ${name}`);
}
