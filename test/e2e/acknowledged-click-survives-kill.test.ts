import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainStore } from "../../src/core/ports.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { approvalCardOf } from "../support/approval-card.js";
import { REJECT_CALLBACK_ID } from "../../src/slack/modals/decision-modals.js";
import { runInputMetadata } from "../../src/slack/modals/private-metadata.js";
import { sealedApprovalMetadata } from "../../src/slack/modals/sealed-metadata.js";
import { RUN_CALLBACK_ID } from "../../src/slack/modals/run-input-modal.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER } from "../support/bot-harness.js";
import { pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { startFakeSlackServer, type FakeSlackServer, type RecordedSlackCall } from "../support/fake-slack-server.js";
import { buttonClick, postToSlackEndpoint, slashCommand, viewSubmission, type SlackPost } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Acknowledge only what is durable, at Slack's edge: the bot (`npm start`, a real process) is
 * SIGKILLed the moment a signed request into its real HTTP receiver got its 200. Slack never
 * redelivers an acknowledged request, so what was acknowledged must already be in the store:
 * the run a `/baton run` started, the decision an Approve click or a Reject form made. The next
 * process finishes what was acknowledged, once.
 */

const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const directory = makeTempDirectory("baton-ack-kill-");
const database = join(directory.path, "baton.db");
let slack: FakeSlackServer;
let model: FakeOpenAiServer;
let store: ChainStore;
let state: SqliteState;
const bots: BotChild[] = [];

beforeAll(async () => {
  slack = await startFakeSlackServer();
  model = await startFakeOpenAiServer();
  model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER, verdict: { healthy: true, note: "all probes green" } }));
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
    BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "slack-chains"),
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: `${model.url}/v1`,
    BATON_MODEL_MAX_RETRIES: "0",
    SLACK_BOT_TOKEN: "xoxb-kill-test",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    BATON_APPROVERS: APPROVER,
  });
  bots.push(bot);
  return bot;
}

/** Post a signed request, see its 200, and SIGKILL the bot at once. */
async function postThenKill(bot: BotChild, post: SlackPost): Promise<void> {
  const answer = await postToSlackEndpoint(`http://127.0.0.1:${String(bot.port)}/slack/events`, post);
  expect(answer.status).toBe(200);
  await bot.kill();
}

const responseUrl = (name: string): string => `${slack.url}/response/${name}`;
const textOf = (call: RecordedSlackCall): string => JSON.stringify(call.args["blocks"] ?? []) + String(call.args["text"] ?? "");
// The announce step's message (the approval card shows the plan too, but under its own title).
const announcements = (): RecordedSlackCall[] =>
  slack.callsOf("chat.postMessage").filter((call) => String(call.args["text"]).startsWith("Change plan approved"));

async function pendingApprovalOf(runId: string): Promise<string> {
  const run = await pollUntil(
    () => store.getRun(runId),
    (current) => current?.status === "awaiting_approval",
  );
  expect(run?.status).toBe("awaiting_approval");
  const [approval] = await store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  return approval?.id ?? "";
}

describe("a Slack request acknowledged with 200, then SIGKILL", () => {
  it("a /baton run is a run, an Approve click is a decision, and the run finishes in the next process, once", async () => {
    await postThenKill(
      await startBot(),
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: responseUrl("start") }, SECRET),
    );
    // The run was recorded before the ack.
    const [run] = await store.listRuns({ limit: 10 });
    expect(run?.chainId).toBe("change-plan");
    const runId = run?.id ?? "";

    // The next process executes it (its owner is dead) up to the approval.
    const second = await startBot();
    const approvalId = await pendingApprovalOf(runId);
    await postThenKill(
      second,
      buttonClick(
        {
          actionId: "baton.approve",
          value: approvalId,
          userId: APPROVER,
          ...(await approvalCardOf(state.ledger, approvalId)),
          responseUrl: responseUrl("approve"),
        },
        SECRET,
      ),
    );
    // The decision was committed before the ack.
    expect((await store.getApproval(approvalId))?.status).toBe("approved");

    await startBot();
    const finished = await pollUntil(
      () => store.getRun(runId),
      (current) => current?.status === "succeeded",
    );
    expect(finished?.status).toBe("succeeded");
    await slack.waitFor(() => announcements().length > 0, 10_000);
    expect(await store.listRuns({ limit: 10 })).toHaveLength(1);
    const events = await store.listEvents(runId);
    expect(events.filter((event) => event.type === "approval.decided")).toHaveLength(1);
    expect(events.filter((event) => event.type === "run.finished")).toHaveLength(1);
    // One output per step; the plan was asked again at most once (the first process may have
    // been killed inside that model call, the step it was in), and announced once.
    expect((await store.getSteps(runId)).map((step) => step.stepId)).toEqual(["plan", "announce"]);
    expect(model.requests.filter((request) => request.method === "POST").length).toBeLessThanOrEqual(2);
    expect(announcements()).toHaveLength(1);
    for (const bot of bots.splice(0)) await bot.stop();
  }, 90_000);

  it("a run form and a Reject form, each submitted and acknowledged, are a run and a rejection; the card loses its buttons", async () => {
    const first = await startBot();
    const submitted = viewSubmission(
      {
        callbackId: RUN_CALLBACK_ID,
        privateMetadata: runInputMetadata("change-plan", "C0RUNS"),
        stateValues: { request: { value: { type: "plain_text_input", value: "rotate the database credentials" } } },
        userId: REQUESTER,
      },
      SECRET,
    );
    const before = new Set((await store.listRuns({ limit: 100 })).map((run) => run.id));
    await postThenKill(first, submitted);
    const started = (await store.listRuns({ limit: 100 })).filter((run) => !before.has(run.id));
    expect(started).toHaveLength(1);
    const runId = started[0]?.id ?? "";

    const second = await startBot();
    const approvalId = await pendingApprovalOf(runId);
    const reason = "Not during the sale.";
    await postThenKill(
      second,
      viewSubmission(
        {
          callbackId: REJECT_CALLBACK_ID,
          privateMetadata: sealedApprovalMetadata(approvalId, SECRET),
          stateValues: { reason: { value: { type: "plain_text_input", value: reason } } },
          userId: APPROVER,
        },
        SECRET,
      ),
    );
    expect(await store.getApproval(approvalId)).toMatchObject({ status: "rejected", comment: reason });
    expect((await store.getRun(runId))?.status).toBe("rejected");

    // The next process brings the approval card up to date: the rejection, and no buttons.
    await startBot();
    const cardCalls = (): RecordedSlackCall[] =>
      slack.calls.filter((call) => (call.method === "chat.postMessage" || call.method === "chat.update") && textOf(call).includes(approvalId));
    await slack.waitFor(() => {
      const last = cardCalls().at(-1);
      return last !== undefined && textOf(last).includes(reason) && !textOf(last).includes('"type":"actions"');
    }, 10_000);
    expect(cardCalls().filter((call) => call.method === "chat.postMessage")).toHaveLength(1);
    expect((await store.listEvents(runId)).filter((event) => event.type === "approval.decided")).toHaveLength(1);
    for (const bot of bots.splice(0)) await bot.stop();
  }, 90_000);
});
