import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { openStoreState, type StoreState } from "../../src/runtime/open-store-state.js";
import { approvalCardOf } from "../support/approval-card.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER } from "../support/bot-harness.js";
import { canRunOnOwnHost, pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { startFakeSlackServer, type FakeSlackServer, type RecordedSlackCall } from "../support/fake-slack-server.js";
import { skipWithoutPostgres, type UsedPostgresDatabase, usePostgresDatabase } from "../support/postgres-test-database.js";
import { shippedChainModel } from "../support/shipped-chain-model.js";
import { startCli } from "../support/cli-process.js";
import { buttonClick, postToSlackEndpoint, slashCommand } from "../support/slack-requests.js";

/**
 * Two replicas of the bot (`npm start`, real processes on their own ports) on one PostgreSQL
 * database, as behind a load balancer: the same alert group delivered to both is one incident
 * and one run; Approve clicked on both at once is one decision and one announcement; a replica
 * SIGKILLed in the middle of a model call has its run finished by the other within the lease,
 * repeating only that step; and approval reminders are posted once while both run.
 */

const skip = await skipWithoutPostgres("test/e2e/postgres-replicas.test.ts");

const SECRET = "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";
const WEBHOOK_TOKEN = "replica-webhook-token-0123456789";
const LEASE_SECONDS = 6;
const CHAINS = join(import.meta.dirname, "..", "fixtures", "slack-chains");
let database: UsedPostgresDatabase;
let slack: FakeSlackServer;
let model: FakeOpenAiServer;
let state: StoreState;
const bots: BotChild[] = [];

// Each replica on a host of its own where it can be (root): a dead one is then noticed only by
// its lease running out, as across real hosts, not by its pid.
const OWN_HOSTS = canRunOnOwnHost();
if (!OWN_HOSTS)
  console.warn("test/e2e/postgres-replicas.test.ts: replicas share this host (unshare --uts needs root): takeover is by pid, not by lease expiry.");

async function startReplica(name: string): Promise<BotChild> {
  const bot = await startBotChild(
    {
      BATON_DB: database.url(),
      BATON_CHAINS_DIR: CHAINS,
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `${model.url}/v1`,
      BATON_MODEL_MAX_RETRIES: "0",
      SLACK_BOT_TOKEN: "xoxb-replicas",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      BATON_APPROVERS: APPROVER,
      BATON_SLACK_CHANNEL: "C0OPS",
      BATON_INCIDENT_CHANNEL: "C0INCIDENTS",
      BATON_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      BATON_LEASE_SECONDS: String(LEASE_SECONDS),
      BATON_REMINDER_EVERY: "2s",
      BATON_DEADLINE_CHECK_CRON: "* * * * * *",
    },
    OWN_HOSTS ? { hostname: name } : {},
  );
  bots.push(bot);
  return bot;
}

const slackUrl = (bot: BotChild): string => `http://127.0.0.1:${String(bot.port)}/slack/events`;
const keyOf = (call: RecordedSlackCall): string => {
  const metadata = call.args["metadata"] as { event_payload?: { key?: unknown } } | undefined;
  return typeof metadata?.event_payload?.key === "string" ? metadata.event_payload.key : "";
};
const announcements = (runId: string): RecordedSlackCall[] =>
  slack.callsOf("chat.postMessage").filter((call) => String(call.args["text"]).startsWith("Change plan approved") && keyOf(call).includes(runId));

async function startChangePlan(on: BotChild, request: string): Promise<string> {
  const before = new Set((await state.store.listRuns({ limit: 1_000 })).map((run) => run.id));
  const answer = await postToSlackEndpoint(
    slackUrl(on),
    slashCommand({ text: `run change-plan ${request}`, userId: REQUESTER, channelId: "C0OPS", responseUrl: `${slack.url}/response/run` }, SECRET),
  );
  expect(answer.status).toBe(200);
  const runs = await pollUntil(
    async () => (await state.store.listRuns({ limit: 1_000 })).filter((run) => !before.has(run.id)),
    (found) => found.length > 0,
  );
  expect(runs).toHaveLength(1);
  return runs[0]?.id ?? "";
}

async function pendingApprovalOf(runId: string): Promise<string> {
  const run = await pollUntil(
    () => state.store.getRun(runId),
    (current) => current?.status === "awaiting_approval",
    30_000,
  );
  expect(run?.status).toBe("awaiting_approval");
  const [approval] = await state.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  return approval?.id ?? "";
}

describe.skipIf(skip)("two replicas on one PostgreSQL database", () => {
  database = usePostgresDatabase();
  let first: BotChild;
  let second: BotChild;
  beforeAll(async () => {
    slack = await startFakeSlackServer();
    model = await startFakeOpenAiServer();
    const plans = answerBySystemPrompt({ plan: PLAN_ANSWER });
    const incidents = shippedChainModel("incident-response");
    model.setFallback((body) => (JSON.stringify(body).includes("STEP:") ? plans(body) : incidents.reply(body)));
    [first, second] = await Promise.all([startReplica("replica-a"), startReplica("replica-b")]);
    state = await openStoreState(parseConfig({ BATON_DB: database.url() }).database);
  }, 60_000);
  afterAll(async () => {
    for (const bot of bots) await bot.kill();
    await state?.close();
    await Promise.all([slack?.close(), model?.close()]);
  });

  it("the same Alertmanager group delivered to both at once is one incident and one run", async () => {
    const body = readFileSync(join(import.meta.dirname, "..", "fixtures", "webhooks", "alertmanager", "firing.json"));
    const deliver = (bot: BotChild): Promise<Response> =>
      fetch(`http://127.0.0.1:${String(bot.port)}/webhooks/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body,
      });
    const answers = await Promise.all([deliver(first), deliver(second), deliver(first), deliver(second)]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
    const runs = await pollUntil(
      () => state.store.listRuns({ chainId: "incident-response", limit: 10 }),
      (found) => found.length > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const incidents = await state.alerts.listIncidents({ limit: 10 });
    expect(incidents).toHaveLength(1);
    expect(await state.store.listRuns({ chainId: "incident-response", limit: 10 })).toHaveLength(1);
    expect((await state.alerts.getIncident(incidents[0]?.id ?? ""))?.runId).toBe(runs[0]?.id);
  }, 60_000);

  it("Approve clicked on both replicas at once decides once and announces once", async () => {
    const runId = await startChangePlan(first, "restart the api pods");
    const approvalId = await pendingApprovalOf(runId);
    const card = await approvalCardOf(state.ledger, approvalId);
    const click = (bot: BotChild, name: string) =>
      postToSlackEndpoint(
        slackUrl(bot),
        buttonClick({ actionId: "baton.approve", value: approvalId, userId: APPROVER, ...card, responseUrl: `${slack.url}/response/${name}` }, SECRET),
      );
    const answers = await Promise.all([click(first, "approve-a"), click(second, "approve-b")]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const finished = await pollUntil(
      () => state.store.getRun(runId),
      (run) => run?.status === "succeeded",
      30_000,
    );
    expect(finished?.status).toBe("succeeded");
    await slack.waitFor(() => announcements(runId).length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const events = await state.store.listEvents(runId);
    expect(events.filter((event) => event.type === "approval.decided")).toHaveLength(1);
    expect(events.filter((event) => event.type === "run.finished")).toHaveLength(1);
    expect(announcements(runId)).toHaveLength(1);
  }, 60_000);

  it("approval reminders are posted once while both replicas check deadlines every second", async () => {
    const runId = await startChangePlan(second, "rotate the database credentials");
    const approvalId = await pendingApprovalOf(runId);
    const reminders = (): RecordedSlackCall[] => slack.callsOf("chat.postMessage").filter((call) => keyOf(call).startsWith(`reminder:${approvalId}:`));
    // Reminders every 2 s: wait for three, each claimed and posted by one replica.
    await slack.waitFor(() => reminders().length >= 3, 20_000);
    const keys = reminders().map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
  }, 60_000);

  it("a run cancelled from another process (baton cancel) updates its card on the replicas at once: LISTEN/NOTIFY, not a poll", async () => {
    const runId = await startChangePlan(first, "resize the cache cluster");
    await pendingApprovalOf(runId);
    await slack.waitFor(() => slack.calls.some((call) => keyOf(call) === `card:${runId}`), 10_000);
    const cancelled = startCli(["cancel", runId, "--reason", "superseded"], { BATON_DB: database.url(), BATON_CHAINS_DIR: CHAINS });
    expect((await cancelled.exited).code).toBe(0);
    const cancelledAt = Date.now();
    // The card is updated in place, by whichever replica hears first; neither started the cancel.
    const cardUpdates = (): RecordedSlackCall[] =>
      slack.callsOf("chat.update").filter((call) => JSON.stringify(call.args).includes("cancelled") && JSON.stringify(call.args).includes(runId));
    await slack.waitFor(() => cardUpdates().length > 0, 5_000);
    const heardMs = Date.now() - cancelledAt;
    expect(heardMs).toBeLessThan(3_000);
    console.info(`card updated ${String(heardMs)} ms after a cancel from another process`);
  }, 60_000);

  it("a replica SIGKILLed in a model call: the other finishes the run within the lease, asking that step again only", async () => {
    // The first model call of this run never answers: the replica is killed inside it.
    model.enqueue({ kind: "hang" });
    const completions = (): number => model.requests.filter((request) => request.method === "POST").length;
    const modelCallsBefore = completions();
    const runId = await startChangePlan(first, "drain the eu-west node pool");
    await pollUntil(
      async () => completions(),
      (count) => count > modelCallsBefore,
    );
    const killedAt = Date.now();
    await first.kill();
    const resting = await pollUntil(
      () => state.store.getRun(runId),
      (run) => run?.status === "awaiting_approval",
      (LEASE_SECONDS + 10) * 1_000,
    );
    const tookOverMs = Date.now() - killedAt;
    expect(resting?.status).toBe("awaiting_approval");
    // At most one lease after the dead replica's last renewal, plus one look (a sixth of it).
    expect(tookOverMs).toBeLessThan(LEASE_SECONDS * 1_000 + 1_000 + 1_000);
    console.info(
      `takeover after SIGKILL: ${String(tookOverMs)} ms (lease ${String(LEASE_SECONDS)} s, ${OWN_HOSTS ? "replicas on their own hosts" : "one host"})`,
    );
    // The plan step was asked twice (the killed call, and once by the survivor); nothing else ran twice.
    expect(completions() - modelCallsBefore).toBe(2);
    expect(await state.store.getSteps(runId)).toEqual([]);
    // The survivor posts the approval card; Approve there finishes the run, announced once.
    const approvalId = (await state.store.listApprovals({ runId, statuses: ["pending"], limit: 1 }))[0]?.id ?? "";
    const card = await approvalCardOf(state.ledger, approvalId);
    const answer = await postToSlackEndpoint(
      slackUrl(second),
      buttonClick({ actionId: "baton.approve", value: approvalId, userId: APPROVER, ...card, responseUrl: `${slack.url}/response/after-kill` }, SECRET),
    );
    expect(answer.status).toBe(200);
    const finished = await pollUntil(
      () => state.store.getRun(runId),
      (run) => run?.status === "succeeded",
      20_000,
    );
    expect(finished?.status).toBe("succeeded");
    expect((await state.store.getSteps(runId)).map((step) => step.stepId)).toEqual(["plan", "announce"]);
    await slack.waitFor(() => announcements(runId).length > 0, 10_000);
    expect(announcements(runId)).toHaveLength(1);
    expect((await state.store.listEvents(runId)).filter((event) => event.type === "run.started")).toHaveLength(1);
  }, 60_000);
});
