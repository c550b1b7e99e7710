import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { makeTempDirectory } from "../support/temp-directory.js";

describe("SqliteMessageLedger on a real file", () => {
  const temp = makeTempDirectory();
  const opened: SqliteState[] = [];
  const open = (): SqliteState => {
    const state = openSqliteState(join(temp.path, "baton.db"));
    opened.push(state);
    return state;
  };
  afterEach(() => {
    for (const state of opened.splice(0)) state.close();
  });
  afterAll(() => temp.remove());

  it("records a message, updates it in place, and lists a run's messages in order", async () => {
    const { ledger } = open();
    await ledger.recordMessage({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "a", at: 10 });
    await ledger.recordMessage({ key: "step:r_1:0:1", runId: "r_1", channel: "C1", ts: "1.001", contentHash: null, at: 11 });
    await ledger.recordMessage({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "b", at: 12 });
    const card = await ledger.getMessage("card:r_1");
    expect(card).toEqual({ key: "card:r_1", runId: "r_1", channel: "C1", ts: "1.000", contentHash: "b", createdAt: 10, updatedAt: 12 });
    expect((await ledger.listMessagesOfRun("r_1")).map((message) => message.key)).toEqual(["card:r_1", "step:r_1:0:1"]);
    expect(await ledger.getMessage("card:r_2")).toBeUndefined();
  });

  it("a claim is won once, across two connections to the same file, and survives reopening", async () => {
    const first = open();
    const second = open();
    const claim = { key: "reminder:a_1:1", runId: "r_1", channel: "C1", at: 5 };
    const results = await Promise.all([first.ledger.claimMessage(claim), second.ledger.claimMessage(claim)]);
    expect(results.sort()).toEqual([false, true]);
    const reopened = open();
    expect(await reopened.ledger.claimMessage(claim)).toBe(false);
    expect((await reopened.ledger.getMessage(claim.key))?.ts).toBeNull();
  });

  it("a released claim (the post failed) can be claimed again; a posted one is not released", async () => {
    const { ledger } = open();
    const claim = { key: "reminder:a_1:2", runId: "r_1", channel: "C1", at: 5 };
    expect(await ledger.claimMessage(claim)).toBe(true);
    await ledger.releaseClaim(claim.key);
    expect(await ledger.claimMessage(claim)).toBe(true);
    await ledger.recordMessage({ ...claim, ts: "9.9", contentHash: null, at: 6 });
    await ledger.releaseClaim(claim.key);
    expect((await ledger.getMessage(claim.key))?.ts).toBe("9.9");
  });
});
