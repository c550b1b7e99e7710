import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord, RunStatus } from "../../src/core/ports.js";
import { nextRunIdFor } from "../../src/use-cases/incident-recovery.js";
import { answerBySystemPrompt, PLAN_ANSWER, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { runWithStatus, waitUntil } from "../support/wait-for.js";

/**
 * Incidents always have a live run (issue 14, part 5), through the real Alertmanager webhook
 * route, the real bot, the fake Slack and the fake OpenAI server: a later alert of an incident
 * whose run failed or expired takes the run up again, and its thread says so.
 */

const TOKEN = "recovery-webhook-token-0123456789";
const CHAINS = fileURLToPath(new URL("../fixtures/recovery-chains", import.meta.url));
const firing = JSON.parse(readFileSync(new URL("../fixtures/webhooks/alertmanager/firing.json", import.meta.url), "utf8")) as {
  alerts: Array<Record<string, unknown>>;
} & Record<string, unknown>;

/** The group's next notification: Alertmanager sends every alert of the group, here one more (a second instance). */
function withSecondInstance(): string {
  const [first] = firing.alerts;
  const second = { ...first, labels: { ...(first?.["labels"] as Record<string, string>), instance: "checkout-2c4e:8080" }, fingerprint: "5b1f0c8e2d7a9e41" };
  return JSON.stringify({ ...firing, alerts: [first, second] });
}

/** OpenAI's 500 (https://platform.openai.com/docs/guides/error-codes#api-errors). */
const serverError = {
  kind: "status",
  status: 500,
  body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
} as const;

let now = Date.now();
const clock = { now: () => now };
let harness: BotHarness;
beforeEach(async () => {
  now = Date.now();
  harness = await startBotHarness({
    clock,
    environment: { BATON_CHAINS_DIR: CHAINS, BATON_INCIDENT_CHAIN: "incident-plan", BATON_WEBHOOK_TOKEN: TOKEN, BATON_INCIDENT_CHANNEL: "C0INCIDENT" },
  });
});
afterEach(async () => {
  await harness.close();
});

const store = () => harness.bot.runtime.store;

const runStatus = (runId: string, status: RunStatus): Promise<RunRecord> => runWithStatus(store(), runId, status);

async function postAlert(body: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body,
  });
  await response.text();
  return response.status;
}

/** The replies in a run's thread (under its card). */
async function threadReplies(runId: string): Promise<RecordedSlackCall[]> {
  const thread = await harness.bot.slack.projection.threadOf(runId);
  return harness.slack.calls.filter((call) => call.method === "chat.postMessage" && thread !== undefined && call.args["thread_ts"] === thread.ts);
}

async function threadSays(runId: string, text: string): Promise<string> {
  return waitUntil(`the thread of ${runId} to say "${text}"`, async () =>
    (await threadReplies(runId)).map((call) => JSON.stringify(call.args)).find((reply) => reply.includes(text)),
  );
}

async function incidentRun(): Promise<RunRecord> {
  return waitUntil("the incident's run", async () => (await store().listRuns({ limit: 1 }))[0]);
}

describe("a later alert takes an incident's ended run up again", () => {
  it("a run that failed on a model outage is retried in place when the next alert of its group comes, reaches its approval, and the thread says so", async () => {
    harness.model.setFallback(() => serverError);
    expect(await postAlert(JSON.stringify(firing))).toBe(202);
    const failed = await runStatus((await incidentRun()).id, "failed");
    expect(failed.error?.code).toBe("MODEL_TRANSPORT");
    await harness.bot.slack.projection.idle();

    // The model is healthy again; the group's next notification arrives.
    harness.model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
    now += 60_000;
    expect(await postAlert(withSecondInstance())).toBe(202);
    await runStatus(failed.id, "awaiting_approval");
    const note = await threadSays(failed.id, "A new alert for this incident");
    expect(note).toContain("it failed (`MODEL_TRANSPORT`)");
    expect(note).toContain("baton is retrying the run from `plan`");
    // The same run, retried once, by the webhook; no second run for the incident.
    expect((await store().listEvents(failed.id)).filter((event) => event.type === "run.retried").map((event) => event.actor)).toEqual(["webhook:alertmanager"]);
    expect(await store().listRuns({ limit: 10 })).toHaveLength(1);
    const [incident] = await harness.bot.runtime.alerts.listIncidents({ status: "open", limit: 5 });
    expect(incident?.runId).toBe(failed.id);
    // The new alert is in the thread as well, as before.
    await threadSays(failed.id, "1 more alert in this incident");
  });

  it("a run whose approval expired is retried when the next alert comes, and asks again", async () => {
    expect(await postAlert(JSON.stringify(firing))).toBe(202);
    const run = await runStatus((await incidentRun()).id, "awaiting_approval");
    const [first] = await store().listApprovals({ runId: run.id, limit: 5 });
    now += 61 * 60_000;
    expect((await harness.bot.deadlines.tick()).expired).toEqual([first?.id]);
    await runStatus(run.id, "expired");
    await harness.bot.slack.projection.idle();

    now += 60_000;
    expect(await postAlert(withSecondInstance())).toBe(202);
    await runStatus(run.id, "awaiting_approval");
    const note = await threadSays(run.id, "A new alert for this incident");
    expect(note).toContain("its approval expired unanswered");
    const approvals = await store().listApprovals({ runId: run.id, limit: 5 });
    expect(approvals.map((approval) => approval.status).sort()).toEqual(["expired", "pending"]);
  });

  it("a run that is still working is left alone by the next alert", async () => {
    expect(await postAlert(JSON.stringify(firing))).toBe(202);
    const run = await runStatus((await incidentRun()).id, "awaiting_approval");
    now += 60_000;
    expect(await postAlert(withSecondInstance())).toBe(202);
    await threadSays(run.id, "1 more alert in this incident");
    expect((await store().listEvents(run.id)).some((event) => event.type === "run.retried")).toBe(false);
    expect((await threadReplies(run.id)).some((call) => JSON.stringify(call.args).includes("A new alert for this incident"))).toBe(false);
  });

  it("a process that stopped between the alert's 202 and the retry leaves the incident to the next start-up, which retries the run", async () => {
    harness.model.setFallback(() => serverError);
    expect(await postAlert(JSON.stringify(firing))).toBe(202);
    const failed = await runStatus((await incidentRun()).id, "failed");
    await harness.bot.slack.projection.idle();
    // The alert is accepted while the model is still down; the retry fails again at once.
    now += 60_000;
    expect(await postAlert(withSecondInstance())).toBe(202);
    await waitUntil("the retry to fail again", async () =>
      (await store().listEvents(failed.id)).filter((event) => event.type === "run.finished" && JSON.stringify(event.data).includes('"failed"')).length === 2
        ? true
        : undefined,
    );
    // A third notification is stored, then the process stops before acting on it: written by
    // the store directly, as the route would before its 202.
    now += 60_000;
    const incidentBefore = (await harness.bot.runtime.alerts.listIncidents({ status: "open", limit: 5 }))[0];
    await harness.bot.runtime.alerts.recordDelivery({
      source: "alertmanager",
      deliveryKey: "third-notification",
      receivedAt: now,
      rawBody: "{}",
      groupKey: incidentBefore?.groupKey ?? "",
      title: "HighErrorRate",
      alerts: [],
    });
    harness.model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
    await harness.restart();
    await runStatus(failed.id, "awaiting_approval");
    expect((await store().listEvents(failed.id)).filter((event) => event.type === "run.retried")).toHaveLength(2);
  });
});

describe("nextRunIdFor", () => {
  it("numbers the runs that follow an incident's first run", () => {
    expect(nextRunIdFor("r_i_mhx3k2a1-000-123456")).toBe("r_i_mhx3k2a1-000-123456_run2");
    expect(nextRunIdFor("r_i_mhx3k2a1-000-123456_run2")).toBe("r_i_mhx3k2a1-000-123456_run3");
  });
});
