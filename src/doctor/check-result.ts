/**
 * What one `baton doctor` check found. `fail` (✗) means baton will not work as configured and
 * makes the command exit 1; `warn` (!) is something to know that does not stop baton (a part that
 * is not configured, a check that was skipped); `pass` (✓) is checked and fine.
 */

export type CheckStatus = "pass" | "warn" | "fail";

/** The areas the checks cover, in the order they are printed. */
export type CheckArea = "config" | "database" | "model" | "slack" | "github" | "webhooks";

export interface CheckResult {
  area: CheckArea;
  status: CheckStatus;
  /** What was checked, in a few words: "Slack channel C0OPS (BATON_SLACK_CHANNEL)". */
  checked: string;
  /** What was found: "exists; baton is a member". */
  detail: string;
  /** For `fail` and `warn`: what to do about it. */
  fix?: string;
}

export function passed(area: CheckArea, checked: string, detail: string): CheckResult {
  return { area, status: "pass", checked, detail };
}

export function failed(area: CheckArea, checked: string, detail: string, fix: string): CheckResult {
  return { area, status: "fail", checked, detail, fix };
}

export function warned(area: CheckArea, checked: string, detail: string, fix?: string): CheckResult {
  return { area, status: "warn", checked, detail, ...(fix === undefined ? {} : { fix }) };
}

/** True when any check failed: the command exits 1. */
export function anyFailed(results: ReadonlyArray<CheckResult>): boolean {
  return results.some((result) => result.status === "fail");
}
