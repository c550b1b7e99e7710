import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord, RunStatus } from "../../src/core/ports.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { slashCommand } from "../support/slack-requests.js";
import { runWithStatus, waitUntil } from "../support/wait-for.js";

/**
 * `/baton retry <run-id>` and `/baton rerun <run-id> <step>`: signed slash commands into the real
 * Bolt receiver, a real SQLite file, the fake OpenAI server. Who may: the run's starter or its
 * chain's approvers (BATON_APPROVERS), as for the Retry button.
 */

let harness: BotHarness;
beforeEach(async () => {
  harness = await startBotHarness();
});
afterEach(async () => {
  await harness.close();
});

const store = () => harness.bot.runtime.store;
const MALLORY = "U0MALLORY";

const runStatus = (runId: string, status: RunStatus): Promise<RunRecord> => runWithStatus(store(), runId, status);

/** `/baton <text>` as `userId`; resolves with the HTTP answer and the ephemeral reply through response_url. */
async function command(text: string, userId: string, name: string): Promise<{ status: number; reply: string }> {
  const answer = await harness.post(slashCommand({ text, userId, responseUrl: harness.responseUrl(name) }, SIGNING_SECRET));
  const reply = await waitUntil(`the reply to "${text}"`, async () => harness.slack.callsOf(`response:${name}`)[0]);
  return { status: answer.status, reply: JSON.stringify(reply.args) };
}

/** https://platform.openai.com/docs/guides/error-codes: a 400 will not change on a retry, so the run fails. */
const badRequest = {
  kind: "status",
  status: 400,
  body: { error: { message: "Invalid 'messages': empty array.", type: "invalid_request_error", param: "messages", code: "empty_array" } },
} as const;

async function failedRun(): Promise<string> {
  harness.model.setFallback(() => badRequest);
  await harness.post(
    slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
  );
  const run = await waitUntil("a run", async () => (await store().listRuns({ limit: 1 }))[0]);
  await runStatus(run.id, "failed");
  harness.model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER }));
  return run.id;
}

describe("/baton retry <run-id>", () => {
  it("continues its starter's failed run from the step that failed, recorded (with who) before the ack", async () => {
    const runId = await failedRun();
    const { status, reply } = await command(`retry ${runId}`, REQUESTER, "retry");
    expect(status).toBe(200);
    expect(reply).toContain(`Retrying run \`${runId}\``);
    // The HTTP answer (the ack) came after the write: the retry is in the audit log already.
    const retried = (await store().listEvents(runId)).filter((event) => event.type === "run.retried");
    expect(retried.map((event) => event.actor)).toEqual([REQUESTER]);
    await runStatus(runId, "awaiting_approval");
  });

  it("lets an approver of the chain retry someone else's run", async () => {
    const runId = await failedRun();
    const { reply } = await command(`retry ${runId}`, APPROVER, "approver");
    expect(reply).toContain("Retrying run");
    await runStatus(runId, "awaiting_approval");
  });

  it("tells someone who may not retry who may, with mentions of only the ids baton holds, and leaves the run failed", async () => {
    const runId = await failedRun();
    const { reply } = await command(`retry ${runId}`, MALLORY, "mallory");
    expect(reply).toContain("APPROVAL_NOT_ALLOWED");
    expect(reply).toContain("may retry it");
    expect(reply).toContain(`<@${REQUESTER}>`);
    expect(reply).toContain(`<@${APPROVER}>`);
    expect(reply).not.toContain(`<@${MALLORY}>`);
    expect((await store().getRun(runId))?.status).toBe("failed");
    const denied = (await store().listEvents(runId)).filter((event) => event.type === "approval.denied");
    expect(denied.map((event) => [event.actor, event.data])).toEqual([[MALLORY, { action: "retry", reason: "not the starter or an approver" }]]);
  });

  it("says there is no such run, with how to find one", async () => {
    const { reply } = await command("retry r_doesnotexist", REQUESTER, "unknown");
    expect(reply).toContain("RUN_NOT_FOUND");
    expect(reply).toContain("/baton runs all");
  });

  it("refuses a run that is waiting for its approval, and says what to do", async () => {
    await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    const run = await waitUntil("a run", async () => (await store().listRuns({ limit: 1 }))[0]);
    await runStatus(run.id, "awaiting_approval");
    const { reply } = await command(`retry ${run.id}`, REQUESTER, "live");
    expect(reply).toContain("RUN_NOT_ACTIVE");
    expect(reply).toContain("is waiting for an approval");
    expect((await store().listEvents(run.id)).some((event) => event.type === "run.retried")).toBe(false);
  });

  it("answers a retry without a run id with the help and what was missing", async () => {
    // The help needs no I/O, so it is the acknowledgement itself.
    const answer = await harness.post(slashCommand({ text: "retry", userId: REQUESTER, responseUrl: harness.responseUrl("bare") }, SIGNING_SECRET));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("`retry` needs a run id");
    expect(answer.text).toContain("/baton rerun &lt;run-id&gt; &lt;step&gt;");
    expect(answer.text).toContain("/baton retry &lt;run-id&gt;");
  });
});

describe("/baton rerun <run-id> <step>", () => {
  it("starts a new run from the step, in the channel it was asked in, with its parent recorded, before the ack", async () => {
    const runId = await failedRun();
    const { reply } = await command(`rerun ${runId} plan`, REQUESTER, "rerun");
    expect(reply).toContain(`Re-running run \`${runId}\` from \`plan\``);
    const parentEvents = await store().listEvents(runId);
    const rerun = parentEvents.find((event) => event.type === "run.rerun");
    const childId = (rerun?.data as { childRunId?: unknown } | undefined)?.childRunId;
    expect(typeof childId).toBe("string");
    expect(reply).toContain(String(childId));
    const child = await runStatus(String(childId), "awaiting_approval");
    expect(child.startedBy).toBe(REQUESTER);
    expect(child.origin?.reference).toMatchObject({ channel: "C0RUNS", user: REQUESTER, parentRunId: runId });
    // The parent stays as it ended.
    expect((await store().getRun(runId))?.status).toBe("failed");
  });

  it("tells someone who may not re-run who may", async () => {
    const runId = await failedRun();
    const { reply } = await command(`rerun ${runId} plan`, MALLORY, "mallory");
    expect(reply).toContain("may re-run it");
    expect(reply).toContain(`<@${REQUESTER}>`);
    expect(reply).toContain(`<@${APPROVER}>`);
    expect((await store().listEvents(runId)).some((event) => event.type === "run.rerun")).toBe(false);
  });

  it("names the chain's steps when the step does not exist", async () => {
    const runId = await failedRun();
    const { reply } = await command(`rerun ${runId} architecture`, REQUESTER, "unknown-step");
    expect(reply).toContain("COMMAND_INVALID");
    expect(reply).toContain('has no step \\"architecture\\"');
    expect(reply).toContain("plan, announce");
    expect(await store().listRuns({ limit: 10 })).toHaveLength(1);
  });

  it("refuses a live run", async () => {
    await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    const run = await waitUntil("a run", async () => (await store().listRuns({ limit: 1 }))[0]);
    await runStatus(run.id, "awaiting_approval");
    const { reply } = await command(`rerun ${run.id} plan`, REQUESTER, "live");
    expect(reply).toContain("RUN_NOT_ACTIVE");
    expect(await store().listRuns({ limit: 10 })).toHaveLength(1);
  });

  it("says there is no such run", async () => {
    const { reply } = await command("rerun r_doesnotexist plan", REQUESTER, "unknown");
    expect(reply).toContain("RUN_NOT_FOUND");
  });

  it("accepts the CLI's spelling with --from", async () => {
    const runId = await failedRun();
    const { reply } = await command(`rerun ${runId} --from plan`, APPROVER, "from");
    expect(reply).toContain("Re-running run");
  });
});
