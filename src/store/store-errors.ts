import { BatonError } from "../core/errors.js";
import { KEYS_PER_RUN } from "./migrations.js";

/** The errors the store raises on purpose (opening errors live in open-database.ts). */

export function approvalNotFound(approvalId: string): BatonError {
  return new BatonError(
    "APPROVAL_NOT_FOUND",
    `There is no approval ${approvalId} in this database. Check the approval id (it may belong to another ` +
      `baton database, or the button is from an old message).`,
    { approvalId },
  );
}

export function eventOfUnknownRun(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_FOUND",
    `Cannot record an audit event for run ${runId}: there is no such run in this database. ` +
      `Events can only be appended to runs created with createRun; check the run id.`,
    { runId },
  );
}

export function auditLogFull(runId: string): BatonError {
  return new BatonError(
    "RUN_NOT_ACTIVE",
    `Run ${runId} has ${String(KEYS_PER_RUN - 1)} audit events, the most one run can keep; nothing more is recorded ` +
      `for it. A run this long is looping: cancel it (baton cancel ${runId}) and check the chain's retry settings.`,
    { runId },
  );
}
