import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/core/ports.js";
import { openSqliteStore } from "../../src/store/open-database.js";
import { APPROVER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { runCli } from "../support/cli-process.js";
import type { ModelServerProfile } from "../support/fake-model-server-profiles.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { exampleInputOf, SHIPPED_CHAINS, shippedChainModel, type ShippedChain } from "../support/shipped-chain-model.js";
import { slashCommand } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Every shipped chain, on its example input, runs to its approval against servers that offer
 * less than OpenAI: OpenAI's strict structured outputs (which refuse any schema outside the
 * documented subset), a server with JSON mode only, and one that ignores `response_format` and
 * answers prose around a JSON block. Through the CLI and through the bot.
 */

/** The response mode each kind of server ends up answering in. */
const SETTLED_MODE: Record<"openai" | "json-object-only" | "prose", string> = {
  openai: "json_schema_strict",
  "json-object-only": "json_object",
  prose: "json_schema_strict",
};
const PROFILES = Object.keys(SETTLED_MODE) as Array<keyof typeof SETTLED_MODE>;
const CASES = SHIPPED_CHAINS.flatMap((chain) => PROFILES.map((profile) => ({ chain, profile })));

function modelCalls(events: ReadonlyArray<AuditEvent>): Array<Record<string, unknown>> {
  return events.filter((event) => event.type === "model.call").map((event) => event.data);
}

/** No request the server refused was anything but a response-format refusal, each model's first only. */
function expectOnlyFirstCallsRefused(server: FakeOpenAiServer, profile: ModelServerProfile): void {
  const refused = server.requests.filter((request) => request.status !== 200);
  if (profile !== "json-object-only") {
    expect(refused).toEqual([]);
    return;
  }
  for (const request of refused) {
    expect(request.status).toBe(400);
    expect((request.body as { response_format?: { type?: string } }).response_format?.type).toBe("json_schema");
  }
  const lastRefused = server.requests.lastIndexOf(refused.at(-1) as (typeof server.requests)[number]);
  expect(server.requests.slice(lastRefused + 1).every((request) => request.status === 200)).toBe(true);
}

describe("the shipped chains against real model servers' contracts, through the CLI", () => {
  it.each(CASES)("$chain runs to its approval against the $profile server", async ({ chain, profile }) => {
    const server = await startFakeOpenAiServer({ profile, apiKey: "sk-test" });
    const model = shippedChainModel(chain);
    server.setFallback((body) => model.reply(body));
    const directory = makeTempDirectory();
    const databasePath = join(directory.path, "baton.db");
    try {
      const result = await runCli(["run", chain, "--input", `chains/${chain}/example-input.json`, "--no-wait"], {
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: `${server.url}/v1`,
        BATON_DB: databasePath,
      });
      expect(result.stdout).toMatch(/baton approve a_\S+/);
      expect(result.code).toBe(0);
      expectOnlyFirstCallsRefused(server, profile);

      const store = openSqliteStore(databasePath);
      try {
        const [run] = await store.listRuns({ limit: 1 });
        expect(run?.status).toBe("awaiting_approval");
        const calls = modelCalls(await store.listEvents(run?.id ?? ""));
        expect(calls.length).toBeGreaterThan(0);
        expect(calls.every((call) => call.outcome === "valid")).toBe(true);
        expect(calls.at(-1)?.responseMode).toBe(SETTLED_MODE[profile]);
      } finally {
        store.close();
      }
    } finally {
      await server.close();
      directory.remove();
    }
  });
});

describe("the shipped chains against real model servers' contracts, through the bot", () => {
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.bot.slack.projection.idle();
    await harness?.close();
    harness = undefined;
  });

  async function runToApprovalCard(chain: ShippedChain, profile: keyof typeof SETTLED_MODE): Promise<void> {
    harness = await startBotHarness({ modelProfile: profile, environment: { BATON_CHAINS_DIR: join(import.meta.dirname, "..", "..", "chains") } });
    const model = shippedChainModel(chain);
    harness.model.setFallback((body) => model.reply(body));
    const input = JSON.stringify(exampleInputOf(chain));
    const answer = await harness.post(
      slashCommand({ text: `run ${chain} ${input}`, userId: APPROVER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    expect(answer.status).toBe(200);
    const store = harness.bot.runtime.store;
    const deadline = Date.now() + 20_000;
    let approvalId: string | undefined;
    while (approvalId === undefined && Date.now() < deadline) {
      const [run] = await store.listRuns({ limit: 1 });
      if (run !== undefined && run.status !== "running" && run.status !== "awaiting_approval")
        throw new Error(`run ended ${run.status}: ${JSON.stringify(run.error)}`);
      approvalId = run === undefined ? undefined : (await store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 }))[0]?.id;
      if (approvalId === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(approvalId).toBeDefined();
    await harness.slack.waitFor(
      (calls) => calls.some((call) => call.method === "chat.postMessage" && JSON.stringify(call.args).includes(approvalId ?? "")),
      10_000,
    );
    expectOnlyFirstCallsRefused(harness.model, profile);
    const [run] = await store.listRuns({ limit: 1 });
    expect(modelCalls(await store.listEvents(run?.id ?? "")).at(-1)?.responseMode).toBe(SETTLED_MODE[profile]);
  }

  it.each(CASES)("$chain posts its approval card against the $profile server", async ({ chain, profile }) => {
    await runToApprovalCard(chain, profile);
  });
});

describe("a local server (Ollama, vLLM, LM Studio) named by OPENAI_BASE_URL alone", () => {
  it("is used with no OPENAI_API_KEY, instead of the scripted demo model", async () => {
    const server = await startFakeOpenAiServer();
    const model = shippedChainModel("incident-response");
    server.setFallback((body) => model.reply(body));
    const directory = makeTempDirectory();
    try {
      const result = await runCli(["run", "incident-response", "--input", "chains/incident-response/example-input.json", "--no-wait"], {
        OPENAI_BASE_URL: `${server.url}/v1`,
        BATON_MODEL: "llama3.1:8b",
        BATON_DB: join(directory.path, "baton.db"),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/scripted/i);
      expect(model.asked).toEqual(["classify", "remediation"]);
      expect(server.requests.map((request) => (request.body as { model?: string }).model)).toEqual(["llama3.1:8b", "llama3.1:8b"]);
    } finally {
      await server.close();
      directory.remove();
    }
  });
});
