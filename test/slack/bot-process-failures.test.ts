import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotProcess } from "../support/bot-process.js";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { startFakeSocketMode } from "../support/fake-socket-mode.js";
import { postToSlackEndpoint, signBody, slashCommand } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Issue 13 items 2 and 9 against `npm start` itself: a hostile signed request does not end the
 * process, and start-up problems name the port or the server and what to do.
 */

const SECRET = "0123456789abcdef0123";
const directory = makeTempDirectory("baton-bot-failures-");
let slack: FakeSlackServer;
beforeAll(async () => {
  slack = await startFakeSlackServer();
});
afterAll(async () => {
  await slack.close();
  directory.remove();
});

const environment = (extra: Record<string, string> = {}): Record<string, string> => ({
  SLACK_BOT_TOKEN: "xoxb-test",
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: slack.apiUrl,
  PORT: "0",
  BATON_MODEL: "scripted",
  BATON_DB: join(directory.path, `bot-${String(Math.random()).slice(2)}.db`),
  LOG_LEVEL: "info",
  ...extra,
});

describe("npm start under hostile requests and bad start-ups", () => {
  it("a signed payload=null and a JSON null get 400, and the same process keeps serving Slack and /healthz", async () => {
    const bot = startBotProcess(environment());
    try {
      const port = await bot.waitUntilUp();
      const url = `http://127.0.0.1:${String(port)}/slack/events`;
      const formBody = "payload=null";
      const form = await postToSlackEndpoint(url, {
        body: formBody,
        headers: { "content-type": "application/x-www-form-urlencoded", ...signBody(formBody, SECRET) },
      });
      expect(form.status).toBe(400);
      const json = await postToSlackEndpoint(url, { body: "null", headers: { "content-type": "application/json", ...signBody("null", SECRET) } });
      expect(json.status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${String(port)}/healthz`)).status).toBe(200);
      const help = await postToSlackEndpoint(url, slashCommand({ text: "help", responseUrl: `${slack.url}/response/help` }, SECRET));
      expect(help.status).toBe(200);
      expect(help.text).toContain("baton commands");
      expect(bot.hasExited()).toBe(false);
      expect(bot.stderr()).toContain("refused a Slack request whose body is not an object");
    } finally {
      bot.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
    }
  }, 40_000);

  it("Socket Mode: envelopes with a null payload and an unknown action id are acked at once, and the same process keeps serving", async () => {
    const socket = await startFakeSocketMode();
    slack.setSocketModeUrl(socket.url);
    const bot = startBotProcess(environment({ SLACK_APP_TOKEN: "xapp-1-test" }));
    try {
      await bot.waitUntilUp();
      await socket.connected(15_000);
      for (const [type, payload] of [
        ["events_api", null],
        ["interactive", null],
        ["interactive", { type: "block_actions", user: { id: "U0X" }, team: { id: "T0X" }, actions: [{ action_id: "not.batons", value: "x" }] }],
      ] as const) {
        const ack = await socket.send(type, payload);
        expect(ack).toEqual({ envelope_id: ack.envelope_id, payload: {} });
      }
      const help = await socket.send("slash_commands", {
        team_id: "T0FAKE",
        channel_id: "C0RUNS",
        user_id: "U0ALICE",
        command: "/baton",
        text: "help",
        response_url: `${slack.url}/response/help`,
        trigger_id: "1.2.help",
      });
      expect(JSON.stringify(help.payload)).toContain("baton commands");
      expect(bot.hasExited()).toBe(false);
      expect(bot.stderr()).toContain("acknowledged a Socket Mode envelope Slack would not send, without passing it on");
      expect(bot.stderr()).not.toContain("nothing handled it");
    } finally {
      bot.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      await socket.close();
    }
  }, 40_000);

  it("a port in use: exit 1 naming the port and how to pick another, no stack trace", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "0.0.0.0", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const bot = startBotProcess(environment({ PORT: String(port) }));
      expect(await bot.exited).toBe(1);
      expect(bot.stderr()).toContain(`baton could not start [CONFIG_INVALID]: Port ${String(port)} is already in use by another process.`);
      expect(bot.stderr()).toContain("set PORT to a free port (PORT=0");
      expect(bot.stderr()).not.toContain("This is a bug");
      expect(bot.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 40_000);

  it("PORT=abc says what is wrong with PORT, not that it is not set", async () => {
    const bot = startBotProcess(environment({ PORT: "abc" }));
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain("baton could not start [CONFIG_INVALID]: PORT must be a port number. Set a port from 1 to 65535");
    expect(bot.stderr()).not.toContain("PORT is not set");
  }, 40_000);

  it("an unreachable SLACK_API_URL: tried again, then reported as unreachable (not as a refused token)", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const bot = startBotProcess(environment({ SLACK_API_URL: `http://127.0.0.1:${String(deadPort)}/api/` }));
    expect(await bot.exited).toBe(1);
    const stderr = bot.stderr();
    expect(stderr).toContain(
      `baton could not start [SLACK_REQUEST_FAILED]: baton could not reach http://127.0.0.1:${String(deadPort)}/api/ to check SLACK_BOT_TOKEN`,
    );
    expect(stderr).toContain("after 4 tries");
    expect(stderr.match(/could not reach Slack at start-up; trying again/g)).toHaveLength(3);
    expect(stderr).not.toContain("Slack refused SLACK_BOT_TOKEN");
  }, 60_000);
});
