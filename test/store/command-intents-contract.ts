import { describe, expect, it } from "vitest";
import { type StateUnderTest, useState } from "./state-under-test.js";

/** The behaviour every `CommandIntentStore` owes the Slack adapter (src/core/command-intents.ts). */
export function describeCommandIntentsContract(name: string, makeState: () => Promise<StateUnderTest>): void {
  describe(`CommandIntentStore contract: ${name}`, () => {
    const context = useState(makeState);

    it("records intents with distinct ids and lists the open ones oldest first, payloads exactly, up to the limit", async () => {
      const { intents } = context.state;
      const review = { repository: "acme/infra", number: 7, files: ["main.tf"], draft: false, note: null };
      const rfp = { userId: "U0ALICE", source: { kind: "text", text: 'é ✓ \u0000 "quoted" \\ back' } };
      const second = await intents.recordIntent({ kind: "slack.rfp", payload: rfp, at: 2_000 });
      const first = await intents.recordIntent({ kind: "slack.review", payload: review, at: 1_000 });
      const third = await intents.recordIntent({ kind: "slack.review", payload: [], at: 2_000 });
      expect(new Set([first, second, third]).size).toBe(3);
      expect(first).toMatch(/^ci_/);

      const open = await intents.listOpenIntents(10);
      expect(open[0]).toEqual({ id: first, kind: "slack.review", payload: review, createdAt: 1_000 });
      expect(open.slice(1).map((intent) => intent.id)).toEqual([second, third].sort());
      expect(open.find((intent) => intent.id === second)?.payload).toEqual(rfp);
      expect(await intents.listOpenIntents(1)).toHaveLength(1);
    });

    it("a finished intent is no longer open; finishing it again, or an unknown one, changes nothing", async () => {
      const { intents } = context.state;
      const done = await intents.recordIntent({ kind: "slack.review", payload: { number: 1 }, at: 1_000 });
      const open = await intents.recordIntent({ kind: "slack.review", payload: { number: 2 }, at: 1_001 });
      await intents.finishIntent(done, 1_500);
      await intents.finishIntent(done, 1_600);
      await intents.finishIntent("ci_missing", 1_600);
      expect((await intents.listOpenIntents(10)).map((intent) => intent.id)).toEqual([open]);
      const other = await context.state.connectAgain();
      expect((await other.intents.listOpenIntents(10)).map((intent) => intent.id)).toEqual([open]);
    });

    it("keeps a large payload intact", async () => {
      const { intents } = context.state;
      const payload = { text: "RFP ".repeat(100_000), sections: Array.from({ length: 500 }, (_, index) => ({ index })) };
      const id = await intents.recordIntent({ kind: "slack.rfp", payload, at: 1_000 });
      expect(await intents.listOpenIntents(1)).toEqual([{ id, kind: "slack.rfp", payload, createdAt: 1_000 }]);
    });
  });
}
