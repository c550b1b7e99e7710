import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApprovalRecord } from "../../src/core/ports.js";
import { listedApprovalBlockId } from "../../src/slack/render/approval-buttons.js";
import { approvalKey } from "../../src/slack/run-projection.js";
import { APPROVER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { buttonClick, homeClick, slashCommand, viewSubmission } from "../support/slack-requests.js";

/**
 * Issue 13 items 7 and 8: a button's approval id must belong to the card or list entry it was
 * clicked on, a modal's metadata must be the one baton sealed, and a click from the App Home
 * (no response_url) is answered there — by a direct message and a refreshed Home tab.
 */

let harness: BotHarness;
beforeEach(async () => {
  harness = await startBotHarness();
});
afterEach(async () => {
  await harness.bot.slack.projection.idle();
  await harness.close();
});

async function until<Value>(probe: () => Promise<Value | undefined>): Promise<Value> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startRun(text: string): Promise<ApprovalRecord> {
  const before = new Set((await harness.bot.runtime.store.listRuns({ limit: 100 })).map((run) => run.id));
  await harness.post(slashCommand({ text: `run change-plan ${text}`, userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET));
  const run = await until(async () => (await harness.bot.runtime.store.listRuns({ limit: 100 })).find((candidate) => !before.has(candidate.id)));
  const approval = await until(async () => (await harness.bot.runtime.store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 }))[0]);
  await until(async () => ((await harness.bot.runtime.ledger.getMessage(approvalKey(approval.id)))?.ts ? true : undefined));
  return approval;
}

const told = (name: string): string => JSON.stringify(harness.slack.callsOf(`response:${name}`).map((call) => call.args));
const statusOf = async (approvalId: string): Promise<string | undefined> => (await harness.bot.runtime.store.getApproval(approvalId))?.status;

describe("a button value is tied to its card (item 8)", () => {
  it("Approve on run A's card carrying B's approval id decides nothing and says why", async () => {
    const first = await startRun("restart the api pods");
    const second = await startRun("restart the workers");
    const cardOfFirst = await harness.bot.runtime.ledger.getMessage(approvalKey(first.id));
    await harness.post(
      buttonClick(
        {
          actionId: "baton.approve",
          value: second.id,
          userId: APPROVER,
          channelId: cardOfFirst?.channel ?? "",
          messageTs: cardOfFirst?.ts ?? "",
          responseUrl: harness.responseUrl("forged"),
        },
        SIGNING_SECRET,
      ),
    );
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:forged"));
    expect(told("forged")).toContain("COMMAND_INVALID");
    expect(told("forged")).toContain("does not belong to the message it was clicked on");
    expect(await statusOf(second.id)).toBe("pending");
    expect(await statusOf(first.id)).toBe("pending");
    // The same click on B's own card decides B.
    await harness.clickCard({ actionId: "baton.approve", approvalId: second.id, userId: APPROVER, responseName: "own" });
    await until(async () => ((await statusOf(second.id)) === "approved" ? true : undefined));
  });

  it("a /baton pending entry must carry its own approval's block id", async () => {
    const approval = await startRun("restart the api pods");
    await harness.post(
      buttonClick(
        {
          actionId: "baton.approve",
          value: approval.id,
          userId: APPROVER,
          blockId: listedApprovalBlockId("a_someone_else"),
          responseUrl: harness.responseUrl("list-forged"),
        },
        SIGNING_SECRET,
      ),
    );
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:list-forged"));
    expect(told("list-forged")).toContain("does not belong");
    expect(await statusOf(approval.id)).toBe("pending");
    await harness.post(
      buttonClick(
        {
          actionId: "baton.approve",
          value: approval.id,
          userId: APPROVER,
          blockId: listedApprovalBlockId(approval.id),
          responseUrl: harness.responseUrl("list"),
        },
        SIGNING_SECRET,
      ),
    );
    await until(async () => ((await statusOf(approval.id)) === "approved" ? true : undefined));
  });

  it("a decision form whose private_metadata was edited to name another approval is refused inline; nothing is decided", async () => {
    const first = await startRun("restart the api pods");
    const other = await startRun("restart the workers");
    await harness.clickCard({ actionId: "baton.reject", approvalId: first.id, userId: APPROVER, responseName: "reject" });
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    const view = (harness.slack.callsOf("views.open")[0] as RecordedSlackCall).args["view"] as { callback_id: string; private_metadata: string };
    const edited = view.private_metadata.replace(first.id, other.id);
    expect(edited).not.toBe(view.private_metadata);
    const answer = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: edited,
          stateValues: { reason: { value: { type: "plain_text_input", value: "no" } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("response_action");
    expect(answer.text).toContain("was changed after baton opened it");
    const unsealed = await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: JSON.stringify({ approvalId: other.id }),
          stateValues: { reason: { value: { type: "plain_text_input", value: "no" } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    expect(unsealed.text).toContain("carries no seal");
    expect(await statusOf(other.id)).toBe("pending");
    expect(await statusOf(first.id)).toBe("pending");
    // The form as baton sealed it still works.
    await harness.post(
      viewSubmission(
        {
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          stateValues: { reason: { value: { type: "plain_text_input", value: "not now" } } },
          userId: APPROVER,
        },
        SIGNING_SECRET,
      ),
    );
    await until(async () => ((await statusOf(first.id)) === "rejected" ? true : undefined));
  });
});

describe("App Home clicks have no response_url (item 7)", () => {
  it("an unauthorised click is answered by a direct message, and Home is drawn again; nothing is decided", async () => {
    const approval = await startRun("restart the api pods");
    const publishedBefore = harness.slack.callsOf("views.publish").length;
    await harness.post(
      homeClick({ actionId: "baton.approve", value: approval.id, blockId: listedApprovalBlockId(approval.id), userId: "U0STRANGER" }, SIGNING_SECRET),
    );
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postMessage" && call.args["channel"] === "U0STRANGER"));
    const dm = harness.slack.callsOf("chat.postMessage").find((call) => call.args["channel"] === "U0STRANGER");
    expect(JSON.stringify(dm?.args)).toContain("APPROVAL_NOT_ALLOWED");
    await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "views.publish").length > publishedBefore);
    expect(harness.slack.callsOf("views.publish").at(-1)?.args["user_id"]).toBe("U0STRANGER");
    expect(await statusOf(approval.id)).toBe("pending");
  });

  it("an authorised click decides and refreshes Home, so the approval leaves the list", async () => {
    const approval = await startRun("restart the api pods");
    await harness.post(
      homeClick({ actionId: "baton.approve", value: approval.id, blockId: listedApprovalBlockId(approval.id), userId: APPROVER }, SIGNING_SECRET),
    );
    await until(async () => ((await statusOf(approval.id)) === "approved" ? true : undefined));
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.publish" && call.args["user_id"] === APPROVER));
    const home = harness.slack
      .callsOf("views.publish")
      .filter((call) => call.args["user_id"] === APPROVER)
      .at(-1);
    expect(JSON.stringify(home?.args["view"])).not.toContain(listedApprovalBlockId(approval.id));
  });

  it("a late click from Home (already decided) says so by direct message", async () => {
    const approval = await startRun("restart the api pods");
    await harness.clickCard({ actionId: "baton.approve", approvalId: approval.id, userId: APPROVER });
    await until(async () => ((await statusOf(approval.id)) === "approved" ? true : undefined));
    await harness.post(
      homeClick({ actionId: "baton.reject", value: approval.id, blockId: listedApprovalBlockId(approval.id), userId: APPROVER }, SIGNING_SECRET),
    );
    await harness.slack.waitFor((calls) =>
      calls.some((call) => call.method === "chat.postMessage" && call.args["channel"] === APPROVER && JSON.stringify(call.args).includes("Already decided")),
    );
  });
});
