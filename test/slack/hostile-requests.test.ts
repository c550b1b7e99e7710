import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { buttonClick, signBody, slashCommand, type SlackPost } from "../support/slack-requests.js";

/**
 * Issue 13 items 2 and 9: signed requests Slack would never send, into the real Bolt receiver.
 * None may end the process or hang for Bolt's 3-second wait; each gets a clear answer.
 */

let harness: BotHarness;
beforeAll(async () => {
  harness = await startBotHarness();
});
afterAll(async () => {
  await harness.close();
});

function signed(body: string, contentType: string): SlackPost {
  return { body, headers: { "content-type": contentType, ...signBody(body, SIGNING_SECRET) } };
}
const form = (fields: Record<string, string>): SlackPost => signed(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded");

async function stillServing(): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/healthz`);
  expect(health.status).toBe(200);
  const help = await harness.post(slashCommand({ text: "help", responseUrl: harness.responseUrl("help") }, SIGNING_SECRET));
  expect(help.status).toBe(200);
  expect(help.text).toContain("baton commands");
}

describe("hostile but validly signed Slack requests", () => {
  it.each([
    ["payload=null", form({ payload: "null" }), "null"],
    ["payload=[]", form({ payload: "[]" }), "an array"],
    ["payload=42", form({ payload: "42" }), "a number"],
    ['payload="x"', form({ payload: '"x"' }), "a string"],
    ["a JSON body null", signed("null", "application/json"), "null"],
    ["a JSON body []", signed("[]", "application/json"), "an array"],
  ])("%s: 400 saying the body is not an object, and the bot keeps serving", async (_name, post, what) => {
    const answer = await harness.post(post);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: "BAD_REQUEST", message: `The body (or its payload field) is ${what}; Slack sends a JSON object.` });
    await stillServing();
  });

  it("unparsable JSON in a signed payload: Bolt's own 400", async () => {
    const answer = await harness.post(form({ payload: "{not json" }));
    expect(answer.status).toBe(400);
    await stillServing();
  });

  it("unsigned or forged bodies are refused 401 by Bolt whatever their shape, and the bot keeps serving", async () => {
    const answer = await harness.post({ body: "payload=null", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(answer.status).toBe(401);
    const forged = await harness.post({
      body: "payload=%7B%7D",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-signature": "v0=00",
        "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)),
      },
    });
    expect(forged.status).toBe(401);
    await stillServing();
  });

  it("a click on a button baton never made is acknowledged at once (not after Bolt's 3 s), and nothing is decided", async () => {
    const before = harness.slack.calls.length;
    const answer = await harness.post(buttonClick({ actionId: "someone.else", value: "a_x", responseUrl: harness.responseUrl("unknown") }, SIGNING_SECRET));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    // Bolt answers a request no listener acknowledged with a 404 after 3,001 ms
    // (HTTPModuleFunctions defaultUnhandledRequestHandler): a 200 is the guard's immediate ack.
    expect(harness.slack.calls.slice(before).filter((call) => call.method.startsWith("response:"))).toEqual([]);
    expect(await harness.bot.runtime.store.listApprovals({ limit: 10 })).toEqual([]);
  });

  it("an event baton did not subscribe to is acknowledged at once", async () => {
    const answer = await harness.post(signed(JSON.stringify({ type: "event_callback", event: { type: "message", text: "hi" } }), "application/json"));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
  });

  it("Slack's ssl_check and url_verification still reach Bolt", async () => {
    const check = await harness.post({ body: "ssl_check=1&token=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(check.status).toBe(200);
    const verification = await harness.post(signed(JSON.stringify({ type: "url_verification", challenge: "abc123" }), "application/json"));
    expect(verification.status).toBe(200);
    expect(verification.text).toContain("abc123");
  });
});
