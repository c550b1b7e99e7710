// baton's side of the workload, shared by baton-workload.ts and baton-postgres-workload.ts (the
// benchmark), baton-breakdown.ts and wal-frames.ts (diagnostics): the 4-step chain, the
// zero-latency model, a Runner built the way a baton process builds one, and the checks.

import { defineChain, z, type Chain } from "../src/chain-api.js";
import { ChainRegistry } from "../src/core/chain-registry.js";
import type { ChainStore, LlmClient, Logger, ModelRequest, ModelResponse, Notifier } from "../src/core/ports.js";
import { DEFAULT_PRICES } from "../src/core/pricing.js";
import { Runner } from "../src/core/runner.js";
import { GptTokenCounter } from "../src/llm/gpt-token-counter.js";
import { TimeOrderedIds } from "../src/system/ids.js";
import { systemClock } from "../src/system/system-clock.js";
import { FIXED_JSON, checkOutputs, makeSchemas, r2 } from "./workload.mjs";

export const MODEL = "gpt-4o-mini";

// baton's own zod instance (the one its chain API exports), as a chain file would use.
export const schemas = makeSchemas(z);

/** The zero-latency model: the fixed JSON text for the asking step; baton parses and validates it. */
export class FixedAnswerModel implements LlmClient {
  readonly name = "fixed-answers";
  async complete(request: ModelRequest): Promise<ModelResponse> {
    const text = (FIXED_JSON as Record<string, string>)[request.purpose.stepId];
    if (text === undefined) throw new Error(`no fixed answer for step ${request.purpose.stepId}`);
    return {
      model: request.model,
      text,
      refusal: null,
      finishReason: "stop",
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      latencyMs: 0,
      transportAttempts: 1,
      scripted: false,
      responseMode: "json_schema_strict",
    };
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const unusedNotifier: Notifier = {
  async notify() {
    throw new Error("the bench chain has no action steps");
  },
};

const requestSchema = z.object({ docId: z.string(), text: z.string() });

/** The 4-step chain; with `gate`, step 1's output needs an approval (the run pauses after step 1). */
export function buildChain(gate: boolean): Chain {
  const approval = gate ? { approval: { title: "approve the extracted requirements?" } } : {};
  return defineChain({ id: "bench", description: "4-step engine benchmark chain", input: requestSchema })
    .llm("extract", {
      system: "Extract the company, industry, requirements and constraints.",
      user: ({ input }) => input.text,
      output: schemas.extract,
      ...approval,
    })
    .llm("architecture", {
      system: "Propose an architecture.",
      user: ({ outputs }) => `Company: ${outputs.extract.company}`,
      output: schemas.architecture,
    })
    .llm("costs", {
      system: "Estimate the monthly costs.",
      user: ({ outputs }) => `Pattern: ${outputs.architecture.pattern}`,
      output: schemas.costs,
    })
    .llm("summary", {
      system: "Write the executive summary.",
      user: ({ outputs }) => `Monthly total: ${outputs.costs.monthlyTotal} ${outputs.costs.currency}`,
      output: schemas.summary,
    })
    .build() as unknown as Chain;
}

/** The runner a baton process builds on `store`, with the bench chain (gated or not). */
export function makeBenchRunner(store: ChainStore, gate: boolean): Runner {
  return new Runner({
    store,
    llm: new FixedAnswerModel(),
    chains: new ChainRegistry([buildChain(gate)]),
    notifier: unusedNotifier,
    clock: systemClock,
    ids: new TimeOrderedIds(),
    logger: silentLogger,
    owner: `bench-${process.pid}`,
    defaultModel: MODEL,
    prices: DEFAULT_PRICES,
    tokens: new GptTokenCounter(),
  });
}

type StepId = "extract" | "architecture" | "costs" | "summary";

/** Counts store calls per method (warm-up only; the timed runs are not instrumented). */
export function countCalls(store: ChainStore, calls: Record<string, number>): void {
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
    "appendEvents",
    "renewLeases",
  ]) {
    const original = target[method];
    if (typeof original !== "function") continue;
    calls[method] = 0;
    target[method] = (...parameters: unknown[]) => {
      calls[method] = (calls[method] ?? 0) + 1;
      return (original as (...a: unknown[]) => unknown).apply(store, parameters);
    };
  }
}
export const perChain = (calls: Record<string, number>, n: number) =>
  Object.fromEntries(
    Object.entries(calls)
      .filter(([, count]) => count > 0)
      .map(([method, count]) => [method, r2(count / n)]),
  );

/** The anchor's final-state check, on what the store holds for the run. */
export async function checkRun(store: ChainStore, runId: string, i: number, gated: boolean): Promise<void> {
  const run = await store.getRun(runId);
  if (run?.status !== "succeeded") throw new Error(`chain ${i}: status ${run?.status}`);
  const outputs = Object.fromEntries((await store.getSteps(runId)).map((step) => [step.stepId, step.output]));
  checkOutputs(run.input as { docId?: string }, outputs as Record<StepId, { score?: number; currency?: string }>, i);
  if (gated) {
    const approvals = await store.listApprovals({ runId, limit: 10 });
    if (approvals.length !== 1 || approvals[0]?.status !== "approved") throw new Error(`chain ${i}: approval missing`);
  }
}

/** Calls minus the given number per run (the untimed checks after a timed loop). */
export function subtract(calls: Record<string, number>, perRun: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.entries(calls).map(([method, count]) => [method, count - (perRun[method] ?? 0) * n]));
}
