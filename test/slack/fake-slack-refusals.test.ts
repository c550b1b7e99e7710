import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";

/** The fake Slack refuses what the Web API refuses, so a test cannot pass on a message Slack would drop. */

let slack: FakeSlackServer;
let client: InstanceType<typeof webApi.WebClient>;
beforeAll(async () => {
  slack = await startFakeSlackServer();
  client = new webApi.WebClient("xoxb-test", { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await slack.close();
});

const errorOf = async (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => "accepted",
    (error: { data?: { error?: string } }) => error.data?.error,
  );
const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

describe("the fake Slack refuses as Slack does", () => {
  it("chat.postMessage: no_text, msg_too_long, invalid_blocks (51 blocks, a 3,001-character section)", async () => {
    expect(await errorOf(client.chat.postMessage({ channel: "C1", text: "" }))).toBe("no_text");
    expect(await errorOf(client.chat.postMessage({ channel: "C1", text: "x".repeat(40_001) }))).toBe("msg_too_long");
    expect(await errorOf(client.chat.postMessage({ channel: "C1", text: "t", blocks: Array.from({ length: 51 }, () => section("x")) }))).toBe("invalid_blocks");
    expect(await errorOf(client.chat.update({ channel: "C1", ts: "1.1", text: "t", blocks: [section("x".repeat(3_001))] }))).toBe("invalid_blocks");
    expect(await errorOf(client.chat.postMessage({ channel: "C1", text: "fine", blocks: [section("x".repeat(3_000))] }))).toBe("accepted");
  });

  it("views.open: invalid_arguments for a modal title over 24 characters", async () => {
    const view = { type: "modal" as const, title: { type: "plain_text" as const, text: "x".repeat(25) }, blocks: [] };
    expect(await errorOf(client.views.open({ trigger_id: "t", view }))).toBe("invalid_arguments");
  });
});
