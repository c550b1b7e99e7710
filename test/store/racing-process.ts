/**
 * A child process for multi-process.test.ts (not a test itself): one baton process on a shared
 * database file. It prints `ready`, waits for `go <epoch ms>` on stdin and sleeps until that
 * moment, so that every process starts within a millisecond or so of the others, then (1) tries to approve every approval id it was given, racing the other processes
 * for them, and (2) runs chains of its own to keep the write lock contended. It prints one JSON
 * line with the approvals it won and the runs it finished.
 *
 *   node --import tsx test/store/racing-process.ts <database path> <owner> <approval ids, comma-separated>
 */
import { waitForGo } from "../support/racing-child.js";
import { openSqliteStore } from "../../src/store/index.js";
import { event, newRun, START, step, stepCommit } from "./chain-store-fixtures.js";

const [databasePath, owner, approvalList] = process.argv.slice(2);
if (databasePath === undefined || owner === undefined || approvalList === undefined) {
  throw new Error("usage: racing-process.ts <database path> <owner> <approval ids, comma-separated>");
}
const approvalIds = approvalList.split(",").filter((id) => id !== "");

const store = openSqliteStore(databasePath);
await waitForGo();

const won: string[] = [];
const finishedRuns: string[] = [];
for (const [index, approvalId] of approvalIds.entries()) {
  const current = await store.getApproval(approvalId);
  if (current === undefined) throw new Error(`approval ${approvalId} is missing`);
  const outcome = await store.decideApproval({
    approvalId,
    status: "approved",
    decidedBy: owner,
    at: START + 10_000,
    editedOutput: null,
    comment: null,
    step: step(current.runId, current.stepIndex, { output: { approvedBy: owner } }),
    runStatus: "running",
    leaseOwner: owner,
    leaseExpiresAt: START + 70_000,
    events: [event(current.runId, "approval.decided", { actor: owner })],
  });
  if (outcome.applied) won.push(approvalId);

  // A chain of this process's own between decisions: more writers on the lock.
  const run = newRun({ id: `r_${owner}_${String(index).padStart(4, "0")}`, leaseOwner: owner, stepCount: 3 });
  await store.createRun(run, [event(run.id, "run.started")]);
  for (let cursor = 0; cursor < 3; cursor++) {
    const commit = stepCommit(run.id, cursor, { guard: { runId: run.id, owner, cursor }, nextStatus: cursor === 2 ? "succeeded" : "running" });
    if (!(await store.commitStep(commit))) throw new Error(`commit ${String(cursor)} of ${run.id} did not apply`);
  }
  finishedRuns.push(run.id);
}
store.close();
console.log(JSON.stringify({ won, finishedRuns }));
