import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord, RunStatus } from "../../src/core/ports.js";
import { RETRY_ACTION_ID } from "../../src/slack/render/progress-card.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { buttonClick, slashCommand } from "../support/slack-requests.js";
import { runWithStatus, waitUntil } from "../support/wait-for.js";

/**
 * Runs that recover, through the bot's real edges: signed Slack requests into the Bolt receiver,
 * the fake OpenAI server failing as OpenAI documents, the step retry timer ticked on a clock the
 * test moves, and /metrics over HTTP.
 */

let now = Date.now();
const clock = { now: () => now };
let harness: BotHarness;
beforeEach(async () => {
  now = Date.now();
  harness = await startBotHarness({ clock });
});
afterEach(async () => {
  await harness.close();
});

const store = () => harness.bot.runtime.store;

const runStatus = (runId: string, status: RunStatus): Promise<RunRecord> => runWithStatus(store(), runId, status);

function cardCalls(runId: string): RecordedSlackCall[] {
  return harness.slack.calls.filter(
    (call) =>
      (call.method === "chat.postMessage" || call.method === "chat.update") &&
      call.args["thread_ts"] === undefined &&
      JSON.stringify(call.args).includes(runId),
  );
}

function lastCardText(runId: string): string {
  const last = cardCalls(runId).at(-1);
  return last ? JSON.stringify(last.args["blocks"] ?? []) : "";
}

/** OpenAI's 500 (https://platform.openai.com/docs/guides/error-codes#api-errors). */
const serverError = {
  kind: "status",
  status: 500,
  body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
} as const;

async function startChangePlan(): Promise<string> {
  await harness.post(
    slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
  );
  const run = await waitUntil("a run", async () => (await store().listRuns({ limit: 1 }))[0]);
  return run.id;
}

describe("a model outage: the run waits, says so, and continues by itself", () => {
  it("the card says what it waits for with the next try and attempt, /metrics counts it, and it reaches its approval after recovery without anyone acting", async () => {
    harness.model.setFallback(() => serverError);
    const runId = await startChangePlan();
    await waitUntil("the run to wait", () => store().getRetry(runId));
    await harness.bot.slack.projection.idle();
    await waitUntil("the card to say it waits", async () => (lastCardText(runId).includes("waiting for the model") ? true : undefined));
    expect(lastCardText(runId)).toMatch(/waiting for the model — next try <!date\^\d+\^[^>]*>, attempt 2/);

    const metrics = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/metrics`).then((response) => response.text());
    expect(metrics).toContain('baton_runs_waiting{waiting_for="model"} 1');

    // Two minutes of outage: every try fails until the model answers again.
    for (let elapsed = 0; elapsed < 120_000; ) {
      const retry = await store().getRetry(runId);
      if (!retry) throw new Error("the run stopped waiting during the outage");
      elapsed += retry.nextAttemptAt - now;
      now = retry.nextAttemptAt;
      await harness.bot.stepRetries.tick();
      await harness.bot.runtime.runner.idle();
    }
    expect((await store().getRetry(runId))?.attempt).toBeGreaterThanOrEqual(4);
    harness.model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
    now = (await store().getRetry(runId))?.nextAttemptAt ?? now;
    await harness.bot.stepRetries.tick();
    await runStatus(runId, "awaiting_approval");
    expect(await store().getRetry(runId)).toBeUndefined();
    const after = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/metrics`).then((response) => response.text());
    expect(after).toContain('baton_runs_waiting{waiting_for="model"} 0');
  });
});

describe("the Retry button on a failed run's card", () => {
  it("tells someone who may not retry who may, and continues the run for its starter, once", async () => {
    // https://platform.openai.com/docs/guides/error-codes: a 400 will not change on a retry.
    harness.model.setFallback(() => ({
      kind: "status",
      status: 400,
      body: { error: { message: "Invalid 'messages': empty array.", type: "invalid_request_error", param: "messages", code: "empty_array" } },
    }));
    const runId = await startChangePlan();
    await runStatus(runId, "failed");
    await harness.bot.slack.projection.idle();
    await waitUntil("the Retry button", async () => (lastCardText(runId).includes(RETRY_ACTION_ID) ? true : undefined));

    const click = (userId: string, name: string) =>
      harness.post(buttonClick({ actionId: RETRY_ACTION_ID, value: runId, userId, responseUrl: harness.responseUrl(name) }, SIGNING_SECRET));
    await click("U0MALLORY", "mallory");
    const refused = await waitUntil("the refusal", async () => harness.slack.callsOf("response:mallory")[0]);
    expect(JSON.stringify(refused.args)).toContain("may retry it");
    expect(JSON.stringify(refused.args)).toContain(`<@${REQUESTER}>`);
    expect(JSON.stringify(refused.args)).toContain(`<@${APPROVER}>`);
    expect((await store().getRun(runId))?.status).toBe("failed");

    harness.model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
    await Promise.all([click(REQUESTER, "alice"), click(APPROVER, "approver")]);
    await runStatus(runId, "awaiting_approval");
    const answers = await waitUntil("both answers", async () => {
      const calls = [...harness.slack.callsOf("response:alice"), ...harness.slack.callsOf("response:approver")];
      return calls.length === 2 ? calls.map((call) => JSON.stringify(call.args)) : undefined;
    });
    expect(answers.filter((text) => text.includes("Retrying run"))).toHaveLength(1);
    // The other click lost the compare-and-set, or came once the run was live again: told so either way.
    expect(answers.filter((text) => /by someone else first|still running|waiting for an approval/.test(text))).toHaveLength(1);
    const retried = (await store().listEvents(runId)).filter((event) => event.type === "run.retried");
    expect(retried).toHaveLength(1);
  });
});
