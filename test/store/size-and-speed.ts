/**
 * Not a test: a measurement of the SQLite store alone, to tune its layout.
 *
 *   npx tsx test/store/size-and-speed.ts [--chains=1000] [--in-flight=1] [--compress-from=4096] [--text=bench|prose]
 *
 * Runs `--chains` 4-step chains through the public store API: createRun (1 event), then four
 * commitSteps with a ~1 KB output and 2 events each (the last one adds a `run.finished`), so
 * 10 audit events a chain. `--in-flight=K` interleaves K chains step by step, as a busy bot
 * would. `--text=bench` uses the step outputs of the LangGraph anchor benchmark
 * (/work/shared/bench/anchors/langgraph: 936 / 1067 / 1074 / 772 bytes); `--text=prose` uses
 * less repetitive text of the same sizes. Prints µs per commitStep and bytes per chain
 * (the file size after close, WAL folded in, divided by the chain count).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { AuditEventInput, StepCommit } from "../../src/core/ports.js";
import { openSqliteStore } from "../../src/store/index.js";
import { COMPRESS_FROM_BYTES } from "../../src/store/json-columns.js";

const argumentsByName = new Map(
  process.argv.slice(2).map((argument) => {
    const match = /^--([^=]+)=(.*)$/.exec(argument);
    if (match?.[1] === undefined || match[2] === undefined) throw new Error(`bad argument ${argument} (expected --name=value)`);
    return [match[1], match[2]] as const;
  }),
);
const chainCount = Number(argumentsByName.get("chains") ?? 1000);
const inFlight = Number(argumentsByName.get("in-flight") ?? 1);
const compressFromBytes = Number(argumentsByName.get("compress-from") ?? COMPRESS_FROM_BYTES);
const textKind = argumentsByName.get("text") ?? "bench";

// ─── The workload ─────────────────────────────────────────────────────────────

/** The anchor's filler: very repetitive, like list-shaped model output. */
function benchFiller(label: string, length: number): string {
  let text = "";
  for (let index = 0; text.length < length; index++) text += `${label} detail ${String(index)}; `;
  return text.slice(0, length);
}

const WORDS = (
  "the service region latency budget failover primary replica alert queue consumer retry backoff threshold " +
  "capacity storage network ingress policy encryption compliance audit owner team migrate deploy rollback " +
  "cost monthly estimate reserved instance savings risk mitigation customer contract availability zone"
).split(" ");
let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
/** Less repetitive text: random words and numbers, about as compressible as real prose. */
function proseFiller(_label: string, length: number): string {
  let text = "";
  while (text.length < length)
    text += `${WORDS[Math.floor(random() * WORDS.length)] ?? "x"}${random() < 0.15 ? ` ${String(Math.floor(random() * 10000))}.` : ""} `;
  return text.slice(0, length);
}

const filler = textKind === "prose" ? proseFiller : benchFiller;
const STEP_IDS = ["extract", "architecture", "costs", "summary"] as const;
const OUTPUT_TEXT: Record<(typeof STEP_IDS)[number], string> = {
  extract: JSON.stringify({
    company: "Acme Logistics GmbH",
    industry: "freight and warehousing",
    requirements: Array.from({ length: 10 }, (_, index) => `requirement ${String(index)}: ${filler("req", 40)}`),
    constraints: Array.from({ length: 5 }, (_, index) => `constraint ${String(index)}: ${filler("con", 30)}`),
    confidence: 0.87,
  }),
  architecture: JSON.stringify({
    pattern: "event-driven microservices",
    components: Array.from({ length: 8 }, (_, index) => ({ name: `service-${String(index)}`, role: filler("role", 60) })),
    rationale: filler("because", 200),
    risks: ["vendor lock-in", "eventual consistency", "operational load"],
  }),
  costs: JSON.stringify({
    currency: "EUR",
    monthlyTotal: 18250.5,
    lineItems: Array.from({ length: 12 }, (_, index) => ({ item: `line item ${String(index)} ${filler("cost", 30)}`, monthly: 1000 + index * 37.5 })),
    assumptions: filler("assume", 160),
  }),
  summary: JSON.stringify({
    title: "Modernisation proposal for Acme Logistics",
    body: filler("summary", 600),
    recommendations: ["start with the order service", "adopt managed queues", "budget a platform team"],
    score: 7,
  }),
};

const OWNER = "host-1:12345:abcdef";
let clock = Date.now();
let idCounter = 0;
const runId = () => `r_${clock.toString(36)}${(idCounter++).toString(36).padStart(4, "0")}`;

function event(runIdentifier: string, type: AuditEventInput["type"], stepId: string | null, data: Record<string, unknown>): AuditEventInput {
  return { runId: runIdentifier, at: clock, type, stepId, actor: "system", data };
}

interface Chain {
  id: string;
  cursor: number;
}

// ─── One measurement ──────────────────────────────────────────────────────────

interface Measurement {
  commitMicroseconds: number[];
  createMicroseconds: number[];
  /** CPU time (user + system) of the whole loop, per commitStep; steadier than wall time on a shared machine. */
  cpuMicrosecondsPerCommit: number;
  bytes: number;
}

async function measure(chains: number, path: string): Promise<Measurement> {
  const store = openSqliteStore(path, { compressFromBytes });
  const cpuAtStart = process.cpuUsage();
  const commitMicroseconds: number[] = [];
  const createMicroseconds: number[] = [];
  let started = 0;
  const active: Chain[] = [];
  while (started < chains || active.length > 0) {
    while (active.length < inFlight && started < chains) {
      const id = runId();
      const input = { docId: `doc-${String(started)}`, text: `Request ${String(started)}: ${filler("input", 200)}` };
      const begin = performance.now();
      await store.createRun(
        {
          id,
          chainId: "solution-brief",
          stepCount: 4,
          input,
          startedBy: "U024BE7LH",
          origin: { source: "cli" },
          at: clock,
          leaseOwner: OWNER,
          leaseExpiresAt: clock + 60_000,
        },
        [event(id, "run.started", null, { chainId: "solution-brief", source: "cli", startedBy: "U024BE7LH", steps: 4 })],
      );
      createMicroseconds.push((performance.now() - begin) * 1000);
      active.push({ id, cursor: 0 });
      started++;
    }
    for (const chain of [...active]) {
      const stepId = STEP_IDS[chain.cursor] ?? "extract";
      const last = chain.cursor === STEP_IDS.length - 1;
      clock += 3;
      const events = [
        event(chain.id, "model.call", stepId, { model: "gpt-4o-mini", attempt: 1, inputTokens: 812, outputTokens: 245, costUsd: 0.000269, latencyMs: 1840 }),
        event(chain.id, "step.finished", stepId, { durationMs: 1852, executions: 1, attempts: 1, outputBytes: OUTPUT_TEXT[stepId].length }),
      ];
      if (last) events.push(event(chain.id, "run.finished", null, { status: "succeeded", durationMs: 7412, costUsd: 0.001076 }));
      const commit: StepCommit = {
        guard: { runId: chain.id, owner: OWNER, cursor: chain.cursor },
        step: {
          runId: chain.id,
          stepIndex: chain.cursor,
          stepId,
          status: "succeeded",
          // A fresh object each time, as a model client hands back after parsing.
          output: JSON.parse(OUTPUT_TEXT[stepId]),
          startedAt: clock - 1852,
          finishedAt: clock,
          executions: 1,
          usage: { modelCalls: 1, inputTokens: 812, cachedInputTokens: 0, outputTokens: 245, costUsd: 0.000269 },
        },
        nextStatus: last ? "succeeded" : "running",
        at: clock,
        events,
      };
      const begin = performance.now();
      const applied = await store.commitStep(commit);
      commitMicroseconds.push((performance.now() - begin) * 1000);
      if (!applied) throw new Error(`commitStep of ${chain.id} step ${String(chain.cursor)} did not apply`);
      chain.cursor++;
      if (last) active.splice(active.indexOf(chain), 1);
    }
  }
  const cpu = process.cpuUsage(cpuAtStart);
  store.close();
  const cpuMicrosecondsPerCommit = (cpu.user + cpu.system) / commitMicroseconds.length;
  return { commitMicroseconds, createMicroseconds, cpuMicrosecondsPerCommit, bytes: statSync(path).size };
}

function quantile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const round = (value: number) => Math.round(value * 10) / 10;

const directory = mkdtempSync(join(tmpdir(), "baton-store-bench-"));
try {
  await measure(200, join(directory, "warm-up.db"));
  const result = await measure(chainCount, join(directory, "baton.db"));
  const outputBytes = STEP_IDS.map((stepId) => `${stepId}=${String(OUTPUT_TEXT[stepId].length)}B`).join(" ");
  console.log(
    `${String(chainCount)} chains of 4 steps (${outputBytes}, text=${textKind}), ${String(inFlight)} in flight, compress from ${String(compressFromBytes)} bytes`,
  );
  console.log(
    `commitStep: mean ${String(round(mean(result.commitMicroseconds)))} µs, median ${String(round(quantile(result.commitMicroseconds, 0.5)))} µs, ` +
      `p99 ${String(round(quantile(result.commitMicroseconds, 0.99)))} µs`,
  );
  console.log(`CPU time:   ${String(round(result.cpuMicrosecondsPerCommit))} µs per commitStep (user + system, createRun included)`);
  console.log(`createRun:  mean ${String(round(mean(result.createMicroseconds)))} µs, median ${String(round(quantile(result.createMicroseconds, 0.5)))} µs`);
  console.log(`database:   ${String(result.bytes)} bytes after close = ${String(Math.round(result.bytes / chainCount))} bytes per chain`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
