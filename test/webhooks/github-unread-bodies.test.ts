import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GITHUB_MAX_BODY_BYTES } from "../../src/webhooks/review-routes.js";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { postStreaming } from "../support/streaming-post.js";

/**
 * `/webhooks/github` reads nothing it cannot authenticate: without `X-Hub-Signature-256` (or
 * with no secret configured) the answer comes before the body is read, and the connection
 * closes after it. A signed body streams into the HMAC and is refused at GitHub's 25 MB cap
 * ("Payloads are capped at 25 MB", docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap)
 * while it streams. Nothing is stored for any of them.
 */

const SECRET = "unread-bodies-secret";
let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function startWith(environment: Record<string, string>): Promise<BotHarness> {
  harness = await startBotHarness({
    environment: {
      GITHUB_TOKEN: "ghp_test",
      BATON_SLACK_CHANNEL: "C0RUNS",
      BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "review-chains"),
      ...environment,
    },
  });
  return harness;
}

const url = (bot: BotHarness): string => `http://127.0.0.1:${String(bot.bot.port)}/webhooks/github`;
const eventHeaders = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "unread-1" };
// A body that never ends: a server that waited for it would never answer.
const endless = { chunk: Buffer.alloc(64 * 1024, 0x20), maxBytes: 8 * 1024 * 1024, endBody: false };

async function nothingStored(bot: BotHarness): Promise<void> {
  expect(await bot.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  expect(await bot.bot.runtime.ledger.getMessage("github-delivery:unread-1")).toBeUndefined();
}

describe("POST /webhooks/github refuses before reading", () => {
  it("a request without X-Hub-Signature-256 is 401 before its body is read, saying to set the secret", async () => {
    const bot = await startWith({ GITHUB_WEBHOOK_SECRET: SECRET });
    const answer = await postStreaming(url(bot), eventHeaders, endless);
    expect(answer.status).toBe(401);
    expect(answer.finished).toBe(false);
    expect(answer.json).toMatchObject({ error: "UNAUTHORIZED" });
    expect(String(answer.json["message"])).toContain("X-Hub-Signature-256");
    expect(String(answer.json["message"])).toContain("GITHUB_WEBHOOK_SECRET");
    // A malformed signature header counts as none.
    const malformed = await postStreaming(url(bot), { ...eventHeaders, "x-hub-signature-256": "sha1=abc" }, endless);
    expect(malformed.status).toBe(401);
    await nothingStored(bot);
  });

  it("with GITHUB_WEBHOOK_SECRET unset, any request is 503 before its body is read, naming the variable", async () => {
    const bot = await startWith({});
    const answer = await postStreaming(url(bot), { ...eventHeaders, "x-hub-signature-256": `sha256=${"a".repeat(64)}` }, endless);
    expect(answer.status).toBe(503);
    expect(answer.finished).toBe(false);
    expect(String(answer.json["message"])).toContain("GITHUB_WEBHOOK_SECRET");
    await nothingStored(bot);
  });

  it("a signed body over GitHub's 25 MB cap is 413 while it streams, before the sender has finished", async () => {
    const bot = await startWith({ GITHUB_WEBHOOK_SECRET: SECRET });
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const signature = `sha256=${createHmac("sha256", SECRET).update(chunk).digest("hex")}`;
    const answer = await postStreaming(
      url(bot),
      { ...eventHeaders, "x-hub-signature-256": signature },
      { chunk, maxBytes: GITHUB_MAX_BODY_BYTES * 2, endBody: true },
    );
    expect(answer.status).toBe(413);
    expect(answer.finished).toBe(false);
    expect(answer.json).toMatchObject({ error: "PAYLOAD_TOO_LARGE" });
    await nothingStored(bot);
  });

  it("a signed body with a wrong signature is read, checked, and refused 401 without being parsed or stored", async () => {
    const bot = await startWith({ GITHUB_WEBHOOK_SECRET: SECRET });
    // Not JSON: a body parsed before the check would answer 400 instead.
    const answer = await postStreaming(
      url(bot),
      { ...eventHeaders, "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
      { chunk: Buffer.from("not json at all"), maxBytes: 15, endBody: true },
    );
    expect(answer.status).toBe(401);
    expect(String(answer.json["message"])).toContain("does not match GITHUB_WEBHOOK_SECRET");
    await nothingStored(bot);
  });
});
