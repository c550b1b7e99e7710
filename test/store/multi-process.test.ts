import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openSqliteStore } from "../../src/store/index.js";
import { startRacingChild, type RacingChild } from "../support/racing-child.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { runAwaitingApproval } from "./chain-store-fixtures.js";

const CHILD = new URL("./racing-process.ts", import.meta.url);

const childResultSchema = z.object({ won: z.array(z.string()), finishedRuns: z.array(z.string()) });
type ChildResult = z.infer<typeof childResultSchema>;

/** One racing-process.ts child. */
function startRacer(databasePath: string, owner: string, approvalIds: ReadonlyArray<string>): RacingChild<ChildResult> {
  return startRacingChild(CHILD, [databasePath, owner, approvalIds.join(",")], childResultSchema);
}

let directory: { path: string; remove(): void };
beforeEach(() => {
  directory = makeTempDirectory("baton-race-");
});
afterEach(() => {
  directory.remove();
});

describe("two processes on one database file", () => {
  // Both write in tight loops, so one of them usually waits on the lock (SQLite's busy handler
  // backs off) and loses most races: the point is that nobody fails and nothing is decided twice.
  it("wait for each other instead of failing, and each approval is decided exactly once", async () => {
    const path = join(directory.path, "baton.db");
    const setup = openSqliteStore(path);
    const approvals: Array<{ runId: string; approvalId: string }> = [];
    for (let index = 0; index < 40; index++) {
      const { run, approval } = await runAwaitingApproval(setup, 1);
      approvals.push({ runId: run.id, approvalId: approval.id });
    }
    setup.close();

    const ids = approvals.map((item) => item.approvalId);
    // Opposite orders: the processes meet in the middle, where both want the same approvals.
    const racers = [startRacer(path, "process-a", ids), startRacer(path, "process-b", [...ids].reverse())];
    await Promise.all(racers.map((racer) => racer.ready));
    const startAt = Date.now() + 300;
    for (const racer of racers) racer.go(startAt);
    const [first, second] = await Promise.all(racers.map((racer) => racer.finished));

    const wonByBoth = (first?.won ?? []).filter((id) => second?.won.includes(id));
    expect(wonByBoth).toEqual([]);
    expect([...(first?.won ?? []), ...(second?.won ?? [])].sort()).toEqual([...ids].sort());

    const store = openSqliteStore(path);
    try {
      for (const { runId, approvalId } of approvals) {
        const approval = await store.getApproval(approvalId);
        expect(approval?.status).toBe("approved");
        const winner = first?.won.includes(approvalId) ? "process-a" : "process-b";
        expect(approval?.decidedBy).toBe(winner);
        expect(await store.getRun(runId)).toMatchObject({ status: "running", cursor: 2, leaseOwner: winner });
        const decisions = (await store.listEvents(runId)).filter((item) => item.type === "approval.decided");
        expect(decisions.map((item) => item.actor)).toEqual([winner]);
      }
      for (const runId of [...(first?.finishedRuns ?? []), ...(second?.finishedRuns ?? [])]) {
        expect((await store.getRun(runId))?.status).toBe("succeeded");
        expect(await store.getSteps(runId)).toHaveLength(3);
      }
    } finally {
      store.close();
    }
  });
});
