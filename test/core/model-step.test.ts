import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { isBatonError } from "../../src/core/errors.js";
import type { LlmClient, ModelRequest, ModelResponse } from "../../src/core/ports.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

const Classification = z.object({
  severity: z.enum(["SEV1", "SEV2", "SEV3", "SEV4"]),
  summary: z.string().min(5),
});

const valid = { severity: "SEV2", summary: "Checkout latency above SLO" };

function classifyChain(options: { maxAttempts?: number; fallbackModels?: string[]; timeoutMs?: number; retry?: { attempts: number } } = {}) {
  return defineChain({ id: "classify", description: "test", input: z.object({ alert: z.string() }) })
    .llm("classify", {
      system: "You classify alerts.",
      user: ({ input }) => `Alert: ${input.alert}`,
      output: Classification,
      maxAttempts: options.maxAttempts ?? 3,
      fallbackModels: options.fallbackModels ?? [],
      timeoutMs: options.timeoutMs,
      ...(options.retry ? { retry: options.retry } : {}),
    })
    .build();
}

type ChatBody = { model: string; messages: Array<{ role: string; content: string }>; response_format?: { type: string; json_schema?: { strict?: boolean } } };
const bodyOf = (harness: Harness, index: number): ChatBody => harness.server.requests[index]?.body as ChatBody;

describe("model steps through the real openai client and a fake server", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function runToRest(chain: ReturnType<typeof classifyChain>, clientOptions: { maxRetries?: number } = {}) {
    harness = await createHarness([chain], {}, clientOptions);
    const { runId } = await harness.runner.start("classify", { alert: "p99 latency 2.3s on checkout" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    const steps = await harness.store.getSteps(runId);
    const events = await harness.store.listEvents(runId);
    return { run, steps, events };
  }

  it("accepts a valid answer, asks with a strict JSON schema, and records tokens and cost", async () => {
    const chain = classifyChain();
    harness = await createHarness([chain]);
    harness.server.enqueue({ kind: "json", value: valid, usage: { prompt_tokens: 1200, completion_tokens: 300 } });
    const { runId } = await harness.runner.start("classify", { alert: "disk full" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("succeeded");
    const [step] = await harness.store.getSteps(runId);
    expect(step?.output).toEqual(valid);
    expect(step?.usage).toMatchObject({ modelCalls: 1, inputTokens: 1200, outputTokens: 300 });
    // gpt-4o-mini list price: 0.15 / 0.6 USD per million tokens.
    expect(step?.usage.costUsd).toBeCloseTo((1200 * 0.15 + 300 * 0.6) / 1e6, 10);
    const body = bodyOf(harness, 0);
    expect(body.response_format?.type).toBe("json_schema");
    expect(body.response_format?.json_schema?.strict).toBe(true);
    expect(body.messages[1]?.content).toContain("Alert: disk full");
    const call = (await harness.store.listEvents(runId)).find((event) => event.type === "model.call");
    expect(call?.data).toMatchObject({ model: "gpt-4o-mini", inputTokens: 1200, outputTokens: 300, outcome: "valid" });
  });

  it("re-asks with the JSON error after malformed JSON", async () => {
    const chain = classifyChain();
    harness = await createHarness([chain]);
    harness.server.enqueue({ kind: "text", text: '{"severity": "SEV2", "summary": ' }, { kind: "json", value: valid });
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const retry = bodyOf(harness, 1).messages;
    expect(retry.at(-2)).toMatchObject({ role: "assistant", content: '{"severity": "SEV2", "summary": ' });
    expect(retry.at(-1)?.content).toMatch(/not valid JSON/);
  });

  it("re-asks with zod's paths after JSON that breaks the schema", async () => {
    const chain = classifyChain();
    harness = await createHarness([chain]);
    harness.server.enqueue({ kind: "json", value: { severity: "CRITICAL", summary: "x" } }, { kind: "json", value: valid });
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const reask = bodyOf(harness, 1).messages.at(-1)?.content ?? "";
    expect(reask).toContain("severity:");
    expect(reask).toContain("summary:");
    const events = await harness.store.listEvents(runId);
    expect(events.filter((event) => event.type === "model.output_invalid")).toHaveLength(1);
  });

  it("a step's deterministic check sends a schema-valid answer back with its problems, and the corrected answer is used", async () => {
    // Every item of the input must be covered by the answer (the RFP chain's coverage check, in small).
    const coverage = defineChain({ id: "cover", description: "test", input: z.object({ items: z.array(z.string()) }) })
      .llm("cover", {
        system: "Cover every item.",
        user: ({ input }) => input.items.join(", "),
        output: z.object({ covered: z.array(z.string()), total: z.number(), parts: z.array(z.number()) }),
        check: (output, { input }) => [
          ...input.items.filter((item) => !output.covered.includes(item)).map((item) => `item "${item}" is not covered: add it to covered`),
          ...(output.parts.reduce((sum, part) => sum + part, 0) === output.total
            ? []
            : [{ path: "total", message: `is ${String(output.total)} but the parts add up to ${String(output.parts.reduce((sum, part) => sum + part, 0))}` }]),
        ],
      })
      .build();
    harness = await createHarness([coverage]);
    harness.server.enqueue(
      { kind: "json", value: { covered: ["a"], total: 5, parts: [2, 2] } },
      { kind: "json", value: { covered: ["a", "b"], total: 4, parts: [2, 2] } },
    );
    const { runId } = await harness.runner.start("cover", { items: ["a", "b"] }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect((await harness.store.getSteps(runId))[0]?.output).toEqual({ covered: ["a", "b"], total: 4, parts: [2, 2] });
    const reask = bodyOf(harness, 1).messages.at(-1)?.content ?? "";
    expect(reask).toContain('item "b" is not covered: add it to covered');
    expect(reask).toContain("total: is 5 but the parts add up to 4");
    const events = await harness.store.listEvents(runId);
    expect(events.filter((event) => event.type === "model.call").map((event) => event.data["outcome"])).toEqual(["check_failed", "valid"]);
  });

  it("an answer that keeps failing its check fails the step with the problems and the raw text", async () => {
    const strict = defineChain({ id: "strict", description: "test", input: z.object({}) })
      .llm("answer", {
        system: "x",
        user: () => "x",
        output: z.object({ n: z.number() }),
        maxAttempts: 2,
        fallbackModels: [],
        check: (output) => (output.n > 10 ? [] : [{ path: "n", message: "must be above 10" }]),
      })
      .build();
    harness = await createHarness([strict]);
    harness.server.enqueue({ kind: "json", value: { n: 1 } }, { kind: "json", value: { n: 2 } });
    const { runId } = await harness.runner.start("strict", {}, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_OUTPUT_INVALID");
    expect(run.error?.message).toContain("n: must be above 10");
  });

  it("falls back to the next model after the attempts run out", async () => {
    harness = await createHarness([classifyChain({ maxAttempts: 2, fallbackModels: ["backup-model"] })]);
    harness.server.enqueue(
      { kind: "text", text: "sorry, no JSON" },
      { kind: "json", value: { severity: "SEV9" } },
      { kind: "json", value: valid, model: "backup-model" },
    );
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect(harness.server.requests.map((request) => (request.body as ChatBody).model)).toEqual(["gpt-4o-mini", "gpt-4o-mini", "backup-model"]);
    // The fallback model starts a clean conversation, without the failed attempts.
    expect(bodyOf(harness, 2).messages).toHaveLength(2);
  });

  it("tries the fallback model when the primary model's server fails, and fails the run when both do", async () => {
    // One try in all: without it the run would wait out the outage (test/core/step-retries.test.ts).
    const { run, steps, events } = await runToRest(classifyChain({ fallbackModels: ["backup-model"], retry: { attempts: 1 } }), { maxRetries: 0 });
    // Nothing was scripted: every request gets the fake server's 500.
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_TRANSPORT");
    expect(steps).toHaveLength(0);
    expect(harness?.server.requests.map((request) => (request.body as ChatBody).model)).toEqual(["gpt-4o-mini", "backup-model"]);
    expect(events.filter((event) => event.type === "model.call").map((event) => event.data["outcome"])).toEqual(["transport_error", "transport_error"]);
    // One sentence per thought: no ".." where the server's message ends, the advice said once.
    const message = run.error?.message ?? "";
    expect(message).toMatch(
      /^Step "classify" got no answer from the model after 2 call\(s\) to gpt-4o-mini, backup-model\. The model "backup-model" at .* failed \(HTTP 500/,
    );
    expect(message).not.toMatch(/\.\./);
    expect(message.match(/provider's status/g)).toHaveLength(1);
    expect(message).not.toContain("BATON_FALLBACK_MODELS");
  });

  it("says how to add a fallback model when the only model's server fails, in sentences that end once", async () => {
    const { run } = await runToRest(classifyChain({ retry: { attempts: 1 } }), { maxRetries: 0 });
    const message = run.error?.message ?? "";
    expect(run.error?.code).toBe("MODEL_TRANSPORT");
    expect(message).toMatch(/then retry the run\. To carry on when this model is down, set BATON_FALLBACK_MODELS \(or the step's fallbackModels\)\.$/);
    expect(message).not.toMatch(/\.\./);
  });

  it("keeps the last raw answer and zod issues on MODEL_OUTPUT_INVALID", async () => {
    harness = await createHarness([classifyChain({ maxAttempts: 2 })]);
    harness.server.enqueue({ kind: "json", value: { severity: "SEV9", summary: "ok summary" } }, { kind: "text", text: "I think it is SEV2" });
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_OUTPUT_INVALID");
    expect(run.error?.stepId).toBe("classify");
    expect(run.error?.details?.["rawText"]).toBe("I think it is SEV2");
    expect(run.error?.message).toMatch(/not valid JSON/);
    expect(run.error?.details?.["attempts"]).toHaveLength(2);
  });

  it("ends in MODEL_REFUSED, not a crash, when the model refuses", async () => {
    harness = await createHarness([classifyChain()]);
    harness.server.enqueue({ kind: "refusal", refusal: "I can't help with that." });
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_REFUSED");
    expect(run.error?.message).toContain("I can't help with that.");
  });

  it("waits as Retry-After says after a 429, then succeeds", async () => {
    harness = await createHarness([classifyChain()]);
    harness.server.enqueue(
      { kind: "status", status: 429, headers: { "retry-after": "1" }, body: { error: { message: "rate limited" } } },
      { kind: "json", value: valid },
    );
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("succeeded");
    const [first, second] = harness.server.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    const call = (await harness.store.listEvents(runId)).find((event) => event.type === "model.call");
    expect(call?.data["transportAttempts"]).toBe(2);
  });

  it("retries a 500 and succeeds", async () => {
    harness = await createHarness([classifyChain()]);
    harness.server.enqueue({ kind: "status", status: 500, body: { error: { message: "boom" } } }, { kind: "json", value: valid });
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect(harness.server.requests).toHaveLength(2);
  });

  it("fails with MODEL_TRANSPORT when the server hangs past the step's timeout", async () => {
    harness = await createHarness([classifyChain({ timeoutMs: 300, retry: { attempts: 1 } })], {}, { maxRetries: 0 });
    harness.server.enqueue({ kind: "hang" });
    const started = Date.now();
    const { runId } = await harness.runner.start("classify", { alert: "x" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_TRANSPORT");
    expect(run.error?.message).toMatch(/OPENAI_BASE_URL|timed out|timeout/i);
  });
});

describe("the model concurrency limit", () => {
  it("keeps model calls in flight at or below the limit across runs", async () => {
    let inFlight = 0;
    let peak = 0;
    // A port fake: an LlmClient that answers after a short delay and counts overlap.
    const slowModel: LlmClient = {
      name: "slow",
      async complete(request: ModelRequest): Promise<ModelResponse> {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return {
          model: request.model,
          text: JSON.stringify(valid),
          refusal: null,
          finishReason: "stop",
          usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
          latencyMs: 20,
          transportAttempts: 1,
          scripted: false,
          responseMode: "json_schema_strict",
        };
      },
    };
    const harness = await createHarness([classifyChain()], { llm: slowModel, modelConcurrency: 2 });
    try {
      const runIds = await Promise.all(
        Array.from({ length: 8 }, (_, index) => harness.runner.start("classify", { alert: `alert ${index}` }, { startedBy: "tester" })),
      );
      await harness.runner.idle();
      for (const { runId } of runIds) expect((await harness.store.getRun(runId))?.status).toBe("succeeded");
      expect(peak).toBe(2);
    } finally {
      await harness.close();
    }
  });
});

describe("bad input to a run", () => {
  it("rejects input that fails the chain's schema with zod's paths, and records nothing", async () => {
    const harness = await createHarness([classifyChain()]);
    try {
      const error = await harness.runner.start("classify", { alert: 42 }, { startedBy: "tester" }).catch((caught: unknown) => caught);
      expect(isBatonError(error, "INPUT_INVALID")).toBe(true);
      expect((error as Error).message).toContain("alert:");
      expect(await harness.store.listRuns({ limit: 10 })).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });

  it("answers an unknown chain with the list of chains", async () => {
    const harness = await createHarness([classifyChain()]);
    try {
      const error = await harness.runner.start("nope", {}, { startedBy: "tester" }).catch((caught: unknown) => caught);
      expect(isBatonError(error, "CHAIN_NOT_FOUND")).toBe(true);
      expect((error as Error).message).toContain("Available chains: classify");
    } finally {
      await harness.close();
    }
  });
});
