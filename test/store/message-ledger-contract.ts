import { describe, expect, it } from "vitest";
import { type StateUnderTest, useState } from "./state-under-test.js";

/** The behaviour every `MessageLedger` owes the Slack adapter and the jobs (src/core/message-ledger.ts). */
export function describeMessageLedgerContract(name: string, makeState: () => Promise<StateUnderTest>): void {
  describe(`MessageLedger contract: ${name}`, () => {
    const context = useState(makeState);

    it("records a message, updates it in place, and lists a run's messages in order", async () => {
      const { ledger } = context.state;
      await ledger.recordMessage({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "a", at: 10 });
      await ledger.recordMessage({ key: "step:r_1:0:1", runId: "r_1", channel: "C1", ts: "1.001", contentHash: null, at: 11 });
      await ledger.recordMessage({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "b", at: 12 });
      const card = await ledger.getMessage("card:r_1");
      expect(card).toEqual({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "b", createdAt: 10, updatedAt: 12 });
      expect((await ledger.listMessagesOfRun("r_1")).map((message) => message.key)).toEqual(["card:r_1", "step:r_1:0:1"]);
      expect(await ledger.getMessage("card:r_2")).toBeUndefined();
      expect(await ledger.listMessagesOfRun("r_2")).toEqual([]);
    });

    it("lists messages posted at the same moment in key byte order, and keeps messages of no run out of every run", async () => {
      const { ledger } = context.state;
      for (const key of ["step:r_1:1:1", "Step:r_1:0:1", "approval:a_1", "step:r_1:0:1"]) {
        await ledger.recordMessage({ key, runId: "r_1", channel: "C1", ts: "2.000", contentHash: null, at: 20 });
      }
      await ledger.recordMessage({ key: "schedule:nightly:1", runId: null, channel: "C1", ts: "2.001", contentHash: null, at: 20 });
      expect((await ledger.listMessagesOfRun("r_1")).map((message) => message.key)).toEqual(["Step:r_1:0:1", "approval:a_1", "step:r_1:0:1", "step:r_1:1:1"]);
      expect((await ledger.getMessage("schedule:nightly:1"))?.runId).toBeNull();
    });

    it("a claim is won once, across two connections to the same storage, and survives reconnecting", async () => {
      const second = await context.state.connectAgain();
      const claim = { key: "reminder:a_1:1", runId: "r_1", channel: "C1", at: 5 };
      const results = await Promise.all([context.state.ledger.claimMessage(claim), second.ledger.claimMessage(claim)]);
      expect(results.sort()).toEqual([false, true]);
      const third = await context.state.connectAgain();
      expect(await third.ledger.claimMessage(claim)).toBe(false);
      expect(await third.ledger.getMessage(claim.key)).toEqual({
        key: claim.key,
        runId: "r_1",
        channel: "C1",
        ts: null,
        contentHash: null,
        createdAt: 5,
        updatedAt: 5,
      });
    });

    it("many claims of the same keys from two connections at once: each key is won exactly once", async () => {
      const second = await context.state.connectAgain();
      const keys = Array.from({ length: 40 }, (_, index) => `schedule:nightly:${String(index)}`);
      const won = await Promise.all(
        keys.flatMap((key) => [context.state.ledger, second.ledger].map((ledger) => ledger.claimMessage({ key, runId: null, channel: "C1", at: 7 }))),
      );
      expect(won.filter(Boolean)).toHaveLength(keys.length);
      for (let index = 0; index < keys.length; index++) expect([won[2 * index], won[2 * index + 1]].sort()).toEqual([false, true]);
    });

    it("a released claim (the post failed) can be claimed again; a posted one is not released", async () => {
      const { ledger } = context.state;
      const claim = { key: "reminder:a_1:2", runId: "r_1", channel: "C1", at: 5 };
      expect(await ledger.claimMessage(claim)).toBe(true);
      await ledger.releaseClaim(claim.key);
      expect(await ledger.getMessage(claim.key)).toBeUndefined();
      expect(await ledger.claimMessage(claim)).toBe(true);
      await ledger.recordMessage({ ...claim, ts: "9.9", contentHash: null, at: 6 });
      await ledger.releaseClaim(claim.key);
      expect((await ledger.getMessage(claim.key))?.ts).toBe("9.9");
      // Releasing a key never claimed changes nothing.
      await ledger.releaseClaim("reminder:never");
      expect(await ledger.getMessage("reminder:never")).toBeUndefined();
    });
  });
}
