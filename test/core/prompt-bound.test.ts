import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { defineChain, z } from "../../src/chain-api.js";
import { GptTokenCounter } from "../../src/llm/gpt-token-counter.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/**
 * A prompt far below its limit is not tokenized: its UTF-8 length bounds its tokens. The bound
 * must never be below the real count (or a prompt over its limit would be sent), and a prompt
 * that could come near the limit must still be counted exactly.
 */

const counter = new GptTokenCounter();
/** One model of each kind the counter knows: o200k_base, cl100k_base, and the estimate for an unknown one. */
const MODELS = ["gpt-4o-mini", "gpt-4", "llama3.1:8b"];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("the token counter's bound", () => {
  it("is never below the exact count, for any text and every kind of model", () => {
    const texts = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: fc.constantFrom("<|endoftext|>", "<|im_start|>", " ", "\n", "é", "😀", "\ud800", "a", '{"k":'), maxLength: 60 }),
    );
    fc.assert(
      fc.property(texts, fc.constantFrom(...MODELS), (text, model) => {
        expect(counter.atMost(text, model)).toBeGreaterThanOrEqual(counter.count(text, model));
      }),
      { numRuns: 600 },
    );
  });

  it("is the UTF-8 length for GPT encodings, with the estimate's margin for an unknown model", () => {
    expect(counter.atMost("héllo 😀", "gpt-4o-mini")).toBe(Buffer.byteLength("héllo 😀"));
    expect(counter.atMost("abcd", "llama3.1:8b")).toBe(5);
    expect(counter.atMost("", "gpt-4")).toBe(0);
  });
});

describe("prompt sizes in the audit entry", () => {
  const echo = defineChain({ id: "echo", description: "sends its input whole", input: z.object({ text: z.string() }) })
    .llm("summarise", { system: "Summarise the text.", user: ({ input }) => input.text, output: z.object({ summary: z.string() }) })
    .build();

  const modelCallOf = async (runId: string): Promise<Record<string, unknown>> =>
    (await harness?.store.listEvents(runId))?.find((event) => event.type === "model.call")?.data ?? {};

  it("a prompt far below its limit records the bound that showed it fits, not a count", async () => {
    harness = await createHarness([echo]);
    harness.server.setFallback(() => ({ kind: "json", value: { summary: "502s" } }));
    const { runId } = await harness.runner.start("echo", { text: "The checkout service returns 502s." }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const call = await modelCallOf(runId);
    expect(call["promptTokens"]).toBeUndefined();
    const bound = Number(call["promptTokensAtMost"]);
    expect(bound).toBeLessThanOrEqual(Number(call["promptLimitTokens"]));
    expect(bound).toBeGreaterThanOrEqual(counter.count("The checkout service returns 502s.", "gpt-4o-mini"));
  });

  it("a prompt whose bytes could pass the limit is counted exactly, and sent when its tokens fit", async () => {
    // A window of 8,192: 2,048 kept for the answer, so the limit is 6,144 tokens. The data is
    // about 12,000 bytes (over the limit) but about 2,400 tokens (within it).
    harness = await createHarness([echo], { contextLimits: { table: {}, everyModel: 8_192 } });
    harness.server.setFallback(() => ({ kind: "json", value: { summary: "words" } }));
    const text = "word ".repeat(2_400);
    const { runId } = await harness.runner.start("echo", { text }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const call = await modelCallOf(runId);
    expect(call["promptTokensAtMost"]).toBeUndefined();
    const exact = Number(call["promptTokens"]);
    expect(exact).toBeGreaterThanOrEqual(counter.count(text, "gpt-4o-mini"));
    expect(exact).toBeLessThan(counter.count(text, "gpt-4o-mini") + 200);
    expect(exact).toBeLessThanOrEqual(Number(call["promptLimitTokens"]));
  });

  it("a prompt whose tokens pass the limit is refused as before, with its exact count", async () => {
    harness = await createHarness([echo], { contextLimits: { table: {}, everyModel: 8_192 } });
    const text = "word ".repeat(7_000);
    const { runId } = await harness.runner.start("echo", { text }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(harness.server.requests).toHaveLength(0);
    expect(run.error?.code).toBe("PROMPT_TOO_LARGE");
    const promptTokens = Number((run.error?.details as { promptTokens?: number } | undefined)?.promptTokens);
    expect(promptTokens).toBeGreaterThanOrEqual(counter.count(text, "gpt-4o-mini"));
    expect(promptTokens).toBeLessThan(counter.count(text, "gpt-4o-mini") + 200);
  });
});
