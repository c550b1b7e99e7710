import type { Finding, ReviewDraft } from "./schemas.js";
import { blocks } from "./cross-check.js";

/**
 * The GitHub review, exactly as it will be posted: the verdict and summary, a findings table,
 * one comment per finding on a line that is part of the diff (GitHub refuses others), and the
 * findings with no such line in the body.
 */

const EMOJI: Record<Finding["severity"], string> = { critical: "🛑", high: "🔴", medium: "🟠", low: "🟡" };
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const reportedBy = (finding: Finding): string =>
  finding.reportedBy !== undefined && finding.reportedBy.length > 0 ? `\n\nReported by: ${finding.reportedBy.join(", ")}` : "";

/** A suppressed finding as the review lists it: what, where, and the reason it is accepted. */
export interface SuppressedView {
  ruleId: string;
  resourceAddress: string;
  note: string;
}

export function composeReview(input: {
  summary: string;
  findings: ReadonlyArray<Finding>;
  commentable: ReadonlyMap<string, ReadonlySet<number>>;
  runId: string;
  planSummary?: string;
  suppressed?: ReadonlyArray<SuppressedView>;
}): ReviewDraft {
  const onDiff = (finding: Finding): boolean =>
    finding.file !== null && finding.line !== null && (input.commentable.get(finding.file)?.has(finding.line) ?? false);
  const comments = input.findings.filter(onDiff).map((finding) => ({
    path: finding.file ?? "",
    line: finding.line ?? 1,
    body: `${EMOJI[finding.severity]} **${finding.severity}** ${finding.source === "rule" ? `\`${finding.ruleId ?? ""}\`` : "(model finding)"}: ${finding.message}\n\n**Fix:** ${finding.fix}${reportedBy(finding)}`,
  }));
  const table =
    input.findings.length === 0
      ? "No findings."
      : [
          "| severity | finding | resource | where | what to change |",
          "|---|---|---|---|---|",
          ...input.findings.map(
            (finding) =>
              `| ${EMOJI[finding.severity]} ${finding.severity} | ${finding.source === "rule" ? `\`${finding.ruleId ?? ""}\`` : "model"}: ${cell(finding.message)}${finding.reportedBy !== undefined && finding.reportedBy.length > 1 ? ` (${cell(finding.reportedBy.join(", "))})` : ""} | \`${cell(finding.resourceAddress)}\` | ${finding.file ? `${cell(finding.file)}${finding.line ? `:${String(finding.line)}` : ""}` : "plan"} | ${cell(finding.fix)} |`,
          ),
        ].join("\n");
  const request = blocks(input.findings);
  // Suppressed findings are listed with their reason, so the exception stays visible; they never block.
  const suppressed = input.suppressed ?? [];
  const suppressedList =
    suppressed.length === 0
      ? []
      : [
          "",
          `**Suppressed (${String(suppressed.length)})**`,
          ...suppressed.map((item) => `- \`${item.ruleId}\` on \`${cell(item.resourceAddress)}\`: ${cell(item.note)}`),
        ];
  const body = [
    `### IaC review: ${request ? "changes requested" : "comments"}`,
    "",
    // The plan summary first: what the change does, before what is wrong with it.
    ...(input.planSummary === undefined || input.planSummary === "" ? [] : ["```", input.planSummary, "```", ""]),
    input.summary,
    "",
    table,
    ...suppressedList,
    "",
    "<sub>Rule findings come from baton's deterministic policy pack (`.baton/iac-policies.json`); model findings are marked. A person approved this review before it was posted.</sub>",
  ].join("\n");
  return { event: request ? "REQUEST_CHANGES" : "COMMENT", body, comments };
}
