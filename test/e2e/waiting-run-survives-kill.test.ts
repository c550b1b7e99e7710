import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainStore } from "../../src/core/ports.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER } from "../support/bot-harness.js";
import { pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { startFakeSlackServer, type FakeSlackServer, type RecordedSlackCall } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Failures are states, not ends — across a SIGKILL. The bot (`npm start`, a real process) takes
 * an alert through the real Alertmanager webhook while the model answers 500: the incident run
 * waits, and its card says so. The process is SIGKILLed while the run waits; the next process,
 * with the model healthy again, takes the run up from the schedule in the database, and the run
 * reaches its approval without anyone acting. The chain tries every second, so this takes seconds.
 */

const SECRET = "7a6b5c4d3e2f10ffeeddccbbaa998877";
const TOKEN = "waiting-kill-webhook-token-0123456789";
const directory = makeTempDirectory("baton-wait-kill-");
const database = join(directory.path, "baton.db");
const firing = readFileSync(new URL("../fixtures/webhooks/alertmanager/firing.json", import.meta.url), "utf8");
/** OpenAI's 500 (https://platform.openai.com/docs/guides/error-codes#api-errors). */
const serverError = {
  kind: "status",
  status: 500,
  body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
} as const;

let slack: FakeSlackServer;
let model: FakeOpenAiServer;
let store: ChainStore;
let state: SqliteState;
const bots: BotChild[] = [];

beforeAll(async () => {
  slack = await startFakeSlackServer();
  model = await startFakeOpenAiServer();
  state = openSqliteState(database);
  store = state.store;
});
afterAll(async () => {
  for (const bot of bots) await bot.kill();
  state.close();
  await Promise.all([slack.close(), model.close()]);
  directory.remove();
});

async function startBot(): Promise<BotChild> {
  const bot = await startBotChild({
    BATON_DB: database,
    BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "recovery-chains"),
    BATON_INCIDENT_CHAIN: "incident-wait",
    BATON_INCIDENT_CHANNEL: "C0INCIDENT",
    BATON_WEBHOOK_TOKEN: TOKEN,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: `${model.url}/v1`,
    BATON_MODEL_MAX_RETRIES: "0",
    SLACK_BOT_TOKEN: "xoxb-wait-kill-test",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    BATON_APPROVERS: APPROVER,
  });
  bots.push(bot);
  return bot;
}

const cardText = (runId: string): string =>
  slack.calls
    .filter(
      (call: RecordedSlackCall) =>
        (call.method === "chat.postMessage" || call.method === "chat.update") &&
        call.args["thread_ts"] === undefined &&
        JSON.stringify(call.args).includes(runId),
    )
    .map((call) => JSON.stringify(call.args["blocks"] ?? []))
    .at(-1) ?? "";

describe("a run waiting out a model outage, then SIGKILL", () => {
  it("the next process, with the model healthy, takes it up from the database and it reaches its approval without anyone acting", async () => {
    model.setFallback(() => serverError);
    const first = await startBot();
    const answer = await fetch(`http://127.0.0.1:${String(first.port)}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: firing,
    });
    expect(answer.status).toBe(202);
    const [run] = await pollUntil(
      () => store.listRuns({ limit: 1 }),
      (runs) => runs.length > 0,
    );
    const runId = run?.id ?? "";

    // It waits (a second try has failed too), and the card says so.
    const waiting = await pollUntil(
      () => store.getRetry(runId),
      (retry) => (retry?.attempt ?? 0) >= 2,
    );
    expect(waiting?.attempt).toBeGreaterThanOrEqual(2);
    await slack.waitFor(() => cardText(runId).includes("waiting for the model"), 10_000);
    expect((await store.getRun(runId))?.status).toBe("running");

    await first.kill();
    const callsBeforeRecovery = model.requests.filter((request) => request.method === "POST").length;
    model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
    await startBot();

    const recovered = await pollUntil(
      () => store.getRun(runId),
      (current) => current?.status === "awaiting_approval",
    );
    expect(recovered?.status).toBe("awaiting_approval");
    expect(await store.getRetry(runId)).toBeUndefined();
    const [approval] = await store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    expect(approval?.stepId).toBe("plan");
    // Nobody acted: no decision, no retry by a person; the plan was asked once more and answered
    // (one more request may be the killed process's try, sent just before it died).
    const events = await store.listEvents(runId);
    expect(events.filter((event) => event.type === "approval.decided" || event.type === "run.retried")).toEqual([]);
    const callsAfter = model.requests.filter((request) => request.method === "POST").length - callsBeforeRecovery;
    expect(callsAfter).toBeGreaterThanOrEqual(1);
    expect(callsAfter).toBeLessThanOrEqual(2);
    expect(await store.listRuns({ limit: 10 })).toHaveLength(1);
    for (const bot of bots.splice(0)) await bot.stop();
  }, 90_000);
});
