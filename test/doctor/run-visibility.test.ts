import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseBotConfig } from "../../src/bot-config.js";
import { parseConfig } from "../../src/config.js";
import { isBatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { openSqliteState } from "../../src/store/index.js";
import { startBot } from "../../src/runtime/start-bot.js";
import { SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeSlackServer } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Runs are never invisible (issue 12, part 6), through the real webhook route, the real bot and
 * the fake Slack: an incident run with no run channel is shown in BATON_INCIDENT_CHANNEL; a
 * webhook with nowhere to show its runs stops start-up naming the variable; a chain's own channel
 * that Slack refuses is logged at error.
 */

const TOKEN = "visibility-webhook-token-0123456789";
const REPO_CHAINS = fileURLToPath(new URL("../../chains", import.meta.url));
const VISIBILITY_CHAINS = fileURLToPath(new URL("../fixtures/visibility-chains", import.meta.url));
const firing = readFileSync(new URL("../fixtures/webhooks/alertmanager/firing.json", import.meta.url));

interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record = (level: LogLine["level"]) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries += 1) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function postAlert(harness: BotHarness): Promise<Response> {
  return fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: firing,
  });
}

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("a plan's review is never started where nobody can see it", () => {
  it("the terraform-plan webhook answers 503 naming BATON_SLACK_CHANNEL when the review chain has no channel, and starts nothing", async () => {
    harness = await startBotHarness({ environment: { BATON_MODEL: "scripted", BATON_WEBHOOK_TOKEN: TOKEN, BATON_INCIDENT_CHANNEL: "C0INCIDENT" } });
    const plan = readFileSync(new URL("../fixtures/iac/aws-risky-plan.json", import.meta.url), "utf8");
    const answer = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/terraform-plan`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ plan: JSON.parse(plan) as unknown }),
    });
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { error: string; message: string };
    expect(body.error).toBe("RUN_NOT_VISIBLE");
    expect(body.message).toContain("BATON_SLACK_CHANNEL");
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });
});

describe("incident runs are always shown somewhere", () => {
  it("with BATON_INCIDENT_CHANNEL and no BATON_SLACK_CHANNEL, the plan's approval card is posted in the incident channel", async () => {
    harness = await startBotHarness({
      environment: { BATON_CHAINS_DIR: REPO_CHAINS, BATON_MODEL: "scripted", BATON_WEBHOOK_TOKEN: TOKEN, BATON_INCIDENT_CHANNEL: "C0INCIDENT" },
    });
    const answer = await postAlert(harness);
    expect(answer.status).toBe(202);
    const { store } = harness.bot.runtime;
    await waitUntil("the plan to wait for approval", async () => (await store.listApprovals({ statuses: ["pending"], limit: 5 })).length > 0);
    const [approval] = await store.listApprovals({ statuses: ["pending"], limit: 5 });
    const slack = harness.slack;
    // The approval card: a message in the incident channel carrying the decision buttons.
    await slack.waitFor((calls) =>
      calls.some(
        (call) =>
          call.method === "chat.postMessage" && call.args.channel === "C0INCIDENT" && JSON.stringify(call.args.blocks ?? []).includes(approval?.id ?? "none"),
      ),
    );
    const run = await store.getRun(approval?.runId ?? "");
    expect(run?.status).toBe("awaiting_approval");
    expect(run?.origin?.reference?.["channel"]).toBe("C0INCIDENT");
  });

  it("start-up refuses an alert webhook with no channel for its runs, naming the variable; the database is left usable", async () => {
    const directory = makeTempDirectory("baton-visibility-");
    const slack = await startFakeSlackServer();
    const environment = {
      BATON_MODEL: "scripted",
      BATON_DB: join(directory.path, "baton.db"),
      BATON_CHAINS_DIR: REPO_CHAINS,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: "0",
      BATON_WEBHOOK_TOKEN: TOKEN,
    };
    try {
      const failure = await startBot({ config: parseConfig(environment), botConfig: parseBotConfig(environment), logger: recordingLogger().logger }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isBatonError(failure, "CONFIG_INVALID")).toBe(true);
      const message = failure instanceof Error ? failure.message : "";
      expect(message).toContain("BATON_WEBHOOK_TOKEN turns on /webhooks/alertmanager");
      expect(message).toContain("Set BATON_INCIDENT_CHANNEL");
      expect(isBatonError(failure) ? failure.details["variable"] : undefined).toBe("BATON_INCIDENT_CHANNEL");
      // Nothing was posted, and the database opens again (nothing half-written or locked).
      expect(slack.callsOf("chat.postMessage")).toHaveLength(0);
      const state = openSqliteState(environment.BATON_DB);
      expect(await state.store.listRuns({ limit: 5 })).toHaveLength(0);
      state.close();
    } finally {
      await slack.close();
      directory.remove();
    }
  });

  it("start-up refuses the GitHub webhook with no channel for reviews, naming BATON_SLACK_CHANNEL", async () => {
    const slack = await startFakeSlackServer();
    const directory = makeTempDirectory("baton-visibility-");
    const environment = {
      BATON_MODEL: "scripted",
      BATON_DB: join(directory.path, "baton.db"),
      BATON_CHAINS_DIR: REPO_CHAINS,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: "0",
      GITHUB_WEBHOOK_SECRET: "github-secret",
    };
    try {
      const failure = await startBot({ config: parseConfig(environment), botConfig: parseBotConfig(environment), logger: recordingLogger().logger }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isBatonError(failure, "CONFIG_INVALID") ? failure.details["variable"] : undefined).toBe("BATON_SLACK_CHANNEL");
      expect(failure instanceof Error ? failure.message : "").toContain("GITHUB_WEBHOOK_SECRET turns on /webhooks/github");
    } finally {
      await slack.close();
      directory.remove();
    }
  });

  it("a chain's own channel that Slack refuses is logged at error with the run and the channel", async () => {
    const { logger, lines } = recordingLogger();
    harness = await startBotHarness({
      environment: { BATON_CHAINS_DIR: VISIBILITY_CHAINS, BATON_INCIDENT_CHAIN: "alert-plan", BATON_WEBHOOK_TOKEN: TOKEN },
      beforeStart: (slack) => slack.failNext("chat.postMessage", { kind: "error", error: "channel_not_found" }, 50),
      logger,
    });
    expect((await postAlert(harness)).status).toBe(202);
    await waitUntil("the error line", () => lines.some((line) => line.level === "error" && line.fields["channel"] === "C0GONE"));
    const line = lines.find((candidate) => candidate.level === "error" && candidate.fields["channel"] === "C0GONE");
    expect(line?.fields["reason"]).toBe("channel_not_found");
    expect(String(line?.fields["runId"])).toMatch(/^r_i_/);
    expect(line?.message).toContain("Invite baton to the channel or fix the channel id");
  });
});

describe("the bot's start-up checks", () => {
  it("log each ✗ at warn with its fix, spend no tokens, and do not stop the bot", async () => {
    const { logger, lines } = recordingLogger();
    harness = await startBotHarness({
      environment: { BATON_SLACK_CHANNEL: "C0NOSUCH", BATON_APPROVERS: "U0GONE", BATON_MODEL: "gpt-missing" },
      beforeStart: (slack, model) => {
        slack.setUser("U0APPROVER");
        model.setModels(["gpt-4o-mini"]);
      },
      logger,
    });
    const results = await harness.bot.startupChecks;
    const failedChecks = results.filter((result) => result.status === "fail").map((result) => result.checked);
    // The fixture and shipped chains inherit the default approvers: the line names the variable and counts the chains.
    expect(failedChecks).toEqual(
      expect.arrayContaining([
        "model gpt-missing (BATON_MODEL)",
        "Slack channel C0NOSUCH (BATON_SLACK_CHANNEL)",
        "Slack user U0GONE (BATON_APPROVERS, 6 chains)",
      ]),
    );
    const warnings = lines.filter((line) => line.level === "warn" && line.message.startsWith("✗"));
    expect(warnings.map((line) => line.fields["check"])).toEqual(expect.arrayContaining(failedChecks));
    expect(warnings.find((line) => line.fields["check"] === "Slack channel C0NOSUCH (BATON_SLACK_CHANNEL)")?.fields["fix"]).toContain("channel's id");
    // No tokens: the Models API was asked, no completion was requested.
    expect(harness.model.requests.filter((request) => request.method === "POST")).toHaveLength(0);
    expect(harness.model.requests.some((request) => request.path === "/v1/models/gpt-missing")).toBe(true);
    // The bot is up regardless.
    expect((await fetch(`http://127.0.0.1:${String(harness.bot.port)}/healthz`)).status).toBe(200);
  });
});
