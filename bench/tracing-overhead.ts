// Does tracing cost anything when it is off, and how much when it is on? The engine bench's
// workload (baton-engine.ts: the 4-step chain, the zero-latency model, a durable SQLite file),
// three variants interleaved in one process so they share the machine's state:
// - off (A) and off (B): the runner exactly as the engine bench builds it, as baton composes it
//   when no OTEL_EXPORTER_OTLP_* variable is set (no tracer built, no port wrapped). A/B is the
//   noise floor of the measurement.
// - on: the same runner with tracing on (src/telemetry/tracing.ts), exporting OTLP/HTTP protobuf
//   to a loopback receiver that answers 200.
// Run from the repository root: node --import tsx bench/tracing-overhead.ts [runs-per-round] [rounds]

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainRegistry } from "../src/core/chain-registry.js";
import type { Notifier } from "../src/core/ports.js";
import { DEFAULT_PRICES } from "../src/core/pricing.js";
import { Runner } from "../src/core/runner.js";
import { GptTokenCounter } from "../src/llm/gpt-token-counter.js";
import { TimeOrderedIds } from "../src/system/ids.js";
import { systemClock } from "../src/system/system-clock.js";
import { openSqliteStore } from "../src/store/index.js";
import { startTracing } from "../src/telemetry/tracing.js";
import { buildChain, FixedAnswerModel, makeBenchRunner, MODEL, silentLogger } from "./baton-engine.js";
import { makeRequest } from "./workload.mjs";

const runsPerRound = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);

const receiver = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(200, { "content-type": "application/x-protobuf" }).end());
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/v1/traces`;

const unusedNotifier: Notifier = {
  async notify() {
    throw new Error("the bench chain has no action steps");
  },
};

type Variant = "off (A)" | "off (B)" | "on";

async function measure(variant: Variant, round: number): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), "baton-tracing-bench-"));
  const store = openSqliteStore(join(directory, "bench.db"));
  const tracing =
    variant === "on" ? startTracing({ url: receiverUrl, protocol: "http/protobuf", headers: {}, timeoutMs: 10_000, serviceName: "baton-bench" }) : undefined;
  const runner = tracing
    ? new Runner({
        store,
        llm: tracing.wrapLlm(new FixedAnswerModel(), "openai"),
        chains: new ChainRegistry([buildChain(false)]),
        notifier: unusedNotifier,
        clock: systemClock,
        ids: new TimeOrderedIds(),
        logger: silentLogger,
        owner: `bench-${process.pid}`,
        defaultModel: MODEL,
        prices: DEFAULT_PRICES,
        tokens: new GptTokenCounter(),
      })
    : makeBenchRunner(store, false);
  const detach = tracing?.attach(runner.events);
  const started = process.hrtime.bigint();
  for (let index = 0; index < runsPerRound; index += 1) {
    const { runId } = await runner.start("bench", makeRequest(round * runsPerRound + index), { startedBy: "bench" });
    const run = await runner.settled(runId);
    if (run.status !== "succeeded") throw new Error(`run ${runId} ended ${run.status}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await runner.close();
  detach?.();
  await tracing?.shutdown();
  store.close();
  rmSync(directory, { recursive: true, force: true });
  return runsPerRound / seconds;
}

const variants: Variant[] = ["off (A)", "off (B)", "on"];
const results: Record<Variant, number[]> = { "off (A)": [], "off (B)": [], on: [] };
// One warm-up round, not counted.
for (const variant of variants) await measure(variant, 0);
for (let round = 1; round <= rounds; round += 1) {
  // Rotate the order so no variant always runs first.
  for (let offset = 0; offset < variants.length; offset += 1) {
    const variant = variants[(round + offset) % variants.length] as Variant;
    results[variant].push(await measure(variant, round));
  }
}
receiver.close();

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const offA = median(results["off (A)"]);
const offB = median(results["off (B)"]);
const on = median(results.on);
console.log(
  JSON.stringify(
    {
      node: process.version,
      runsPerRound,
      rounds,
      runsPerSecond: { offA, offB, on },
      samples: results,
      ratios: { offBOverOffA: offB / offA, onOverOff: on / ((offA + offB) / 2) },
    },
    null,
    2,
  ),
);
