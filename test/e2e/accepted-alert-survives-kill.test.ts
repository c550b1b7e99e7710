import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteState } from "../../src/store/index.js";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * An accepted alert is never lost: the bot (`npm start`, a real process) is killed with SIGKILL
 * right after it answered 202; the next process finds the delivery and starts the incident's run
 * (exactly one, whether or not the first process got to it).
 */

const BOT = fileURLToPath(new URL("../../bin/baton-bot.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "kill-test-token-0123456789";
const directory = makeTempDirectory("baton-kill-");
const database = join(directory.path, "baton.db");
let slack: FakeSlackServer;

beforeAll(async () => {
  slack = await startFakeSlackServer();
});
afterAll(async () => {
  await slack.close();
  directory.remove();
});

function startBot(): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, [BOT], {
    cwd: ROOT,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "/tmp",
      BATON_DB: database,
      BATON_MODEL: "scripted",
      SLACK_BOT_TOKEN: "xoxb-kill",
      SLACK_SIGNING_SECRET: "0123456789abcdef0123",
      SLACK_API_URL: slack.apiUrl,
      PORT: "0",
      BATON_WEBHOOK_TOKEN: TOKEN,
      BATON_SLACK_CHANNEL: "C0OPS",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
      const line = log.split("\n").find((candidate) => candidate.includes('"baton is up"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on("exit", (code) => reject(new Error(`bot exited (${String(code)}) before it was up:\n${log}`)));
  });
  return { child, port };
}

describe("an accepted alert across a SIGKILL", () => {
  it("is stored before the 202 and its incident run starts in the next process, once", async () => {
    const first = startBot();
    const port = await first.port;
    const answer = await fetch(`http://127.0.0.1:${String(port)}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: readFileSync(new URL("../fixtures/webhooks/alertmanager/firing.json", import.meta.url)),
    });
    expect(answer.status).toBe(202);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.on("exit", resolve));

    const second = startBot();
    await second.port;
    const state = openSqliteState(database);
    try {
      const deadline = Date.now() + 15_000;
      let runs = await state.store.listRuns({ chainId: "incident-response", limit: 5 });
      while (runs.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        runs = await state.store.listRuns({ chainId: "incident-response", limit: 5 });
      }
      expect(await state.alerts.countDeliveries()).toBe(1);
      const incidents = await state.alerts.listIncidents({ limit: 5 });
      expect(incidents).toHaveLength(1);
      expect(runs).toHaveLength(1);
      const attached = await state.alerts.getIncident(incidents[0]?.id ?? "");
      expect(attached?.runId).toBe(runs[0]?.id);
    } finally {
      state.close();
      second.child.kill("SIGTERM");
      await new Promise((resolve) => second.child.on("exit", resolve));
    }
  }, 60_000);
});
