import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approvalKey } from "../../src/slack/run-projection.js";
import { APPROVER, REQUESTER, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeSocketMode, type FakeSocketMode } from "../support/fake-socket-mode.js";

/**
 * Socket Mode (the manifest's default): with SLACK_APP_TOKEN set, the bot opens a WebSocket to
 * Slack instead of listening for Slack's requests. The same commands and buttons arrive as
 * envelopes and are acknowledged over the socket.
 */

let socket: FakeSocketMode;
let harness: BotHarness;
beforeEach(async () => {
  socket = await startFakeSocketMode();
  harness = await startBotHarness({ environment: { SLACK_APP_TOKEN: "xapp-1-test" }, beforeStart: (slack) => slack.setSocketModeUrl(socket.url) });
  await socket.connected();
});
afterEach(async () => {
  await harness.close();
  await socket.close();
});

describe("Socket Mode", () => {
  it("a slash command and an Approve click over the socket run a chain to the end", async () => {
    const store = harness.bot.runtime.store;
    expect(harness.slack.callsOf("apps.connections.open")).toHaveLength(1);
    // No Slack endpoint on the HTTP server in Socket Mode (it still serves health).
    expect((await fetch(harness.eventsUrl, { method: "POST", body: "x" })).status).toBe(404);

    const ack = await socket.send("slash_commands", {
      token: "deprecated",
      team_id: "T0FAKE",
      channel_id: "C0RUNS",
      user_id: REQUESTER,
      command: "/baton",
      text: "run change-plan restart the api pods",
      response_url: harness.responseUrl("socket"),
      trigger_id: "1.2.socket",
      api_app_id: "A0BATON",
    });
    expect(ack.envelope_id).toBe("envelope-1");
    const run = await waitFor(async () => (await store.listRuns({ limit: 1 }))[0]);
    const approval = await waitFor(async () => (await store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 }))[0]);
    // Clicked on the approval's card, which Slack names by channel and ts.
    const card = await waitFor(async () => {
      const posted = await harness.bot.runtime.ledger.getMessage(approvalKey(approval.id));
      return posted?.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    });

    await socket.send("interactive", {
      type: "block_actions",
      team: { id: "T0FAKE" },
      user: { id: APPROVER },
      api_app_id: "A0BATON",
      container: { type: "message", message_ts: card.ts, channel_id: card.channel },
      channel: { id: card.channel },
      trigger_id: "1.3.socket",
      response_url: harness.responseUrl("socket-click"),
      actions: [{ type: "button", action_id: "baton.approve", block_id: "baton.approval", value: approval.id, action_ts: "1.3" }],
    });
    await waitFor(async () => ((await store.getRun(run.id))?.status === "succeeded" ? true : undefined));
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postMessage" && call.args["thread_ts"] !== undefined));
  });
});

async function waitFor<Value>(probe: () => Promise<Value | undefined>, timeoutMs = 5_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("/readyz follows the socket", () => {
  it("is ready while the socket is up, 503 naming Slack while Slack refuses to reconnect, and ready again once it reconnects", async () => {
    const readyz = async (): Promise<{ status: number; body: { status: string; failed?: Array<{ check: string; fix: string }> } }> => {
      const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/readyz`);
      return { status: response.status, body: (await response.json()) as { status: string; failed?: Array<{ check: string; fix: string }> } };
    };
    await waitFor(async () => ((await readyz()).status === 200 ? true : undefined));
    socket.drop({ refuse: true });
    const down = await waitFor(async () => {
      const answer = await readyz();
      return answer.status === 503 ? answer : undefined;
    });
    expect(down.body.failed?.map((item) => item.check)).toEqual(["slack"]);
    expect(down.body.failed?.[0]?.fix).toContain("SLACK_APP_TOKEN");
    socket.accept();
    await socket.connected(15_000);
    await waitFor(async () => ((await readyz()).status === 200 ? true : undefined), 15_000);
  }, 40_000);
});
