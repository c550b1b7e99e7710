import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.js";
import { REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { slashCommand } from "../support/slack-requests.js";

/**
 * Issue 13 item 9: a model server's error body that echoes the API key it was sent (OpenAI
 * answers a bad key with 401 `invalid_api_key`, "Incorrect API key provided: sk-…", see
 * platform.openai.com/docs/guides/error-codes) is relayed into the run's failure. The key
 * reaches neither `runs.error`, the audit log, the card, nor the process log.
 */

const KEY = "sk-proj-LEAKED0123456789abcdef";
let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
});

describe("secrets in relayed errors", () => {
  it("a key echoed in a model server's 401 body is redacted from runs.error, the audit events, every Slack call and the log", async () => {
    let log = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString("utf8");
        done();
      },
    });
    harness = await startBotHarness({ logger: createLogger("debug", sink) });
    const model = harness.model;
    model.setFallback(() => ({
      kind: "status",
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${KEY}. You can find your API key in your account settings.`,
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      },
    }));
    const answer = await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    expect(answer.status).toBe(200);
    const store = harness.bot.runtime.store;
    const deadline = Date.now() + 10_000;
    let failed = (await store.listRuns({ statuses: ["failed"], limit: 1 }))[0];
    while (failed === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      failed = (await store.listRuns({ statuses: ["failed"], limit: 1 }))[0];
    }
    expect(failed?.error?.message).toContain("sk-[redacted]");
    await harness.bot.slack.projection.idle();
    const events = failed ? await store.listEvents(failed.id) : [];
    expect(events.length).toBeGreaterThan(0);
    const everything = JSON.stringify(failed) + JSON.stringify(events) + JSON.stringify(harness.slack.calls.map((call) => call.args)) + log;
    expect(everything).not.toContain("LEAKED0123456789");
    expect(JSON.stringify(harness.slack.calls.map((call) => call.args))).toContain("sk-[redacted]");
  }, 20_000);
});
