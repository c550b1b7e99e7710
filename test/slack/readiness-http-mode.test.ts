import { afterEach, expect, it } from "vitest";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";

/** HTTP mode has no socket to watch: `/readyz` asks Slack's Web API (auth.test) whether it answers. */

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function readyz(port: number): Promise<{ status: number; failed: string[] }> {
  const response = await fetch(`http://127.0.0.1:${String(port)}/readyz`);
  const body = (await response.json()) as { failed?: Array<{ check: string }> };
  return { status: response.status, failed: (body.failed ?? []).map((item) => item.check) };
}

it("is ready while Slack's Web API answers, 503 naming Slack while it does not, and ready again when it does", async () => {
  harness = await startBotHarness({ slackRecheckMs: 0 });
  const port = harness.bot.port;
  expect(await readyz(port)).toEqual({ status: 200, failed: [] });
  const checksBefore = harness.slack.callsOf("auth.test").length;
  harness.slack.failNext("auth.test", { kind: "server_error" }, 4);
  expect(await readyz(port)).toEqual({ status: 503, failed: ["slack"] });
  expect(harness.slack.callsOf("auth.test").length).toBeGreaterThan(checksBefore);
  let answer = await readyz(port);
  for (let attempt = 0; answer.status !== 200 && attempt < 10; attempt += 1) answer = await readyz(port);
  expect(answer).toEqual({ status: 200, failed: [] });
});

it("trusts a good answer for a while instead of calling Slack on every probe", async () => {
  harness = await startBotHarness({ slackRecheckMs: 60_000 });
  const before = harness.slack.callsOf("auth.test").length;
  for (let probe = 0; probe < 5; probe += 1) expect((await readyz(harness.bot.port)).status).toBe(200);
  expect(harness.slack.callsOf("auth.test").length).toBe(before);
});
