import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";

/** A notification with a document: the message in the run's thread, the file uploaded there once (files.uploadV2). */

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

it("uploads the attached document into the run's thread, once, even when the step repeats", async () => {
  harness = await startBotHarness({ environment: { BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "upload-chains") } });
  const bot = harness;
  const { runId } = await bot.bot.runtime.runner.start("report", { topic: "capacity" }, { startedBy: "U0ALICE" });
  expect((await bot.bot.runtime.runner.settled(runId)).status).toBe("succeeded");
  await bot.bot.slack.projection.idle();
  const uploads = [...bot.slack.uploads.values()];
  expect(uploads).toHaveLength(1);
  const [upload] = uploads;
  expect(upload).toMatchObject({ filename: "report.md", title: "Report: capacity", channel: "C0REPORTS" });
  expect(upload?.content.toString("utf8")).toContain("# capacity");
  // Under the message it goes with (in the run's thread once the card exists; here the run
  // finished before its card was posted, so under the message itself).
  const message = await bot.bot.runtime.ledger.getMessage(`notify:${runId}:deliver`);
  const thread = await bot.bot.slack.projection.threadOf(runId);
  expect([message?.ts, thread?.ts]).toContain(upload?.threadTs);
  // The same notification again (a repeated step): the ledger finds the upload.
  await bot.bot.slack.projection.uploadOnce(`file:${runId}:deliver`, runId, "C0REPORTS", { filename: "report.md", title: "x", content: "y" });
  expect(bot.slack.uploads.size).toBe(1);
});
