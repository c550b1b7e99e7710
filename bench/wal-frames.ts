// Which pages each store write puts in the WAL (a diagnostic, not part of `npm run bench`).
//
// On this VM a commit's cost grows with the frames it appends (two pwrite calls each, plus a
// checksum and a wal-index entry), so "how many frames, of which tables" says where a scenario's
// write cost goes. Runs scenario A (uninterrupted chains) and scenario B (pause, reopen,
// resume) of the benchmark with automatic checkpoints off, then reads the WAL back: the frames
// each store call appended, and every frame's page attributed to its table or index (dbstat).
//
//   node --import tsx wal-frames.ts [--n=400]

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { ChainStore } from "../src/core/ports.js";
import type { Runner } from "../src/core/runner.js";
import { SqliteChainStore, openDatabase } from "../src/store/index.js";
import { makeBenchRunner } from "./baton-engine.js";
import { makeRequest, parseArguments, r2 } from "./workload.mjs";

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const WRITES = ["createRun", "commitStep", "openApproval", "decideApproval", "finishRun", "appendEvents"] as const;

const { named } = parseArguments(process.argv.slice(2));
const n = Number(named.n ?? 400);
const directory = mkdtempSync(join(tmpdir(), "baton-wal-frames-"));

interface Probe {
  database: Database.Database;
  store: ChainStore;
  runner: Runner;
  /** Frames appended per call, by store method. */
  framesPerCall: Map<string, number[]>;
  pageSize: number;
}

function walFrames(path: string, pageSize: number): number {
  try {
    return Math.max(0, statSync(`${path}-wal`).size - WAL_HEADER_BYTES) / (pageSize + FRAME_HEADER_BYTES);
  } catch {
    return 0;
  }
}

function openProbe(path: string, gate: boolean): Probe {
  const database = openDatabase(path);
  database.pragma("wal_autocheckpoint = 0");
  const pageSize = database.pragma("page_size", { simple: true }) as number;
  const store = new SqliteChainStore(database);
  const framesPerCall = new Map<string, number[]>();
  const target = store as unknown as Record<string, (...parameters: unknown[]) => unknown>;
  for (const method of WRITES) {
    const original = target[method];
    if (original === undefined) continue;
    // The store does its SQL synchronously inside the call; the promise only carries the result.
    target[method] = (...parameters: unknown[]) => {
      const before = walFrames(path, pageSize);
      const result = original.apply(store, parameters);
      const list = framesPerCall.get(method) ?? [];
      list.push(walFrames(path, pageSize) - before);
      framesPerCall.set(method, list);
      return result;
    };
  }
  return { database, store, runner: makeBenchRunner(store, gate), framesPerCall, pageSize };
}

/** Every frame in the WAL, by the table or index its page belongs to now. */
function framesByTable(probe: Probe, path: string): Map<string, number> {
  const owners = new Map<number, string>();
  for (const row of probe.database.prepare("SELECT name, pageno, pagetype FROM dbstat WHERE pageno IS NOT NULL").all() as {
    name: string;
    pageno: number;
    pagetype: string;
  }[]) {
    owners.set(row.pageno, row.pagetype === "internal" ? `${row.name} (interior)` : row.name);
  }
  const wal = readFileSync(`${path}-wal`);
  const frameBytes = probe.pageSize + FRAME_HEADER_BYTES;
  const tally = new Map<string, number>();
  for (let offset = WAL_HEADER_BYTES; offset + frameBytes <= wal.length; offset += frameBytes) {
    const page = wal.readUInt32BE(offset);
    const owner = page === 1 ? "page 1 (header: file size)" : (owners.get(page) ?? "freed since");
    tally.set(owner, (tally.get(owner) ?? 0) + 1);
  }
  return tally;
}

function report(title: string, probe: Probe, path: string, per: number): void {
  console.log(`\n${title}`);
  for (const [method, frames] of probe.framesPerCall) {
    console.log(
      `  ${method.padEnd(16)} ${String(r2(frames.reduce((sum, value) => sum + value, 0) / frames.length)).padStart(6)} frames per call (${String(frames.length)} calls)`,
    );
  }
  console.log(`  by table, frames per chain:`);
  for (const [owner, frames] of [...framesByTable(probe, path)].sort((left, right) => right[1] - left[1]).filter(([, frames]) => r2(frames / per) > 0)) {
    console.log(`    ${owner.padEnd(34)} ${String(r2(frames / per)).padStart(6)}`);
  }
}

async function main(): Promise<void> {
  // A: uninterrupted chains on a fresh file.
  const pathA = join(directory, "a.sqlite");
  const a = openProbe(pathA, false);
  for (let index = 0; index < n; index += 1) {
    const { runId } = await a.runner.start("bench", makeRequest(index), { startedBy: "bench" });
    await a.runner.settled(runId);
  }
  report(`A: ${String(n)} chains, one after another`, a, pathA, n);
  await a.runner.close();
  a.store.close();

  // B: pause every chain, close (the WAL is folded in), reopen and resume each in turn.
  const pathB = join(directory, "b.sqlite");
  const pausing = openProbe(pathB, true);
  const runIds: string[] = [];
  for (let index = 0; index < n; index += 1) {
    const { runId } = await pausing.runner.start("bench", makeRequest(index), { startedBy: "bench" });
    await pausing.runner.settled(runId);
    runIds.push(runId);
  }
  report(`B, pause: ${String(n)} chains to their approval`, pausing, pathB, n);
  await pausing.runner.close();
  pausing.store.close();

  const resuming = openProbe(pathB, true);
  for (const runId of runIds) {
    const [approval] = await resuming.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) throw new Error(`no pending approval for ${runId}`);
    await resuming.runner.decide(approval.id, { kind: "approve" }, { id: "bench-approver", trusted: true });
    await resuming.runner.settled(runId);
  }
  report(`B, resume: the same ${String(n)} chains, approved after a restart`, resuming, pathB, n);
  await resuming.runner.close();
  resuming.store.close();
}

try {
  await main();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
