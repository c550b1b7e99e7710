import type { RunRecord, RunStatus } from "../../core/ports.js";
import { redactSecrets } from "../../core/redact-secrets.js";
import { escapeMrkdwn, md, type Mrkdwn } from "./mrkdwn.js";

/** A run's status in words, with its emoji, the same on every card and list. */
export const STATUS_LABELS: Record<RunStatus, Mrkdwn> = {
  running: md`:hourglass_flowing_sand: Running`,
  awaiting_approval: md`:raised_hand: Awaiting approval`,
  succeeded: md`:white_check_mark: Succeeded`,
  failed: md`:x: Failed`,
  rejected: md`:no_entry: Rejected`,
  cancelled: md`:no_entry_sign: Cancelled`,
  expired: md`:hourglass: Expired`,
};

/** The status in plain words, for `text` fallbacks: "awaiting approval". */
export function statusWords(status: RunStatus): string {
  return status.replace(/_/g, " ");
}

/** The status line of a run: a failure says its code and message (escaped: it may quote model output). */
export function outcomeOf(run: RunRecord): Mrkdwn {
  switch (run.status) {
    case "failed":
      return run.error
        ? md`${STATUS_LABELS.failed} — \`${escapeMrkdwn(run.error.code)}\`: ${escapeMrkdwn(redactSecrets(run.error.message))}`
        : STATUS_LABELS.failed;
    case "expired":
      return md`${STATUS_LABELS.expired} — nobody decided before the deadline; nothing was approved`;
    case "rejected":
      return md`${STATUS_LABELS.rejected} — the run stopped at the approval`;
    default:
      return STATUS_LABELS[run.status];
  }
}
