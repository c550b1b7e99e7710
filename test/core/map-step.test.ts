import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { openDatabase } from "../../src/store/index.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/** Map steps through the real runner, a real SQLite file and the real openai client. */

const chunks = Array.from({ length: 10 }, (_, index) => `chunk-${String(index + 1)}`);

const extract = defineChain({ id: "extract", description: "one answer per chunk", input: z.object({ chunks: z.array(z.string()) }) })
  .map("per-chunk", {
    items: ({ input }) => input.chunks,
    concurrency: 3,
    label: (chunk) => chunk,
    system: "Extract.",
    user: (_context, chunk, index) => `ITEM:${chunk} (#${String(index + 1)})`,
    output: z.object({ chunk: z.string(), words: z.number().int() }),
    check: (answer, _context, chunk) => (answer.chunk === chunk ? [] : [{ path: "chunk", message: `must be "${chunk}"` }]),
    maxAttempts: 2,
  })
  .action("count", { run: async ({ outputs }) => ({ total: outputs["per-chunk"].reduce((sum, answer) => sum + answer.words, 0) }) })
  .build();

/** Every item's prompt shares the system prompt and schema: the server's cache serves 1,024 of its tokens. */
const cachedUsage = { prompt_tokens: 1_200, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 1_024 } };

const itemOf = (body: unknown): string => /ITEM:(\S+)/.exec(JSON.stringify(body))?.[1] ?? "";

describe("map steps", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("answers every item in item order, with usage summed and each call audited with its item", async () => {
    harness = await createHarness([extract]);
    harness.server.setFallback((body) => ({ kind: "json", value: { chunk: itemOf(body), words: 2 }, usage: { prompt_tokens: 10, completion_tokens: 5 } }));
    const { runId } = await harness.runner.start("extract", { chunks }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const [mapped, counted] = await harness.store.getSteps(runId);
    expect((mapped?.output as Array<{ chunk: string }>).map((answer) => answer.chunk)).toEqual(chunks);
    expect(counted?.output).toEqual({ total: 20 });
    expect(mapped?.usage).toMatchObject({ modelCalls: 10, inputTokens: 100, outputTokens: 50 });
    expect(harness.server.requests).toHaveLength(10);
    const calls = (await harness.store.listEvents(runId)).filter((event) => event.type === "model.call");
    expect(calls.map((event) => event.data["itemLabel"]).sort()).toEqual([...chunks].sort());
  });

  it("an item whose answer fails its check is re-asked; an item with no valid answer fails the step naming it", async () => {
    harness = await createHarness([extract]);
    harness.server.setFallback((body) => {
      const item = itemOf(body);
      // chunk-7 always names the wrong chunk; the others answer right.
      return { kind: "json", value: { chunk: item === "chunk-7" ? "chunk-1" : item, words: 1 } };
    });
    const { runId } = await harness.runner.start("extract", { chunks }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("MODEL_OUTPUT_INVALID");
    expect(run.error?.message).toContain('Map step "per-chunk" could not answer chunk-7 (7 of 10)');
    expect(run.error?.message).toContain('chunk: must be "chunk-7"');
    // chunk-7 got 2 attempts, then 1 more try of 2 attempts (itemRetries 1).
    expect(harness.server.requests.filter((request) => itemOf(request.body) === "chunk-7")).toHaveLength(4);
  });

  it("keeps at most `concurrency` items in flight, and a restart in the middle asks only for the items not yet answered", async () => {
    harness = await createHarness([extract]);
    const first = harness;
    // Items 1-4 answer; from item 5 on the first process's calls never return (it is stopped).
    first.server.setFallback((body) => {
      const item = itemOf(body);
      return Number(item.split("-")[1]) <= 4 ? { kind: "json", value: { chunk: item, words: 3 }, usage: cachedUsage } : { kind: "hang" };
    });
    const { runId } = await first.runner.start("extract", { chunks }, { startedBy: "tester" });
    const deadline = Date.now() + 5_000;
    while (first.server.requests.length < 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Three items hang (5, 6, 7): with concurrency 3 no eighth item starts.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(first.server.requests.map((request) => itemOf(request.body)).sort()).toEqual([
      "chunk-1",
      "chunk-2",
      "chunk-3",
      "chunk-4",
      "chunk-5",
      "chunk-6",
      "chunk-7",
    ]);
    await first.runner.close();

    first.server.setFallback((body) => ({ kind: "json", value: { chunk: itemOf(body), words: 3 }, usage: cachedUsage }));
    const second = first.openSecondRunner();
    expect(await second.runner.recover()).toEqual([runId]);
    expect((await second.runner.settled(runId)).status).toBe("succeeded");
    const asked = first.server.requests.map((request) => itemOf(request.body));
    for (const item of ["chunk-1", "chunk-2", "chunk-3", "chunk-4"]) expect(asked.filter((name) => name === item)).toHaveLength(1);
    expect(new Set(asked)).toEqual(new Set(chunks));
    const [mapped] = await second.store.getSteps(runId);
    expect((mapped?.output as Array<{ chunk: string }>).map((answer) => answer.chunk)).toEqual(chunks);
    expect(mapped?.usage.modelCalls).toBe(10);
    // The items answered before the restart count their cached prompt tokens once, from their records.
    expect(mapped?.usage).toMatchObject({ inputTokens: 10 * 1_200, cachedInputTokens: 10 * 1_024 });
    const replayed = (await second.store.listEvents(runId)).find((event) => event.type === "effect.replayed");
    expect(replayed?.data["items"]).toEqual([1, 2, 3, 4]);
  });

  it("items answered by a baton that recorded no cached figure count as 0 cached after an upgrade, not as a broken sum", async () => {
    harness = await createHarness([extract]);
    const first = harness;
    first.server.setFallback((body) => {
      const item = itemOf(body);
      return Number(item.split("-")[1]) <= 4 ? { kind: "json", value: { chunk: item, words: 3 }, usage: cachedUsage } : { kind: "hang" };
    });
    const { runId } = await first.runner.start("extract", { chunks }, { startedBy: "tester" });
    const deadline = Date.now() + 5_000;
    while (first.server.requests.length < 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.runner.close();
    // The four answered items' records as the previous version wrote them: usage without the figure.
    const database = openDatabase(first.databasePath);
    try {
      const rewritten = database
        .prepare(
          "UPDATE effects SET result = json_remove(result, '$.usage.cachedInputTokens') WHERE run_id = ? AND json_extract(result, '$.usage.cachedInputTokens') IS NOT NULL",
        )
        .run(runId);
      expect(rewritten.changes).toBe(4);
    } finally {
      database.close();
    }

    first.server.setFallback((body) => ({ kind: "json", value: { chunk: itemOf(body), words: 3 }, usage: cachedUsage }));
    const second = first.openSecondRunner();
    expect(await second.runner.recover()).toEqual([runId]);
    expect((await second.runner.settled(runId)).status).toBe("succeeded");
    const [mapped] = await second.store.getSteps(runId);
    expect(mapped?.usage).toMatchObject({ modelCalls: 10, inputTokens: 10 * 1_200, cachedInputTokens: 6 * 1_024 });
  });
});
