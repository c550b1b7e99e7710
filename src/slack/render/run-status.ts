import type { RunRecord, RunStatus } from "../../core/ports.js";
import { escapeMrkdwn } from "./mrkdwn.js";

/** A run's status in words, with its emoji, the same on every card and list. */
export const STATUS_LABELS: Record<RunStatus, string> = {
  running: ":hourglass_flowing_sand: Running",
  awaiting_approval: ":raised_hand: Awaiting approval",
  succeeded: ":white_check_mark: Succeeded",
  failed: ":x: Failed",
  rejected: ":no_entry: Rejected",
  cancelled: ":no_entry_sign: Cancelled",
  expired: ":hourglass: Expired",
};

/** The status in plain words, for `text` fallbacks: "awaiting approval". */
export function statusWords(status: RunStatus): string {
  return status.replace(/_/g, " ");
}

/** The status line of a run: a failure says its code and message (escaped: it may quote model output). */
export function outcomeOf(run: RunRecord): string {
  switch (run.status) {
    case "failed":
      return run.error ? `${STATUS_LABELS.failed} — \`${escapeMrkdwn(run.error.code)}\`: ${escapeMrkdwn(run.error.message)}` : STATUS_LABELS.failed;
    case "expired":
      return `${STATUS_LABELS.expired} — nobody decided before the deadline; nothing was approved`;
    case "rejected":
      return `${STATUS_LABELS.rejected} — the run stopped at the approval`;
    default:
      return STATUS_LABELS[run.status];
  }
}
