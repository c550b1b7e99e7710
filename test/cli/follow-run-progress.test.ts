import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { shippedChainModel, stepAskedFor } from "../support/shipped-chain-model.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `baton run`'s live progress lines (src/cli/follow-run.ts) as a user sees them: the real CLI in
 * a child process against a fake OpenAI server that reports the prompt tokens it served from its
 * cache as OpenAI does (usage.prompt_tokens_details.cached_tokens).
 */

describe("baton run progress lines", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let server: FakeOpenAiServer;

  beforeEach(async () => {
    directory = makeTempDirectory();
    server = await startFakeOpenAiServer();
  });
  afterEach(async () => {
    await server.close();
    directory.remove();
  });

  it("prints each model step's calls, tokens and the cached part when the server's cache served some", async () => {
    const model = shippedChainModel("solution-brief");
    server.setFallback((body) => {
      const reply = model.reply(body);
      if (reply.kind !== "json") return reply;
      // The architecture prompt repeats the requirements prefix, which the server cached.
      const cached = stepAskedFor(body) === "architecture" ? 1_152 : 0;
      return { ...reply, usage: { prompt_tokens: 1_300, completion_tokens: 200, prompt_tokens_details: { cached_tokens: cached } } };
    });
    const environment = {
      BATON_DB: join(directory.path, "baton.db"),
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: `${server.url}/v1`,
      BATON_MODEL_MAX_RETRIES: "0",
    };
    const result = await runCli(["run", "solution-brief", "--input", "chains/solution-brief/example-input.json", "--no-wait"], environment);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    const architecture = lines.find((line) => line.startsWith("✓ architecture ("));
    expect(architecture).toMatch(/^✓ architecture \([^·]+ · 1 model call · 1,500 tokens \(1,152 cached\) · \$[0-9.]+\)$/);
    // A step whose prompt the server did not cache has no cached part.
    const requirements = lines.find((line) => line.startsWith("✓ requirements ("));
    expect(requirements).toMatch(/^✓ requirements \([^·]+ · 1 model call · 1,500 tokens · \$[0-9.]+\)$/);
    expect(model.asked).toContain("architecture");
  });
});
