import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resumeIntents, RFP_INTENT } from "../../src/slack/command-intents.js";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";

/**
 * What a process that died after acknowledging `/baton review` or the RFP form leaves behind:
 * open command intents. The next process does their work and tells each person in the channel;
 * an intent it cannot read is closed and logged, never retried forever. The whole bot in this
 * process, on a real SQLite file, against the fake Slack.
 */

const RFP_TEXT =
  "The vendor MUST provide 24/7 support and SOC 2 Type II reports. The platform shall run in two EU regions with automatic failover, and every change is required to go through infrastructure as code reviewed by the customer's platform team.";

let harness: BotHarness;
beforeEach(async () => {
  harness = await startBotHarness({ environment: { BATON_CHAINS_DIR: join(import.meta.dirname, "..", "..", "chains"), BATON_APPROVERS: "U0LEAD" } });
});
afterEach(async () => {
  await harness.close();
});

describe("command intents left open by a stopped process", () => {
  it("an RFP is started and its person told; an unknown or unreadable intent is closed without a message", async () => {
    const { intents, store } = harness.bot.runtime;
    await intents.recordIntent({
      kind: RFP_INTENT,
      payload: { userId: "U0ALICE", channelId: "C0DEALS", title: "Platform RFP", customer: "Acme", source: { kind: "text", text: RFP_TEXT } },
      at: Date.now(),
    });
    await intents.recordIntent({ kind: "slack.unknown", payload: {}, at: Date.now() });
    await intents.recordIntent({ kind: RFP_INTENT, payload: { userId: "U0ALICE" }, at: Date.now() });

    const resumed = await resumeIntents(harness.bot.slack.services, harness.bot.slack.client);
    expect(resumed).toHaveLength(1);
    const [run] = await store.listRuns({ chainId: "rfp-response", limit: 5 });
    expect(run).toMatchObject({
      startedBy: "U0ALICE",
      input: { title: "Platform RFP", customer: "Acme", sourceName: "pasted text" },
      origin: { reference: { channel: "C0DEALS" } },
    });
    const told = harness.slack.callsOf("chat.postEphemeral");
    expect(told).toHaveLength(1);
    expect(told[0]?.args).toMatchObject({ channel: "C0DEALS", user: "U0ALICE" });
    expect(String(told[0]?.args["text"])).toContain(run?.id ?? "-");
    expect(await intents.listOpenIntents(10)).toEqual([]);
    // Nothing is done twice.
    expect(await resumeIntents(harness.bot.slack.services, harness.bot.slack.client)).toEqual([]);
    expect(await store.listRuns({ chainId: "rfp-response", limit: 5 })).toHaveLength(1);
  });

  it("an intent whose work fails is answered with the error and what to do, and closed", async () => {
    const { intents } = harness.bot.runtime;
    await intents.recordIntent({
      kind: RFP_INTENT,
      payload: { userId: "U0ALICE", channelId: "C0DEALS", title: "Platform RFP", customer: "Acme", source: { kind: "text", text: "Too short to be an RFP." } },
      at: Date.now(),
    });
    await resumeIntents(harness.bot.slack.services, harness.bot.slack.client);
    const [told] = harness.slack.callsOf("chat.postEphemeral");
    expect(JSON.stringify(told?.args)).toContain("the RFP needs at least 200 characters of text");
    expect(await intents.listOpenIntents(10)).toEqual([]);
    expect(await harness.bot.runtime.store.listRuns({ limit: 5 })).toEqual([]);
  });
});
