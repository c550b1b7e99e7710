import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** `npm start` as a process: start-up errors name the variable and the fix; a good start serves /healthz. */

const BOT_BIN = fileURLToPath(new URL("../../bin/baton-bot.js", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const directory = makeTempDirectory("baton-bot-start-");
let slack: FakeSlackServer;
beforeAll(async () => {
  slack = await startFakeSlackServer();
});
afterAll(async () => {
  await slack.close();
  directory.remove();
});

interface Started {
  stderr(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

function startBotProcess(environment: Record<string, string>): Started {
  const child = spawn(process.execPath, [BOT_BIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", BATON_DB: join(directory.path, "bot.db"), ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    stderr: () => stderr,
    exited,
    kill: (signal) => void child.kill(signal),
    async waitForLog(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

const slackEnvironment = (): Record<string, string> => ({
  SLACK_BOT_TOKEN: "xoxb-test",
  SLACK_SIGNING_SECRET: "0123456789abcdef0123",
  SLACK_API_URL: slack.apiUrl,
  PORT: "0",
});

describe("npm start", () => {
  it("without SLACK_BOT_TOKEN: exit 1, naming the variable and where to find it", async () => {
    const bot = startBotProcess({ OPENAI_API_KEY: "k" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain("baton could not start [CONFIG_INVALID]: SLACK_BOT_TOKEN is not set. Copy the Bot User OAuth Token");
  });

  it("without OPENAI_API_KEY: refuses rather than fall back to the scripted model", async () => {
    const bot = startBotProcess(slackEnvironment());
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain("[MODEL_NOT_CONFIGURED]: No model server is configured");
    expect(bot.stderr()).toContain("BATON_MODEL=scripted");
  });

  it("a token Slack refuses: exit 1 with Slack's reason", async () => {
    slack.failNext("auth.test", { kind: "error", error: "invalid_auth" });
    const bot = startBotProcess({ ...slackEnvironment(), BATON_MODEL: "scripted" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain("Slack refused SLACK_BOT_TOKEN (invalid_auth)");
  });

  it("with BATON_MODEL=scripted it starts, serves /healthz, /readyz and /metrics, and stops cleanly on SIGTERM", async () => {
    const bot = startBotProcess({ ...slackEnvironment(), BATON_MODEL: "scripted", LOG_LEVEL: "info" });
    await bot.waitForLog(/"msg":"baton is up"/);
    const line =
      bot
        .stderr()
        .split("\n")
        .find((candidate) => candidate.includes("baton is up")) ?? "";
    const logged = JSON.parse(line) as { port: number; scripted: boolean; mode: string };
    expect(logged).toMatchObject({ scripted: true, mode: "http" });
    const health = await fetch(`http://127.0.0.1:${String(logged.port)}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${String(logged.port)}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready" });
    const metrics = await (await fetch(`http://127.0.0.1:${String(logged.port)}/metrics`)).text();
    expect(metrics).toContain("# TYPE baton_runs_started_total counter");
    expect(metrics).toMatch(/^baton_runs_in_flight\{status="running"\} 0$/m);
    const unknown = await fetch(`http://127.0.0.1:${String(logged.port)}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("/slack/events");
    bot.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 30_000);
});
