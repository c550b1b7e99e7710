import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SLACK_BODY_LIMIT_BYTES } from "../../src/slack/request-rules.js";
import { approvalKey } from "../../src/slack/run-projection.js";
import { APPROVER, REQUESTER, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeSocketMode, type FakeSocketMode } from "../support/fake-socket-mode.js";
import { approveClick, malformedCases, runCommand } from "../support/malformed-slack-payloads.js";
import { recordingLogger } from "../support/recording-logger.js";

/**
 * Envelopes Slack would never send, over the fake Socket Mode WebSocket into the real bot: each
 * gets the HTTP guard's treatment (src/slack/socket-mode-guard.ts). Before the guard, a null
 * events_api payload was an unhandled rejection inside the Socket Mode client, null and array
 * interactive payloads and unknown action ids were never acknowledged (Slack delivers them
 * again), and an envelope of an unknown type ran the listener its payload looked like.
 */

const { logger, lines } = recordingLogger();

const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);

let socket: FakeSocketMode;
let harness: BotHarness;
beforeAll(async () => {
  process.on("unhandledRejection", onRejection);
  socket = await startFakeSocketMode();
  harness = await startBotHarness({ logger, environment: { SLACK_APP_TOKEN: "xapp-1-test" }, beforeStart: (slack) => slack.setSocketModeUrl(socket.url) });
  await socket.connected();
});
afterAll(async () => {
  await harness.close();
  await socket.close();
  process.off("unhandledRejection", onRejection);
});
beforeEach(() => {
  lines.length = 0;
});

const click = (actionId: string, value: string, card?: { channel: string; ts: string }): Record<string, unknown> => ({
  type: "block_actions",
  team: { id: "T0FAKE" },
  user: { id: APPROVER },
  api_app_id: "A0BATON",
  trigger_id: "1.3.socket",
  response_url: harness.responseUrl("socket-click"),
  ...(card ? { container: { type: "message", message_ts: card.ts, channel_id: card.channel }, channel: { id: card.channel } } : {}),
  actions: [{ type: "button", action_id: actionId, block_id: "baton.approval", value, action_ts: "1.3" }],
});

const warnings = (): string[] => lines.filter((line) => line.level === "warn").map((line) => `${line.message} (${String(line.fields["reason"] ?? "")})`);

/** Nothing reached Bolt or failed: no error logged (Bolt logs its listener failures at error), no unhandled rejection. */
function nothingFailed(): void {
  expect(lines.filter((line) => line.level === "error")).toEqual([]);
  expect(rejections).toEqual([]);
}

/** The bot still answers a real `/baton help` over the socket. */
async function stillServing(): Promise<void> {
  const ack = await socket.send("slash_commands", {
    team_id: "T0FAKE",
    channel_id: "C0RUNS",
    user_id: REQUESTER,
    command: "/baton",
    text: "help",
    response_url: harness.responseUrl("help"),
    trigger_id: "1.2.help",
    api_app_id: "A0BATON",
  });
  expect(JSON.stringify(ack.payload)).toContain("baton commands");
}

describe("Socket Mode envelopes Slack would not send", () => {
  it.each([
    ["interactive", null, "the payload is null, not an object"],
    ["interactive", [], "the payload is an array, not an object"],
    ["slash_commands", 42, "the payload is a number, not an object"],
    ["events_api", null, "the payload is null, not an object"],
    ["events_api", "x", "the payload is a string, not an object"],
    ["events_api", { type: "event_callback" }, "the events_api payload has no event object"],
  ])("%s with payload %j: acked at once with an empty ack, a warning saying why, and never reaches Bolt", async (type, payload, reason) => {
    const ack = await socket.send(type, payload);
    expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
    expect(warnings()).toEqual([`acknowledged a Socket Mode envelope Slack would not send, without passing it on (${reason})`]);
    nothingFailed();
    await stillServing();
  });

  it("an action id baton never registered is acked at once with an empty ack, not left for Slack to deliver again", async () => {
    const ack = await socket.send("interactive", click("somebody.elses.button", "x"));
    expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
    expect(lines).toContainEqual(expect.objectContaining({ level: "debug", message: "acknowledged a Socket Mode envelope no listener handles" }));
    expect(warnings()).toEqual([]);
    nothingFailed();
    await stillServing();
  });

  it("an event baton never subscribed to is acked at once", async () => {
    const ack = await socket.send("events_api", { type: "event_callback", team_id: "T0FAKE", event: { type: "reaction_added", user: REQUESTER } });
    expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
    nothingFailed();
  });

  it("a payload only HTTP mode gets (ssl_check, url_verification), which Bolt would never acknowledge over a socket, is acked at once", async () => {
    for (const payload of [
      { ssl_check: "1", token: "x" },
      { type: "url_verification", challenge: "c", token: "x" },
    ]) {
      const ack = await socket.send("interactive", payload);
      expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
    }
    expect(lines.filter((line) => line.message === "acknowledged a Socket Mode envelope no listener handles")).toHaveLength(2);
    nothingFailed();
  });

  it("an envelope of a type Slack does not send is acked and dropped, with a warning naming the type", async () => {
    const ack = await socket.send("future_type", click("somebody.elses.button", "x"));
    expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
    expect(warnings()).toEqual([
      'acknowledged a Socket Mode envelope Slack would not send, without passing it on (the envelope\'s type "future_type" is not one Slack sends)',
    ]);
    nothingFailed();
  });

  it("messages that are not envelopes (null, an array, not JSON, no envelope_id, over 4 MB) are dropped with a warning, and the next envelope is served", async () => {
    const oversized = JSON.stringify({
      envelope_id: "envelope-oversized",
      type: "interactive",
      payload: { type: "block_actions", padding: "x".repeat(SLACK_BODY_LIMIT_BYTES) },
    });
    for (const text of ["null", "[1,2]", "{not json", JSON.stringify({ type: "interactive", payload: click("baton.approve", "x") }), oversized])
      socket.sendRaw(text);
    // Messages are handled in order: once help is answered, every one above has been dealt with.
    await stillServing();
    expect(socket.acks.some((ack) => ack.envelope_id === "envelope-oversized")).toBe(false);
    expect(warnings()).toEqual([
      "dropped a Socket Mode message that is not an envelope Slack sends (the message is null, not an envelope)",
      "dropped a Socket Mode message that is not an envelope Slack sends (the message is an array, not an envelope)",
      "dropped a Socket Mode message that is not JSON; Slack sends JSON envelopes ()",
      "dropped a Socket Mode message that is not an envelope Slack sends (the envelope has no envelope_id to acknowledge it by)",
      "dropped a Socket Mode message larger than the limit; Slack never sends one this large ()",
    ]);
    expect(lines.find((line) => line.message.startsWith("dropped a Socket Mode message larger"))?.fields).toEqual({
      bytes: Buffer.byteLength(oversized),
      maxBytes: SLACK_BODY_LIMIT_BYTES,
    });
    nothingFailed();
  }, 20_000);

  it("Slack's own `disconnect` still reaches the client, which reconnects and goes on serving", async () => {
    const opened = harness.slack.callsOf("apps.connections.open").length;
    // Slack asks for a new connection before recycling this one ("Using Socket Mode",
    // https://docs.slack.dev/apis/events-api/using-socket-mode/).
    socket.sendRaw(JSON.stringify({ type: "disconnect", reason: "refresh_requested", debug_info: { host: "fake" } }));
    await harness.slack.waitFor(() => harness.slack.callsOf("apps.connections.open").length > opened, 15_000);
    await socket.connected(15_000);
    await stillServing();
    expect(warnings()).toEqual([]);
    nothingFailed();
  }, 30_000);

  it("after all of them, a run started over the socket waits for its approval, and a real Approve click finishes it; nothing was decided by the hostile envelopes", async () => {
    const store = harness.bot.runtime.store;
    const runsBefore = (await store.listRuns({ limit: 100 })).length;
    await socket.send("slash_commands", {
      team_id: "T0FAKE",
      channel_id: "C0RUNS",
      user_id: REQUESTER,
      command: "/baton",
      text: "run change-plan restart the api pods",
      response_url: harness.responseUrl("socket"),
      trigger_id: "1.2.socket",
      api_app_id: "A0BATON",
    });
    const run = await waitFor(async () => {
      const runs = await store.listRuns({ limit: 100 });
      return runs.length > runsBefore ? runs[0] : undefined;
    });
    const approval = await waitFor(async () => (await store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 }))[0]);
    const card = await waitFor(async () => {
      const posted = await harness.bot.runtime.ledger.getMessage(approvalKey(approval.id));
      return posted?.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    });

    // The same Approve click, in envelopes Slack would not send: none may decide the approval.
    await socket.send("future_type", click("baton.approve", approval.id, card));
    await socket.send("events_api", click("baton.approve", approval.id, card));
    await socket.send("interactive", null);
    await socket.send("events_api", null);
    socket.sendRaw(JSON.stringify({ type: "interactive", payload: click("baton.approve", approval.id, card) }));
    await stillServing();
    expect((await store.getApproval(approval.id))?.status).toBe("pending");
    expect((await store.getRun(run.id))?.status).toBe("awaiting_approval");

    const ack = await socket.send("interactive", click("baton.approve", approval.id, card));
    expect(ack.envelope_id).toMatch(/^envelope-/);
    await waitFor(async () => ((await store.getRun(run.id))?.status === "succeeded" ? true : undefined));
    expect((await store.getApproval(approval.id))?.status).toBe("approved");
    expect(await store.listRuns({ limit: 100 })).toHaveLength(runsBefore + 1);
    nothingFailed();
  }, 20_000);

  it("payloads a listener handles but without a field Slack always sends are acked at once with a warning naming the field; nothing is started or decided, and a real click still works", async () => {
    const store = harness.bot.runtime.store;
    const runsBefore = (await store.listRuns({ limit: 100 })).length;
    await socket.send(
      "slash_commands",
      runCommand({ approvalId: "", channel: "C0RUNS", ts: "", userId: REQUESTER, responseUrl: harness.responseUrl("socket") }),
    );
    const run = await waitFor(async () => {
      const runs = await store.listRuns({ limit: 100 });
      return runs.length > runsBefore ? runs[0] : undefined;
    });
    const approval = await waitFor(async () => (await store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 }))[0]);
    const card = await waitFor(async () => {
      const posted = await harness.bot.runtime.ledger.getMessage(approvalKey(approval.id));
      return posted?.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    });
    const originals = { approvalId: approval.id, channel: card.channel, ts: card.ts, userId: APPROVER, responseUrl: harness.responseUrl("malformed") };

    for (const malformed of malformedCases(originals)) {
      lines.length = 0;
      const ack = await socket.send(malformed.kind, malformed.payload);
      expect({ name: malformed.name, ack }).toEqual({ name: malformed.name, ack: { envelope_id: ack.envelope_id, payload: {} } });
      // The client's own check comes first for an events_api payload whose event is not an object.
      const reason = typeof malformed.payload["event"] === "string" ? "the events_api payload has no event object" : `the payload's ${malformed.problem}`;
      expect({ name: malformed.name, warnings: warnings() }).toEqual({
        name: malformed.name,
        warnings: [expect.stringContaining(`acknowledged a Socket Mode envelope Slack would not send, without passing it on (${reason}`)],
      });
      nothingFailed();
    }
    lines.length = 0;
    await stillServing();
    expect((await store.getApproval(approval.id))?.status).toBe("pending");
    expect((await store.getRun(run.id))?.status).toBe("awaiting_approval");
    expect(await store.listRuns({ limit: 100 })).toHaveLength(runsBefore + 1);

    await socket.send("interactive", approveClick(originals));
    await waitFor(async () => ((await store.getRun(run.id))?.status === "succeeded" ? true : undefined));
    expect((await store.getApproval(approval.id))?.status).toBe("approved");
    expect(warnings()).toEqual([]);
    nothingFailed();
  }, 30_000);
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
