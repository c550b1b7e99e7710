import type { PoolClient } from "pg";
import { z } from "zod";
import type { DecisionCommit, DecisionOutcome } from "../core/ports.js";
import { approvalNotFound } from "./postgres-errors.js";
import { STATEMENTS } from "./postgres-statements.js";
import { insertEvents, nullableJsonText, stepValues } from "./record-values.js";
import { parseRow, toApprovalRecord } from "./row-codecs.js";
import { queryCount, queryRows } from "./transactions.js";

const approvalRunSchema = z.object({ run_id: z.string() });
const runStatusRowSchema = z.object({ status: z.string() });

/**
 * A decision, in the caller's transaction: the compare-and-set `pending` → the decision on the
 * approval, applied to its run (which must be `awaiting_approval`), its step row and its events,
 * all or nothing. The run's row is locked first, as every write path does, and an approval's
 * status only ever changes under its run's lock (here, and in finishRun), so the two checks and
 * the updates see one state. Of two deciders the second waits for the lock, then finds the
 * approval decided and returns it as the first left it.
 *
 * The outcome is the plain one (`applied`, `approval`): the runner reads the run itself.
 */
export async function writeDecision(client: PoolClient, decision: DecisionCommit): Promise<DecisionOutcome> {
  const [found] = await queryRows(client, STATEMENTS.selectApprovalRun, [decision.approvalId]);
  if (found === undefined) throw approvalNotFound(decision.approvalId);
  const { run_id: runId } = parseRow(approvalRunSchema, found, "approvals");
  const [runRow] = await queryRows(client, STATEMENTS.lockRun, [runId]);
  const runStatus = runRow === undefined ? undefined : parseRow(runStatusRowSchema, runRow, "runs").status;

  const decidedRows =
    runStatus === "awaiting_approval"
      ? await queryRows(client, STATEMENTS.decideApproval, [
          decision.approvalId,
          decision.status,
          decision.at,
          decision.decidedBy,
          nullableJsonText(decision.editedOutput),
          decision.comment,
        ])
      : [];
  const [decidedRow] = decidedRows;
  if (decidedRow === undefined) {
    const [currentRow] = await queryRows(client, STATEMENTS.selectApproval, [decision.approvalId]);
    if (currentRow === undefined) throw approvalNotFound(decision.approvalId);
    return { applied: false, approval: toApprovalRecord(currentRow) };
  }
  const approval = toApprovalRecord(decidedRow);

  const finished = decision.runStatus === "succeeded" || decision.runStatus === "rejected";
  // Past the decided step when it is written; at it otherwise (a change request runs it again).
  const cursor = decision.step === null ? approval.stepIndex : decision.step.stepIndex + 1;
  const resumed = await queryCount(client, STATEMENTS.resumeRun, [
    runId,
    decision.runStatus,
    cursor,
    decision.at,
    finished ? decision.at : null,
    decision.leaseOwner,
    decision.leaseExpiresAt,
  ]);
  // Cannot happen: the run is locked and was awaiting approval. Throwing rolls everything back.
  if (resumed === 0) throw new Error(`run ${runId} of approval ${decision.approvalId} changed inside its decision's transaction`);
  if (decision.step !== null) await queryCount(client, STATEMENTS.upsertStep, stepValues({ ...decision.step, runId }));
  await insertEvents(client, decision.events);
  return { applied: true, approval };
}
