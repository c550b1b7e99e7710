import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RFP_BLOCKS, RFP_CALLBACK_ID } from "../../src/slack/modals/rfp-modal.js";
import { SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { createFakeRfpModel } from "../support/fake-rfp-model.js";
import { minimalPdf } from "../support/minimal-pdf.js";
import { slashCommand, viewSubmission } from "../support/slack-requests.js";

/** `/baton rfp`: the form, pasted text, a shared file (PDF, Markdown), and every bad file. */

let harness: BotHarness;
const rfpModel = createFakeRfpModel();
beforeEach(async () => {
  harness = await startBotHarness({
    environment: { BATON_CHAINS_DIR: join(import.meta.dirname, "..", "..", "chains"), BATON_DOCUMENT_MAX_MB: "1", BATON_APPROVERS: "U0LEAD" },
  });
  harness.model.setFallback((body) => rfpModel.reply(body));
});
afterEach(async () => {
  await harness.close();
});

const state = (values: { title?: string; customer?: string; fileId?: string; text?: string }): Record<string, Record<string, unknown>> => ({
  [RFP_BLOCKS.title]: { value: { type: "plain_text_input", value: values.title ?? null } },
  [RFP_BLOCKS.customer]: { value: { type: "plain_text_input", value: values.customer ?? null } },
  [RFP_BLOCKS.file]: {
    value: { type: "static_select", selected_option: values.fileId ? { text: { type: "plain_text", text: "x" }, value: values.fileId } : null },
  },
  [RFP_BLOCKS.text]: { value: { type: "plain_text_input", value: values.text ?? null } },
});

function submit(values: Parameters<typeof state>[0]): ReturnType<BotHarness["post"]> {
  return harness.post(
    viewSubmission(
      { callbackId: RFP_CALLBACK_ID, privateMetadata: JSON.stringify({ channelId: "C0DEALS" }), stateValues: state(values), userId: "U0ALICE" },
      SIGNING_SECRET,
    ),
  );
}

async function latestEphemeral(): Promise<string> {
  await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postEphemeral"));
  return JSON.stringify(harness.slack.callsOf("chat.postEphemeral").at(-1)?.args ?? {});
}

describe("/baton rfp", () => {
  it("opens the form with the channel's readable files to pick from", async () => {
    harness.slack.setFile("F0PDF", { name: "acme-rfp.pdf", mimetype: "application/pdf", content: minimalPdf([["x"]]) });
    harness.slack.setFile("F0XLS", { name: "prices.xlsx", mimetype: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: "PK" });
    const answer = await harness.post(
      slashCommand({ text: "rfp", userId: "U0ALICE", channelId: "C0DEALS", responseUrl: harness.responseUrl("rfp") }, SIGNING_SECRET),
    );
    expect(answer.status).toBe(200);
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "views.open"));
    const view = JSON.stringify(harness.slack.callsOf("views.open")[0]?.args["view"]);
    expect(view).toContain("acme-rfp.pdf");
    expect(view).not.toContain("prices.xlsx");
    expect(view).toContain(RFP_CALLBACK_ID);
  });

  it("pasted text starts the run at once and the person hears its id; text too short to be an RFP is explained", async () => {
    await submit({ title: "Platform RFP", customer: "Acme", text: "Too short to be an RFP." });
    expect(await latestEphemeral()).toContain("document: the RFP needs at least 200 characters of text");
    const text =
      "The vendor MUST provide 24/7 support and SOC 2 Type II reports. The platform shall run in two EU regions with automatic failover, and every change is required to go through infrastructure as code reviewed by the customer's platform team.";
    const answer = await submit({ title: "Platform RFP", customer: "Acme", text });
    expect(answer.status).toBe(200);
    await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "chat.postEphemeral").length >= 2);
    expect(await latestEphemeral()).toContain("Started *RFP response*");
    const [run] = await harness.bot.runtime.store.listRuns({ limit: 1 });
    expect(run).toMatchObject({
      chainId: "rfp-response",
      startedBy: "U0ALICE",
      input: { title: "Platform RFP", customer: "Acme", sourceName: "pasted text" },
      origin: { reference: { channel: "C0DEALS" } },
    });
  });

  it("a shared PDF is downloaded with the bot token and read page by page; once its summary is approved, the full response is uploaded to the run's thread", async () => {
    const pages = [
      ["1 Scope", "The platform MUST run in two regions of the European Union.", "Background about the customer and its twelve teams."],
      ["2 Security", "Vendors shall hold ISO 27001 and a SOC 2 Type II report.", "Pricing MUST be stated as monthly fees per component."],
    ];
    harness.slack.setFile("F0PDF", { name: "acme-rfp.pdf", mimetype: "application/pdf", content: minimalPdf(pages) });
    await submit({ title: "Platform RFP", customer: "Acme", fileId: "F0PDF" });
    expect(await latestEphemeral()).toContain("Started *RFP response*");
    expect(harness.slack.callsOf("download")[0]?.headers.authorization).toBe("Bearer xoxb-test-token");
    const [run] = await harness.bot.runtime.store.listRuns({ limit: 1 });
    expect((run?.input as { document: string }).document).toBe(pages.map((lines) => lines.join("\n")).join("\f"));
    const runId = run?.id ?? "";
    expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("awaiting_approval");
    const [approval] = await harness.bot.runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    // The approver clicks on the card in the thread, as a person would: once it is there.
    await harness.slack.waitFor((calls) =>
      calls.some((call) => call.method === "chat.postMessage" && JSON.stringify(call.args["blocks"] ?? []).includes(approval?.id ?? "?")),
    );
    await harness.clickCard({ actionId: "baton.approve", approvalId: approval?.id ?? "", userId: "U0LEAD", responseName: "approve" });
    // Complete once files.completeUploadExternal has put it in the channel.
    await harness.slack.waitFor(() => [...harness.slack.uploads.values()].some((upload) => upload.channel !== undefined), 10_000);
    const [upload] = [...harness.slack.uploads.values()];
    expect(upload).toMatchObject({
      filename: "platform-rfp-response.md",
      channel: "C0DEALS",
      threadTs: (await harness.bot.slack.projection.threadOf(runId))?.ts,
    });
    const document = upload?.content.toString("utf8") ?? "";
    expect(document).toContain("# Platform RFP: response for Acme");
    expect(document).toContain("two regions of the European Union");
    expect(document).toContain("| ISO 27001 | yes |");
  });

  it("a file of another type or over the limit is refused on its field, before anything is downloaded", async () => {
    harness.slack.setFile("F0DOC", { name: "rfp.docx", mimetype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", content: "PK" });
    const wrongType = await submit({ title: "T", customer: "C", fileId: "F0DOC" });
    expect(JSON.parse(wrongType.text)).toMatchObject({
      response_action: "errors",
      errors: { [RFP_BLOCKS.file]: expect.stringContaining("baton reads plain text, Markdown, PDF") },
    });
    harness.slack.setFile("F0BIG", { name: "huge.md", mimetype: "text/markdown", content: "x".repeat(1_200_000) });
    const tooLarge = await submit({ title: "T", customer: "C", fileId: "F0BIG" });
    expect(JSON.parse(tooLarge.text)).toMatchObject({ errors: { [RFP_BLOCKS.file]: expect.stringContaining("up to 1 MB") } });
    expect(harness.slack.callsOf("download")).toHaveLength(0);
    expect(await harness.bot.runtime.store.listRuns({ limit: 5 })).toEqual([]);
  });

  it("a PDF with no text, and a file that is not UTF-8, are explained in the channel and start nothing", async () => {
    harness.slack.setFile("F0SCAN", { name: "scan.pdf", mimetype: "application/pdf", content: minimalPdf([[]]) });
    await submit({ title: "T", customer: "C", fileId: "F0SCAN" });
    expect(await latestEphemeral()).toContain("DOCUMENT_EMPTY");
    harness.slack.setFile("F0BIN", { name: "rfp.txt", mimetype: "text/plain", content: Buffer.from([0xff, 0xfe, 0x00, 0xd8]) });
    await submit({ title: "T", customer: "C", fileId: "F0BIN" });
    await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "chat.postEphemeral").length >= 2);
    expect(await latestEphemeral()).toContain("is not UTF-8 text");
    expect(await harness.bot.runtime.store.listRuns({ limit: 5 })).toEqual([]);
  });

  it("a form with neither or both of text and file, or no title, shows what to fix on each field", async () => {
    const neither = JSON.parse((await submit({ customer: "C" })).text) as { errors: Record<string, string> };
    expect(neither.errors).toEqual({ [RFP_BLOCKS.title]: "Give the RFP a title.", [RFP_BLOCKS.text]: "Paste the RFP text, or pick its file above." });
    const both = JSON.parse((await submit({ title: "T", customer: "C", fileId: "F1", text: "some text here" })).text) as { errors: Record<string, string> };
    expect(both.errors).toEqual({ [RFP_BLOCKS.text]: "Pick a file or paste text, not both." });
  });
});
