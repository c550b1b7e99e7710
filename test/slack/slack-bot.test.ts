import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApprovalRecord, RunRecord, RunStatus } from "../../src/core/ports.js";
import { blockKitViolations } from "../support/block-kit-limits.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { slashCommand, viewSubmission } from "../support/slack-requests.js";
import { stateValues } from "./modals/state-values.js";
import { runWithStatus, waitUntil as waitFor } from "../support/wait-for.js";

/**
 * The Slack bot end to end: signed requests into the real Bolt HTTP receiver, the real runner on
 * a real SQLite file, the real Web API client against a fake Slack, the real openai client
 * against a fake model.
 */

let harness: BotHarness;
beforeEach(async () => {
  harness = await startBotHarness();
});
afterEach(async () => {
  await harness.bot.slack.projection.idle();
  // Whatever a test did, nothing baton sent may break Block Kit's limits (Slack would refuse it).
  const violations = harness.slack.calls.flatMap(blockKitViolations);
  await harness.close();
  expect(violations).toEqual([]);
});

const store = () => harness.bot.runtime.store;

const waitUntil = <Value>(what: string, probe: () => Promise<Value | undefined>, timeoutMs = 5_000): Promise<Value> => waitFor(what, probe, timeoutMs);

const runStatus = (runId: string, status: RunStatus): Promise<RunRecord> => runWithStatus(store(), runId, status, 5_000);

async function latestRun(): Promise<RunRecord> {
  return waitUntil("a run", async () => (await store().listRuns({ limit: 1 }))[0]);
}

async function pendingApproval(runId: string): Promise<ApprovalRecord> {
  return waitUntil(`a pending approval of ${runId}`, async () => (await store().listApprovals({ runId, statuses: ["pending"], limit: 1 }))[0]);
}

function messageText(call: RecordedSlackCall): string {
  return JSON.stringify(call.args["blocks"] ?? []) + String(call.args["text"] ?? "");
}

function hasActions(call: RecordedSlackCall): boolean {
  const blocks = call.args["blocks"];
  return Array.isArray(blocks) && blocks.some((block: { type?: string }) => block.type === "actions");
}

/** The last version (post or update) of the Slack message whose text mentions `needle`. */
function approvalCardCalls(approvalId: string): RecordedSlackCall[] {
  return harness.slack.calls.filter((call) => (call.method === "chat.postMessage" || call.method === "chat.update") && messageText(call).includes(approvalId));
}

async function startChangePlan(text = "restart the api pods"): Promise<{ run: RunRecord; approval: ApprovalRecord }> {
  const answer = await harness.post(
    slashCommand({ text: `run change-plan ${text}`, userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
  );
  expect(answer.status).toBe(200);
  const run = await latestRun();
  const approval = await pendingApproval(run.id);
  await harness.slack.waitFor(() => approvalCardCalls(approval.id).some(hasActions));
  return { run, approval };
}

function click(actionId: string, approvalId: string, userId: string, name = "click") {
  return harness.clickCard({ actionId, approvalId, userId, responseName: name });
}

describe("/baton run and the progress card", () => {
  it("acknowledges, starts the run, posts one card updated in place, and the approval card in its thread", async () => {
    const { run, approval } = await startChangePlan();
    expect(run.origin).toEqual({ source: "slack", reference: { channel: "C0RUNS", user: REQUESTER } });
    expect(run.input).toEqual({ request: "restart the api pods" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:start"));
    expect(messageText(harness.slack.callsOf("response:start")[0] as RecordedSlackCall)).toContain(run.id);

    const cardPosts = harness.slack.callsOf("chat.postMessage").filter((call) => call.args["thread_ts"] === undefined);
    expect(cardPosts).toHaveLength(1);
    expect(cardPosts[0]?.args["channel"]).toBe("C0RUNS");
    const cardTs = (await harness.bot.runtime.ledger.getMessage(`card:${run.id}`))?.ts;
    expect(cardTs).toBeTruthy();
    const approvalPost = approvalCardCalls(approval.id).find((call) => call.method === "chat.postMessage");
    expect(approvalPost?.args["thread_ts"]).toBe(cardTs);
    expect(messageText(approvalPost as RecordedSlackCall)).toContain("Restart the API pods");
    expect(messageText(approvalPost as RecordedSlackCall)).not.toContain('"summary"');
    expect(harness.slack.callsOf("chat.update").every((call) => call.args["ts"] === cardTs || approvalCardCalls(approval.id).includes(call))).toBe(true);
  });

  it("a chain with several input fields opens the run form; invalid input is shown inline, valid input starts the run", async () => {
    harness.slack.setGroupMembers("S0ONCALL", [APPROVER]);
    await harness.post(
      slashCommand({ text: "run service-check", userId: REQUESTER, triggerId: "trigger-1", responseUrl: harness.responseUrl("form") }, SIGNING_SECRET),
    );
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    const open = harness.slack.callsOf("views.open")[0] as RecordedSlackCall;
    expect(open.args["trigger_id"]).toBe("trigger-1");
    const view = open.args["view"] as { callback_id: string; private_metadata: string; blocks: never[] };
    expect(view.callback_id).toBe("baton.run_submit");

    const invalid = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          stateValues: stateValues(view.blocks, { service: { type: "plain_text_input", value: "x" } }),
          userId: REQUESTER,
        },
        SIGNING_SECRET,
      ),
    );
    expect(invalid.status).toBe(200);
    const body = JSON.parse(invalid.text) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toContain("service");
    expect(await store().listRuns({ limit: 5 })).toHaveLength(0);

    const valid = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          stateValues: stateValues(view.blocks, {
            service: { type: "plain_text_input", value: "payments" },
            severity: { type: "static_select", selected_option: { text: { type: "plain_text", text: "SEV2" }, value: "SEV2" } },
          }),
          userId: REQUESTER,
        },
        SIGNING_SECRET,
      ),
    );
    expect(valid.status).toBe(200);
    expect(valid.text).toBe("");
    const run = await latestRun();
    expect(run.input).toEqual({ service: "payments", severity: "SEV2" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postEphemeral" && messageText(call).includes(run.id)));
  });
});

describe("long outputs", () => {
  it("a 20,000-character summary and 300 steps stay within Block Kit's limits on every card and form", async () => {
    const long = {
      summary: `${"The plan, explained at length. ".repeat(650)}<!channel> <https://evil.example|click>`,
      risk: "high",
      steps: Array.from({ length: 300 }, (_, index) => `step ${String(index + 1)}: ${"do the thing carefully ".repeat(8)}`),
    };
    harness.model.setFallback(answerBySystemPrompt({ plan: long }));
    const { run, approval } = await startChangePlan();
    await harness.clickCard({ actionId: "baton.edit", approvalId: approval.id, userId: APPROVER, responseName: "edit" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    await click("baton.approve", approval.id, APPROVER);
    await runStatus(run.id, "succeeded");
    await harness.bot.slack.projection.idle();
    const sent = harness.slack.calls.filter((call) => call.method === "chat.postMessage" || call.method === "chat.update");
    expect(sent.length).toBeGreaterThan(2);
    // Model text cannot mention everyone or hide a link.
    expect(sent.some((call) => messageText(call).includes("<!channel>"))).toBe(false);
    expect(sent.some((call) => messageText(call).includes("<https://evil.example|click>"))).toBe(false);
  });
});

describe("request signatures", () => {
  it("rejects a bad signature and a timestamp older than five minutes, and starts nothing", async () => {
    const forged = slashCommand({ text: "run change-plan restart the api", responseUrl: harness.responseUrl("x") }, "0000000000000000000000000000dead");
    expect((await harness.post(forged)).status).toBe(401);
    const stale = slashCommand(
      { text: "run change-plan restart the api", responseUrl: harness.responseUrl("x") },
      SIGNING_SECRET,
      Math.floor(Date.now() / 1000) - 6 * 60,
    );
    expect((await harness.post(stale)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store().listRuns({ limit: 5 })).toHaveLength(0);
    expect(harness.slack.callsOf("chat.postMessage")).toHaveLength(0);
  });
});

describe("approval buttons", () => {
  it("Approve by an approver continues the run; the card shows who decided and loses its buttons; the announcement goes to the thread", async () => {
    const { run, approval } = await startChangePlan();
    const answer = await click("baton.approve", approval.id, APPROVER);
    expect(answer.status).toBe(200);
    await runStatus(run.id, "succeeded");
    await harness.slack.waitFor(() => {
      const last = approvalCardCalls(approval.id).at(-1);
      return last !== undefined && last.method === "chat.update" && !hasActions(last);
    });
    expect(messageText(approvalCardCalls(approval.id).at(-1) as RecordedSlackCall)).toContain(APPROVER);
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postMessage" && messageText(call).includes("Change plan approved")));
    const decided = await store().getApproval(approval.id);
    expect(decided?.decidedBy).toBe(APPROVER);
  });

  it("an unauthorised click is refused with the approvers named, audited, and changes nothing", async () => {
    const { run, approval } = await startChangePlan();
    await click("baton.approve", approval.id, "U0MALLORY", "mallory");
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:mallory"));
    const told = harness.slack.callsOf("response:mallory")[0] as RecordedSlackCall;
    expect(told.args["response_type"]).toBe("ephemeral");
    expect(messageText(told)).toContain(APPROVER);
    expect((await store().getApproval(approval.id))?.status).toBe("pending");
    const events = await store().listEvents(run.id);
    expect(events.some((event) => event.type === "approval.denied" && event.actor === "U0MALLORY")).toBe(true);
  });

  it("double clicks and two approvers at once produce one decision; the others hear who decided", async () => {
    harness.slack.failNext("chat.update", { kind: "rate_limited", retryAfterSeconds: 0 });
    const { run, approval } = await startChangePlan();
    const answers = await Promise.all([
      click("baton.approve", approval.id, APPROVER, "one"),
      click("baton.approve", approval.id, APPROVER, "two"),
      click("baton.approve", approval.id, APPROVER, "three"),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    await runStatus(run.id, "succeeded");
    const decisions = (await store().listEvents(run.id)).filter((event) => event.type === "approval.decided");
    expect(decisions).toHaveLength(1);
    await harness.slack.waitFor(
      (calls) => calls.filter((call) => call.method.startsWith("response:") && messageText(call).includes("Already decided")).length === 2,
    );
  });

  it("Edit opens a form from the step's schema; an invalid edit comes back inline; a valid one is used and recorded with a diff", async () => {
    const { run, approval } = await startChangePlan();
    await harness.clickCard({ actionId: "baton.edit", approvalId: approval.id, userId: APPROVER, triggerId: "trigger-edit", responseName: "edit" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    const view = (harness.slack.callsOf("views.open")[0] as RecordedSlackCall).args["view"] as {
      callback_id: string;
      private_metadata: string;
      blocks: never[];
    };
    expect(view.private_metadata.length).toBeLessThan(100);

    const invalid = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          stateValues: stateValues(view.blocks, { summary: { type: "plain_text_input", value: "short" } }),
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    const errors = JSON.parse(invalid.text) as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe("errors");
    expect(errors.errors["summary"]).toBeTruthy();
    expect((await store().getApproval(approval.id))?.status).toBe("pending");

    const edited = "Restart the API pods one at a time, and watch the error rate between pods.";
    const valid = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          stateValues: stateValues(view.blocks, { summary: { type: "plain_text_input", value: edited } }),
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    expect(valid.text).toBe("");
    await runStatus(run.id, "succeeded");
    const steps = await store().getSteps(run.id);
    expect(steps[0]?.output).toEqual({ ...PLAN_ANSWER, summary: edited });
    const decided = (await store().listEvents(run.id)).find((event) => event.type === "approval.decided");
    expect(JSON.stringify(decided?.data)).toContain("summary");
  });

  it("Request changes sends the feedback to the model and asks again; Reject ends the run with the reason", async () => {
    const { run, approval } = await startChangePlan();
    await harness.clickCard({ actionId: "baton.request_changes", approvalId: approval.id, userId: APPROVER, responseName: "rc" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    const feedbackView = (harness.slack.callsOf("views.open")[0] as RecordedSlackCall).args["view"] as { callback_id: string; private_metadata: string };
    const blank = await harness.post(
      viewSubmission(
        {
          callbackId: feedbackView.callback_id,
          privateMetadata: feedbackView.private_metadata,
          stateValues: { feedback: { value: { type: "plain_text_input", value: "  " } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    expect((JSON.parse(blank.text) as { errors: Record<string, string> }).errors["feedback"]).toBeTruthy();
    await harness.post(
      viewSubmission(
        {
          callbackId: feedbackView.callback_id,
          privateMetadata: feedbackView.private_metadata,
          stateValues: { feedback: { value: { type: "plain_text_input", value: "Add a rollback step." } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );

    const second = await waitUntil("round 2", async () =>
      (await store().listApprovals({ runId: run.id, statuses: ["pending"], limit: 5 })).find((candidate) => candidate.round === 2),
    );
    const lastPrompt = JSON.stringify(harness.model.requests.at(-1)?.body);
    expect(lastPrompt).toContain("Add a rollback step.");
    await harness.slack.waitFor(() => approvalCardCalls(second.id).some(hasActions));

    await harness.clickCard({ actionId: "baton.reject", approvalId: second.id, userId: APPROVER, responseName: "reject" });
    await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "views.open").length === 2);
    const rejectView = (harness.slack.callsOf("views.open")[1] as RecordedSlackCall).args["view"] as { callback_id: string; private_metadata: string };
    await harness.post(
      viewSubmission(
        {
          callbackId: rejectView.callback_id,
          privateMetadata: rejectView.private_metadata,
          stateValues: { reason: { value: { type: "plain_text_input", value: "Not during the sale." } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    await runStatus(run.id, "rejected");
    expect((await store().getApproval(second.id))?.comment).toBe("Not during the sale.");
    await harness.slack.waitFor(() => {
      const last = approvalCardCalls(second.id).at(-1);
      return last !== undefined && !hasActions(last) && messageText(last).includes("Not during the sale.");
    });
  });

  it("a restart while the approval waits: the click reaches the new process and the run finishes there", async () => {
    const { run, approval } = await startChangePlan();
    await harness.restart();
    await click("baton.approve", approval.id, APPROVER);
    await runStatus(run.id, "succeeded");
    const cardPosts = harness.slack.callsOf("chat.postMessage").filter((call) => call.args["thread_ts"] === undefined && call.args["channel"] === "C0RUNS");
    expect(cardPosts).toHaveLength(1);
  });
});

describe("when Slack fails", () => {
  it("429 and 500 on the card are retried; the run is never held up", async () => {
    harness.slack.failNext("chat.postMessage", { kind: "rate_limited", retryAfterSeconds: 1 });
    harness.slack.failNext("chat.postMessage", { kind: "server_error" }, 2);
    const { run } = await startChangePlan();
    expect(run.status === "running" || run.status === "awaiting_approval").toBe(true);
    const cardPosts = harness.slack.callsOf("chat.postMessage").filter((call) => call.args["thread_ts"] === undefined);
    expect(cardPosts.length).toBeGreaterThanOrEqual(4);
    expect(await harness.bot.runtime.ledger.getMessage(`card:${run.id}`)).toBeDefined();
  });

  it("a 429 on opening a form is waited out within the trigger's budget; past it the person gets an error with the run id", async () => {
    const { run, approval } = await startChangePlan();
    harness.slack.failNext("views.open", { kind: "rate_limited", retryAfterSeconds: 1 });
    await harness.clickCard({ actionId: "baton.reject", approvalId: approval.id, userId: APPROVER, responseName: "slow" });
    await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "views.open").length === 2, 4_000);
    expect(harness.slack.callsOf("response:slow")).toHaveLength(0);

    harness.slack.failNext("views.open", { kind: "rate_limited", retryAfterSeconds: 30 });
    await harness.clickCard({ actionId: "baton.reject", approvalId: approval.id, userId: APPROVER, responseName: "limited" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:limited"));
    const told = messageText(harness.slack.callsOf("response:limited")[0] as RecordedSlackCall);
    expect(told).toContain("SLACK_REQUEST_FAILED");
    expect(told).toContain(run.id);
    expect((await store().getApproval(approval.id))?.status).toBe("pending");
  });

  it("channel_not_found: the run goes on, and the person who started it is told in a direct message", async () => {
    harness.slack.failNext("chat.postMessage", { kind: "error", error: "channel_not_found" });
    await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    const run = await latestRun();
    await pendingApproval(run.id);
    await harness.slack.waitFor((calls) =>
      calls.some((call) => call.method === "chat.postMessage" && call.args["channel"] === REQUESTER && messageText(call).includes("channel_not_found")),
    );
  });
});

describe("other /baton commands", () => {
  it("help, chains, status, runs, pending, cancel, and anything else gets the help", async () => {
    const help = await harness.post(slashCommand({ text: "dance", responseUrl: harness.responseUrl("help") }, SIGNING_SECRET));
    const helpBody = JSON.parse(help.text) as { response_type: string; text: string };
    expect(helpBody.response_type).toBe("ephemeral");
    expect(help.text).toContain("dance");
    expect(help.text).toContain("pending");

    await harness.post(slashCommand({ text: "chains", responseUrl: harness.responseUrl("chains") }, SIGNING_SECRET));
    await harness.slack.waitFor((calls) =>
      calls.some((call) => call.method === "response:chains" && messageText(call).includes("change-plan") && messageText(call).includes("service-check")),
    );

    const { run, approval } = await startChangePlan();
    await harness.post(slashCommand({ text: `status ${run.id}`, responseUrl: harness.responseUrl("status") }, SIGNING_SECRET));
    await harness.post(slashCommand({ text: "status r_nope", responseUrl: harness.responseUrl("missing") }, SIGNING_SECRET));
    await harness.post(slashCommand({ text: "runs", userId: REQUESTER, responseUrl: harness.responseUrl("runs") }, SIGNING_SECRET));
    await harness.post(slashCommand({ text: "pending", userId: APPROVER, responseUrl: harness.responseUrl("pending") }, SIGNING_SECRET));
    await harness.post(slashCommand({ text: "pending", userId: "U0NOBODY", responseUrl: harness.responseUrl("nothing") }, SIGNING_SECRET));
    await harness.slack.waitFor((calls) =>
      ["status", "missing", "runs", "pending", "nothing"].every((name) => calls.some((call) => call.method === `response:${name}`)),
    );
    const reply = (name: string) => messageText(harness.slack.callsOf(`response:${name}`)[0] as RecordedSlackCall);
    expect(reply("status")).toContain(run.id);
    expect(reply("missing")).toContain("RUN_NOT_FOUND");
    expect(reply("runs")).toContain(run.id);
    expect(reply("pending")).toContain(approval.id);
    expect(reply("nothing")).not.toContain(approval.id);

    await harness.post(
      slashCommand({ text: `cancel ${run.id} wrong ticket`, userId: "U0MALLORY", responseUrl: harness.responseUrl("cancel-denied") }, SIGNING_SECRET),
    );
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:cancel-denied"));
    expect((await store().getRun(run.id))?.status).toBe("awaiting_approval");
    await harness.post(slashCommand({ text: `cancel ${run.id} wrong ticket`, userId: REQUESTER, responseUrl: harness.responseUrl("cancel") }, SIGNING_SECRET));
    await runStatus(run.id, "cancelled");
    await harness.slack.waitFor(() => {
      const last = approvalCardCalls(approval.id).at(-1);
      return last !== undefined && !hasActions(last);
    });
  });

  it("App Home shows my pending approvals", async () => {
    const { approval } = await startChangePlan();
    const event = JSON.stringify({
      token: "deprecated",
      team_id: "T0FAKE",
      api_app_id: "A0BATON",
      type: "event_callback",
      event_id: "Ev1",
      event_time: Math.floor(Date.now() / 1000),
      event: { type: "app_home_opened", user: APPROVER, channel: "D0HOME", tab: "home", event_ts: "1.1" },
    });
    const { signBody } = await import("../support/slack-requests.js");
    const response = await fetch(harness.eventsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...signBody(event, SIGNING_SECRET) },
      body: event,
    });
    expect(response.status).toBe(200);
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.publish"));
    const publish = harness.slack.callsOf("views.publish")[0] as RecordedSlackCall;
    expect(publish.args["user_id"]).toBe(APPROVER);
    expect(JSON.stringify(publish.args["view"])).toContain(approval.id);
  });
});
