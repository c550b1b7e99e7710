// Where baton's time and bytes go on the benchmark workload (a diagnostic, not part of
// `npm run bench`): the same chains as baton-workload.ts, in one process, in variants that
// take parts away:
//
//   1. the SQLite store, every store call timed          -> store time vs the rest, per method
//   2. the SQLite store without JSON compression         -> what deflate costs and saves
//      and with SQLite's default page size / checkpoint interval instead of the store's
//   3. an in-memory ChainStore port fake                 -> the core engine alone
//   4. raw better-sqlite3: 5 write transactions a chain  -> the floor for 5 durable commits
//      with the same rows baton writes (compressed)
//   5. scenario B (pause, then resume from a new store), every store call timed
//
//   node --import tsx baton-breakdown.ts [--n-throughput=2000] [--n-pause=1000] [--warmup=200] [--rounds=3] [--quick]

import Database from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { deflateRawSync } from "node:zlib";
import type {
  ApprovalFilter,
  ApprovalOpen,
  ApprovalRecord,
  AuditEventInput,
  ChainStore,
  DecisionCommit,
  DecisionOutcome,
  NewRun,
  RunRecord,
  StepCommit,
  StepRecord,
} from "../src/core/ports.js";
import { TimeOrderedIds } from "../src/system/ids.js";
import { SqliteChainStore, openDatabase, openSqliteStore } from "../src/store/index.js";
import { makeBenchRunner } from "./baton-engine.js";
import { FIXED_JSON, STEPS, makeRequest, parseArguments, quantile, r1, r2 } from "./workload.mjs";

const { nThroughput, nPause, nWarmup, named } = parseArguments(process.argv.slice(2));
const rounds = Number(named.rounds ?? 3);
const tmp = mkdtempSync(join(tmpdir(), "baton-bench-breakdown-"));
const fileSize = (file: string) => (existsSync(file) ? statSync(file).size : 0);
let files = 0;
/** A new database path in the temp directory (each measurement gets its own file). */
const newDatabasePath = (name: string) => join(tmp, `${name}-${(files += 1)}.sqlite`);
const removeDatabase = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
};

// ---------------------------------------------------------------- timing every store call

type Timings = Map<string, { calls: number; totalMs: number }>;

/** Wraps the store's methods so each call's duration is added to `timings` (the store is synchronous inside). */
function timeStore(store: ChainStore, timings: Timings): ChainStore {
  const target = store as unknown as Record<string, unknown>;
  for (const method of [
    "createRun",
    "getRun",
    "getSteps",
    "listApprovals",
    "getApproval",
    "commitStep",
    "openApproval",
    "decideApproval",
    "renewLeases",
    "listRunsInFlight",
    "appendEvents",
  ]) {
    const original = target[method] as (...parameters: unknown[]) => Promise<unknown>;
    target[method] = (...parameters: unknown[]) => {
      const started = performance.now();
      const promise = original.apply(store, parameters);
      const entry = timings.get(method) ?? { calls: 0, totalMs: 0 };
      entry.calls += 1;
      entry.totalMs += performance.now() - started;
      timings.set(method, entry);
      return promise;
    };
  }
  // The SQLite store encodes JSON (stringify, deflate) before it takes the write lock, then runs
  // the transaction; when its (private) transaction object is there, time that part apart.
  const writes = (store as unknown as { writes?: Record<string, unknown> }).writes;
  if (writes && typeof writes === "object") {
    for (const method of ["createRun", "commitStep", "openApproval", "decideApproval"]) {
      const original = writes[method];
      if (typeof original !== "function") continue;
      writes[method] = (...parameters: unknown[]) => {
        const started = performance.now();
        try {
          return (original as (...a: unknown[]) => unknown)(...parameters);
        } finally {
          const key = `  ${method}: SQLite transaction`;
          const entry = timings.get(key) ?? { calls: 0, totalMs: 0 };
          entry.calls += 1;
          entry.totalMs += performance.now() - started;
          timings.set(key, entry);
        }
      };
    }
  }
  return store;
}

function timingTable(timings: Timings, chains: number): Record<string, { calls_per_chain: number; us_per_call: number; us_per_chain: number }> {
  const table: Record<string, { calls_per_chain: number; us_per_call: number; us_per_chain: number }> = {};
  for (const [method, { calls, totalMs }] of [...timings].sort((x, y) => y[1].totalMs - x[1].totalMs)) {
    if (calls === 0) continue;
    table[method] = { calls_per_chain: r2(calls / chains), us_per_call: r1((totalMs * 1000) / calls), us_per_chain: r1((totalMs * 1000) / chains) };
  }
  return table;
}
/** Time inside store calls; the transaction parts ("  x: SQLite transaction") are already inside them. */
const sumPerChain = (table: ReturnType<typeof timingTable>) =>
  r1(Object.entries(table).reduce((sum, [method, entry]) => (method.startsWith("  ") ? sum : sum + entry.us_per_chain), 0));

// ---------------------------------------------------------------- an in-memory ChainStore (the core engine alone)

/** Keeps records in maps, by reference: no serialisation, no SQL, no durability. */
class MemoryStore implements ChainStore {
  readonly runs = new Map<string, RunRecord>();
  readonly steps = new Map<string, StepRecord[]>();
  readonly approvals = new Map<string, ApprovalRecord>();
  readonly events: AuditEventInput[] = [];

  async createRun(run: NewRun, events: ReadonlyArray<AuditEventInput>): Promise<void> {
    this.runs.set(run.id, {
      id: run.id,
      chainId: run.chainId,
      status: "running",
      cursor: 0,
      stepCount: run.stepCount,
      input: run.input,
      startedBy: run.startedBy,
      origin: run.origin,
      createdAt: run.at,
      updatedAt: run.at,
      finishedAt: null,
      error: null,
      leaseOwner: run.leaseOwner,
      leaseExpiresAt: run.leaseExpiresAt,
    });
    this.events.push(...events);
  }
  async getRun(runId: string) {
    const run = this.runs.get(runId);
    return run && { ...run };
  }
  async listRuns() {
    return [...this.runs.values()];
  }
  async getSteps(runId: string) {
    return [...(this.steps.get(runId) ?? [])];
  }
  async commitStep(commit: StepCommit): Promise<boolean> {
    const run = this.runs.get(commit.guard.runId);
    if (run?.status !== "running" || run.cursor !== commit.guard.cursor || run.leaseOwner !== commit.guard.owner) return false;
    run.cursor += 1;
    run.updatedAt = commit.at;
    if (commit.nextStatus === "succeeded") Object.assign(run, { status: "succeeded", finishedAt: commit.at, leaseOwner: null, leaseExpiresAt: null });
    const list = this.steps.get(run.id) ?? [];
    list[commit.step.stepIndex] = commit.step;
    this.steps.set(run.id, list);
    this.events.push(...commit.events);
    return true;
  }
  async openApproval(open: ApprovalOpen): Promise<boolean> {
    const run = this.runs.get(open.guard.runId);
    if (run?.status !== "running" || run.cursor !== open.guard.cursor) return false;
    Object.assign(run, { status: "awaiting_approval", updatedAt: open.at, leaseOwner: null, leaseExpiresAt: null });
    this.approvals.set(open.approval.id, { ...open.approval });
    this.events.push(...open.events);
    return true;
  }
  async getApproval(approvalId: string) {
    const approval = this.approvals.get(approvalId);
    return approval && { ...approval };
  }
  async listApprovals(filter: ApprovalFilter) {
    return [...this.approvals.values()]
      .filter((approval) => (filter.runId === undefined || approval.runId === filter.runId) && (!filter.statuses || filter.statuses.includes(approval.status)))
      .slice(0, filter.limit);
  }
  async decideApproval(decision: DecisionCommit): Promise<DecisionOutcome> {
    const approval = this.approvals.get(decision.approvalId) as ApprovalRecord;
    const run = this.runs.get(approval.runId) as RunRecord;
    if (approval.status !== "pending" || run.status !== "awaiting_approval") return { applied: false, approval: { ...approval } };
    Object.assign(approval, {
      status: decision.status,
      decidedAt: decision.at,
      decidedBy: decision.decidedBy,
      editedOutput: decision.editedOutput,
      comment: decision.comment,
    });
    Object.assign(run, { status: decision.runStatus, updatedAt: decision.at, leaseOwner: decision.leaseOwner, leaseExpiresAt: decision.leaseExpiresAt });
    if (decision.step) {
      run.cursor = decision.step.stepIndex + 1;
      const list = this.steps.get(run.id) ?? [];
      list[decision.step.stepIndex] = decision.step;
      this.steps.set(run.id, list);
    }
    this.events.push(...decision.events);
    return { applied: true, approval: { ...approval } };
  }
  async finishRun(): Promise<boolean> {
    throw new Error("not used by the benchmark");
  }
  async claimRun(): Promise<boolean> {
    throw new Error("not used by the benchmark");
  }
  async renewLeases(): Promise<number> {
    return 0;
  }
  async listRunsInFlight() {
    return [];
  }
  async appendEvents(events: ReadonlyArray<AuditEventInput>) {
    this.events.push(...events);
  }
  async listEvents() {
    return [];
  }
  async getEffect() {
    return undefined;
  }
  async recordEffect() {}
  // Retries and re-runs: the bench chain never fails, so none of these is reached.
  async scheduleRetry(): Promise<boolean> {
    throw new Error("the bench chain schedules no retries");
  }
  async getRetry() {
    return undefined;
  }
  async listRetries() {
    return [];
  }
  async reopenRun(): Promise<boolean> {
    throw new Error("the bench does not reopen runs");
  }
  async createRerun(): Promise<void> {
    throw new Error("the bench does not re-run");
  }
  async getLineage() {
    return { parent: null, children: [] };
  }
  close() {}
}

// ---------------------------------------------------------------- scenarios

async function throughput(store: ChainStore, n: number) {
  const runner = makeBenchRunner(store, false);
  const latencies = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const { runId } = await runner.start("bench", makeRequest(i), { startedBy: "bench" });
    const run = await runner.settled(runId);
    latencies[i] = performance.now() - started;
    if (run.status !== "succeeded") throw new Error(`chain ${i}: ${run.status}`);
  }
  const totalMs = performance.now() - t0;
  await runner.close();
  return {
    n,
    per_step_us: r1((totalMs * 1000) / (n * STEPS.length)),
    per_chain_us: r1((totalMs * 1000) / n),
    chain_ms_median: r2(quantile(latencies, 0.5)),
    chain_ms_p99: r2(quantile(latencies, 0.99)),
    // mean of the chains faster than the median: the cost without the tail (GC, WAL checkpoints)
    per_chain_us_fast_half: r1(
      (1000 *
        Float64Array.from(latencies)
          .sort()
          .slice(0, n >> 1)
          .reduce((sum, value) => sum + value, 0)) /
        (n >> 1),
    ),
  };
}

interface StoreVariant {
  /** JSON columns compressed from this many characters (the store's option). */
  compressFromBytes?: number;
  /** Page size the file is created with (SQLite's default is 4096; the store may set its own). */
  pageSize?: number;
  /** PRAGMA wal_autocheckpoint on the store's connection, after the store set its own (SQLite's default is 1000 pages). */
  walAutocheckpoint?: number;
}

/** The store as openSqliteStore(path) builds it, with the variant's settings applied. */
function openVariantStore(path: string, variant: StoreVariant): ChainStore {
  if (variant.pageSize !== undefined) {
    const database = new Database(path);
    database.pragma(`page_size = ${variant.pageSize}`);
    database.pragma("journal_mode = WAL");
    database.exec("CREATE TABLE fix_page_size (x); DROP TABLE fix_page_size;");
    database.close();
  }
  const database = openDatabase(path);
  if (variant.walAutocheckpoint !== undefined) database.pragma(`wal_autocheckpoint = ${variant.walAutocheckpoint}`);
  return new SqliteChainStore(database, variant.compressFromBytes === undefined ? {} : { compressFromBytes: variant.compressFromBytes });
}

async function sqliteThroughput(name: string, n: number, variant: StoreVariant = {}) {
  const path = newDatabasePath(name);
  const timings: Timings = new Map();
  const store = timeStore(openVariantStore(path, variant), timings);
  const result = await throughput(store, n);
  const walBytes = fileSize(`${path}-wal`);
  store.close();
  const table = timingTable(timings, n);
  const bytes = fileSize(path);
  removeDatabase(path);
  return {
    ...result,
    db_bytes_per_chain: Math.round(bytes / n),
    wal_bytes_before_close: walBytes,
    store_us_per_chain: sumPerChain(table),
    outside_store_us_per_chain: r1(result.per_chain_us - sumPerChain(table)),
    store_calls: table,
  };
}

interface RawVariant {
  /** Audit rows per step commit (baton writes 2: model.call and step.finished). */
  eventsPerStep?: number;
  /** The events_by_run index (baton has it). */
  eventsIndex?: boolean;
  /** UPDATE the run row (cursor, updated_at) in every step commit (baton does, as its guard). */
  updateRun?: boolean;
  walAutocheckpoint?: number;
  pageSize?: number;
  /** Step outputs deflated (baton does, from 512 characters). */
  compress?: boolean;
}

/**
 * The floor for baton's durable writes: per chain, 1 + 4 write transactions (BEGIN IMMEDIATE ...
 * COMMIT) with rows like the ones baton writes, in the same WAL / synchronous=NORMAL mode, with
 * no engine and no reads. The variants take parts of each commit away.
 */
function rawSqliteFloor(name: string, n: number, variant: RawVariant = {}) {
  const { eventsPerStep = 2, eventsIndex = true, updateRun = true, walAutocheckpoint = 1000, pageSize = 4096, compress = true } = variant;
  const path = newDatabasePath(name);
  const database = new Database(path);
  database.pragma(`page_size = ${pageSize}`);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma(`wal_autocheckpoint = ${walAutocheckpoint}`);
  database.exec(`
    CREATE TABLE runs (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, cursor INTEGER NOT NULL, updated_at INTEGER NOT NULL, input ANY NOT NULL) STRICT;
    CREATE TABLE steps (run_key INTEGER NOT NULL, step_index INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, output ANY NOT NULL, PRIMARY KEY (run_key, step_index)) STRICT, WITHOUT ROWID;
    CREATE TABLE events (sequence INTEGER PRIMARY KEY, run_key INTEGER NOT NULL, at INTEGER NOT NULL, type INTEGER NOT NULL, step_id TEXT, data ANY NOT NULL) STRICT;
    ${eventsIndex ? "CREATE INDEX events_by_run ON events (run_key);" : ""}`);
  const text = FIXED_JSON as Record<string, string>;
  const outputs = STEPS.map((step) => (compress ? deflateRawSync(text[step] as string, { level: 6, windowBits: 12, memLevel: 5 }) : (text[step] as string)));
  const insertRun = database.prepare("INSERT INTO runs (id, status, cursor, updated_at, input) VALUES (?, 'running', 0, ?, ?) RETURNING key").pluck();
  const advance = database.prepare("UPDATE runs SET cursor = cursor + 1, updated_at = ? WHERE key = ? AND status = 'running' RETURNING key");
  const checkRun = database.prepare("SELECT key FROM runs WHERE key = ? AND status = 'running'");
  const insertStep = database.prepare("INSERT INTO steps (run_key, step_index, started_at, finished_at, output) VALUES (?, ?, ?, ?, ?)");
  const insertEvent = database.prepare("INSERT INTO events (run_key, at, type, step_id, data) VALUES (?, ?, ?, ?, ?)");
  const create = database.transaction((id: string, input: string) => {
    const key = insertRun.get(id, Date.now(), input) as number;
    insertEvent.run(key, Date.now(), 1, null, "{}");
    return key;
  });
  const commit = database.transaction((key: number, index: number) => {
    const at = Date.now();
    if ((updateRun ? advance.get(at, key) : checkRun.get(key)) === undefined) throw new Error("guard failed");
    insertStep.run(key, index, at, at, outputs[index] as Buffer | string);
    if (eventsPerStep >= 2)
      insertEvent.run(
        key,
        at,
        8,
        STEPS[index],
        '{"model":"gpt-4o-mini","attempt":1,"inputTokens":0,"outputTokens":0,"costUsd":0,"latencyMs":0,"outcome":"valid"}',
      );
    if (eventsPerStep >= 1) insertEvent.run(key, at, 5, STEPS[index], `{"startedAt":${at},"round":1}`);
  });
  const ids = new TimeOrderedIds();
  const latencies = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const key = create.immediate(ids.next("r_"), JSON.stringify(makeRequest(i)));
    for (let index = 0; index < STEPS.length; index += 1) commit.immediate(key, index);
    latencies[i] = performance.now() - started;
  }
  const totalMs = performance.now() - t0;
  const walBytes = fileSize(`${path}-wal`);
  database.close();
  const bytes = fileSize(path);
  removeDatabase(path);
  return {
    n,
    per_step_us: r1((totalMs * 1000) / (n * STEPS.length)),
    per_chain_us: r1((totalMs * 1000) / n),
    chain_us_median: r1(1000 * quantile(latencies, 0.5)),
    chain_ms_p99: r2(quantile(latencies, 0.99)),
    db_bytes_per_chain: Math.round(bytes / n),
    ...(walAutocheckpoint === 0 ? { wal_bytes_per_chain: Math.round(walBytes / n) } : {}),
  };
}

/** What one write transaction costs on this disk: empty, and with one 250-byte row (no checkpoint). */
function rawTransactionCost(n: number) {
  const path = newDatabasePath("raw-transaction");
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("wal_autocheckpoint = 0");
  database.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
  const insert = database.prepare("INSERT INTO t (v) VALUES (?)");
  const value = Buffer.alloc(250, 7);
  const empty = database.transaction(() => undefined);
  const oneRow = database.transaction(() => insert.run(value));
  const time = (body: () => unknown) => {
    const started = performance.now();
    for (let i = 0; i < n; i += 1) body();
    return r1(((performance.now() - started) * 1000) / n);
  };
  time(() => empty.immediate());
  time(() => oneRow.immediate());
  const result = { empty_us: time(() => empty.immediate()), one_row_us: time(() => oneRow.immediate()) };
  database.close();
  removeDatabase(path);
  return result;
}

const RAW_VARIANTS: Record<string, RawVariant> = {
  "as baton writes": {},
  "1 event per step": { eventsPerStep: 1 },
  "no events_by_run index": { eventsIndex: false },
  "run row checked, not updated": { updateRun: false },
  "wal_autocheckpoint 10000": { walAutocheckpoint: 10_000 },
  "no automatic checkpoint": { walAutocheckpoint: 0 },
  "page_size 1024": { pageSize: 1024 },
  "not compressed": { compress: false },
  "1 event, no index, run checked": { eventsPerStep: 1, eventsIndex: false, updateRun: false },
  "1 event, no index, run checked, ckpt 10000": { eventsPerStep: 1, eventsIndex: false, updateRun: false, walAutocheckpoint: 10_000 },
};

async function pauseResume(n: number) {
  const path = newDatabasePath("pause-resume");
  const pauseTimings: Timings = new Map();
  const resumeTimings: Timings = new Map();
  const pause = new Float64Array(n);
  const resume = new Float64Array(n);
  const runIds: string[] = [];
  const store1 = timeStore(openSqliteStore(path), pauseTimings);
  const runner1 = makeBenchRunner(store1, true);
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const { runId } = await runner1.start("bench", makeRequest(i), { startedBy: "bench" });
    await runner1.settled(runId);
    pause[i] = performance.now() - started;
    runIds.push(runId);
  }
  await runner1.close();
  store1.close();
  const store2 = timeStore(openSqliteStore(path), resumeTimings);
  const runner2 = makeBenchRunner(store2, true);
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const [approval] = await store2.listApprovals({ runId: runIds[i] as string, statuses: ["pending"], limit: 1 });
    await runner2.decide((approval as ApprovalRecord).id, { kind: "approve" }, { id: "bench-approver", trusted: true });
    const run = await runner2.settled(runIds[i] as string);
    resume[i] = performance.now() - started;
    if (run.status !== "succeeded") throw new Error(`chain ${i}: ${run.status}`);
  }
  await runner2.close();
  store2.close();
  const pauseTable = timingTable(pauseTimings, n);
  const resumeTable = timingTable(resumeTimings, n);
  const pauseMean = (1000 * pause.reduce((sum, value) => sum + value, 0)) / n;
  const resumeMean = (1000 * resume.reduce((sum, value) => sum + value, 0)) / n;
  return {
    n,
    pause_ms_median: r2(quantile(pause, 0.5)),
    resume_ms_median: r2(quantile(resume, 0.5)),
    pause: { mean_us: r1(pauseMean), store_us: sumPerChain(pauseTable), outside_store_us: r1(pauseMean - sumPerChain(pauseTable)), store_calls: pauseTable },
    resume: {
      mean_us: r1(resumeMean),
      store_us: sumPerChain(resumeTable),
      outside_store_us: r1(resumeMean - sumPerChain(resumeTable)),
      store_calls: resumeTable,
    },
  };
}

// ---------------------------------------------------------------- main

try {
  // Warm-up: every variant once, untimed, on throw-away files.
  await sqliteThroughput("warm-1", nWarmup);
  await sqliteThroughput("warm-2", nWarmup, { compressFromBytes: Number.POSITIVE_INFINITY, pageSize: 4096, walAutocheckpoint: 1000 });
  await throughput(new MemoryStore(), nWarmup);
  for (const [name, variant] of Object.entries(RAW_VARIANTS)) rawSqliteFloor(`warm-raw-${name.replace(/\W+/g, "-")}`, nWarmup, variant);

  // Every variant runs in each of `rounds` rounds, in a rotated order (so none always runs
  // first or last); each figure below is the variant's round with the median µs/step.
  type Measured = { per_step_us: number };
  const storeVariants: Array<[string, () => Promise<Measured>]> = [
    ["sqlite", () => sqliteThroughput("a-sqlite", nThroughput)],
    ["sqlite_uncompressed", () => sqliteThroughput("a-sqlite-uncompressed", nThroughput, { compressFromBytes: Number.POSITIVE_INFINITY })],
    // The store's own page size and checkpoint interval against SQLite's defaults.
    ["page_size_4096", () => sqliteThroughput("a-page-4096", nThroughput, { pageSize: 4096 })],
    ["wal_autocheckpoint_1000", () => sqliteThroughput("a-ckpt-1000", nThroughput, { walAutocheckpoint: 1000 })],
    ["both_sqlite_defaults", () => sqliteThroughput("a-sqlite-defaults", nThroughput, { pageSize: 4096, walAutocheckpoint: 1000 })],
    ["memory_store", () => throughput(new MemoryStore(), nThroughput)],
    ...Object.entries(RAW_VARIANTS).map(([name, variant]): [string, () => Promise<Measured>] => [
      `raw: ${name}`,
      async () => rawSqliteFloor(`raw-${name.replace(/\W+/g, "-")}`, nThroughput, variant),
    ]),
  ];
  const samples = new Map<string, Measured[]>();
  for (let round = 0; round < rounds; round += 1) {
    for (let index = 0; index < storeVariants.length; index += 1) {
      const [name, measure] = storeVariants[(index + round * 3) % storeVariants.length] as [string, () => Promise<Measured>];
      const list = samples.get(name) ?? [];
      list.push(await measure());
      samples.set(name, list);
    }
  }
  const median = <T extends Measured>(name: string): T & { per_step_us_rounds: number[] } => {
    const list = [...(samples.get(name) as T[])].sort((x, y) => x.per_step_us - y.per_step_us);
    return { ...(list[list.length >> 1] as T), per_step_us_rounds: (samples.get(name) as T[]).map((entry) => entry.per_step_us) };
  };
  type SqliteResult = Awaited<ReturnType<typeof sqliteThroughput>>;
  type RawResult = ReturnType<typeof rawSqliteFloor>;
  const result = {
    rounds,
    sqlite: median<SqliteResult>("sqlite"),
    sqlite_uncompressed: median<SqliteResult>("sqlite_uncompressed"),
    sqlite_defaults: {
      page_size_4096: median<SqliteResult>("page_size_4096"),
      wal_autocheckpoint_1000: median<SqliteResult>("wal_autocheckpoint_1000"),
      both: median<SqliteResult>("both_sqlite_defaults"),
    },
    memory_store: median<Awaited<ReturnType<typeof throughput>>>("memory_store"),
    raw_sqlite_5_transactions: Object.fromEntries(Object.keys(RAW_VARIANTS).map((name) => [name, median<RawResult>(`raw: ${name}`)])),
    raw_transaction: rawTransactionCost(nThroughput * 5),
    pause_resume: await pauseResume(nPause),
  };
  const line = (label: string, value: unknown) => console.log(`${label.padEnd(52)} ${typeof value === "string" ? value : JSON.stringify(value)}`);
  const a = result.sqlite;
  line(
    "A  SQLite store:",
    `${a.per_step_us} µs/step (rounds ${a.per_step_us_rounds.join(", ")}), ${a.per_chain_us} µs/chain (fast half ${a.per_chain_us_fast_half}), ${a.db_bytes_per_chain} B/chain`,
  );
  line("   in store calls / outside (core + harness):", `${a.store_us_per_chain} / ${a.outside_store_us_per_chain} µs per chain`);
  for (const [method, entry] of Object.entries(a.store_calls))
    line(`     ${method}`, `${entry.calls_per_chain}/chain x ${entry.us_per_call} µs = ${entry.us_per_chain} µs/chain`);
  const u = result.sqlite_uncompressed;
  line(
    "A  SQLite store, no compression:",
    `${u.per_step_us} µs/step, ${u.per_chain_us} µs/chain (fast half ${u.per_chain_us_fast_half}), ${u.db_bytes_per_chain} B/chain`,
  );
  line("   in store calls / outside:", `${u.store_us_per_chain} / ${u.outside_store_us_per_chain} µs per chain`);
  for (const [name, w] of Object.entries(result.sqlite_defaults)) {
    line(
      `A  SQLite default ${name}:`,
      `${w.per_step_us} µs/step, ${w.per_chain_us} µs/chain (fast half ${w.per_chain_us_fast_half}, p99 ${w.chain_ms_p99} ms), ${w.db_bytes_per_chain} B/chain, store ${w.store_us_per_chain} µs/chain`,
    );
  }
  const m = result.memory_store;
  line("A  in-memory store fake (core engine alone):", `${m.per_step_us} µs/step, ${m.per_chain_us} µs/chain (fast half ${m.per_chain_us_fast_half})`);
  line(
    "   one SQLite write transaction (no checkpoint):",
    `${result.raw_transaction.empty_us} µs empty, ${result.raw_transaction.one_row_us} µs with one 250-byte row`,
  );
  for (const [name, raw] of Object.entries(result.raw_sqlite_5_transactions)) {
    line(
      `A  raw SQLite floor, ${name}:`,
      `${raw.per_step_us} µs/step, chain median ${raw.chain_us_median} µs p99 ${raw.chain_ms_p99} ms, ${raw.db_bytes_per_chain} B/chain${"wal_bytes_per_chain" in raw ? `, WAL ${raw.wal_bytes_per_chain} B/chain` : ""}`,
    );
  }
  const b = result.pause_resume;
  line("B  pause:", `mean ${b.pause.mean_us} µs = store ${b.pause.store_us} + outside ${b.pause.outside_store_us}`);
  for (const [method, entry] of Object.entries(b.pause.store_calls))
    line(`     ${method}`, `${entry.calls_per_chain}/chain x ${entry.us_per_call} µs = ${entry.us_per_chain} µs`);
  line("B  resume:", `mean ${b.resume.mean_us} µs = store ${b.resume.store_us} + outside ${b.resume.outside_store_us}`);
  for (const [method, entry] of Object.entries(b.resume.store_calls))
    line(`     ${method}`, `${entry.calls_per_chain}/chain x ${entry.us_per_call} µs = ${entry.us_per_chain} µs`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
