/**
 * `/baton <text>` parsed into a command. Pure: the handlers do the work. Anything that is not a
 * command gets the help (with what was not understood), never an error.
 */
export type BatonCommand =
  | { kind: "help"; notUnderstood?: string }
  | { kind: "chains" }
  /** `text` is everything after the chain id: free text or JSON, possibly empty. */
  | { kind: "run"; chainId: string; text: string }
  | { kind: "status"; runId: string }
  | { kind: "runs"; scope: "mine" | "all" }
  | { kind: "pending" }
  | { kind: "cancel"; runId: string; reason: string }
  /** Continue a failed or expired run from the step that did not finish. */
  | { kind: "retry"; runId: string }
  /** A new run of a finished run's chain from `stepId`, the outputs before it copied. */
  | { kind: "rerun"; runId: string; stepId: string }
  | { kind: "review"; pullRequest: PullRequestRef; url: string }
  | { kind: "rfp" };

import { parsePullRequestUrl, type PullRequestRef } from "../core/pull-requests.js";

const RUN_ID = /^r_[A-Za-z0-9_-]+$/;

export function parseCommand(text: string): BatonCommand {
  const trimmed = text.trim();
  const [word = "", ...rest] = trimmed.split(/\s+/);
  const argument = trimmed.slice(word.length).trim();
  const first = rest[0] ?? "";
  switch (word.toLowerCase()) {
    case "":
    case "help":
      return { kind: "help" };
    case "chains":
      return { kind: "chains" };
    case "run":
      if (first === "") return { kind: "help", notUnderstood: "`run` needs a chain id: `/baton run <chain> [text or JSON]`." };
      return { kind: "run", chainId: first, text: argument.slice(first.length).trim() };
    case "status":
      if (!RUN_ID.test(first)) return { kind: "help", notUnderstood: "`status` needs a run id such as `r_01J...`: `/baton status <run-id>`." };
      return { kind: "status", runId: first };
    case "runs":
      if (first === "" || first === "mine") return { kind: "runs", scope: "mine" };
      if (first === "all") return { kind: "runs", scope: "all" };
      return { kind: "help", notUnderstood: "`runs` takes `mine` (the default) or `all`." };
    case "pending":
      return { kind: "pending" };
    case "cancel":
      if (!RUN_ID.test(first)) return { kind: "help", notUnderstood: "`cancel` needs a run id such as `r_01J...`: `/baton cancel <run-id> [reason]`." };
      return { kind: "cancel", runId: first, reason: argument.slice(first.length).trim() };
    case "retry":
      if (!RUN_ID.test(first)) return { kind: "help", notUnderstood: "`retry` needs a run id such as `r_01J...`: `/baton retry <run-id>`." };
      return { kind: "retry", runId: first };
    case "rerun": {
      // `--from` is optional, so the CLI's spelling (`baton rerun <run-id> --from <step>`) works here too.
      const [, ...afterRunId] = rest;
      const stepWords = afterRunId[0] === "--from" ? afterRunId.slice(1) : afterRunId;
      const stepId = stepWords[0] ?? "";
      if (!RUN_ID.test(first) || stepId === "" || stepWords.length > 1) {
        return {
          kind: "help",
          notUnderstood: "`rerun` needs a run id and one step: `/baton rerun <run-id> <step>` (`/baton status <run-id>` lists its steps).",
        };
      }
      return { kind: "rerun", runId: first, stepId };
    }
    case "rfp":
      return { kind: "rfp" };
    case "review": {
      // Slack wraps links in <…> (and <url|label>) in command text.
      const url = first.replace(/^<([^|>]+)(\|[^>]*)?>$/, "$1");
      const pullRequest = parsePullRequestUrl(url);
      if (!pullRequest)
        return {
          kind: "help",
          notUnderstood: "`review` needs a pull request URL such as https://github.com/acme/infra/pull/42: `/baton review <pull request URL>`.",
        };
      return { kind: "review", pullRequest, url };
    }
    default:
      return { kind: "help", notUnderstood: `\`${word.slice(0, 40)}\` is not a baton command.` };
  }
}
