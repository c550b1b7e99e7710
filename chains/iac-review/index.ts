import {
  assessChange,
  commentableLines,
  coverageScore,
  defineChain,
  describeSuppression,
  parseInfracost,
  parsePolicyFile,
  parseScannerResults,
  todayOf,
  unifiedDiffOf,
  wordLimitScore,
  type ResourceChange,
} from "../../src/chain-api.js";
import { crossCheck, type RuleFinding } from "./cross-check.js";
import { postReview } from "./post-review.js";
import { reviewPrompt, summaryPrompt, type ChangeView } from "./prompts.js";
import { composeReview } from "./review-draft.js";
import { IacReviewInput, ModelReview, ReviewDraft, ReviewSummary } from "./schemas.js";

/**
 * iac-review: a Terraform change (a plan, a diff, or a pull request's Terraform files) is
 * extracted deterministically, checked by baton's policy rules, reviewed by the model for what
 * rules cannot see, cross-checked (no rule finding dropped or downgraded), summarised, and —
 * after a person approves exactly what will be posted — posted to the pull request as one
 * review. A head that moved meanwhile gets a fresh review instead of a stale one.
 */

const POLICY_FILE = ".baton/iac-policies.json";

export default defineChain({
  id: "iac-review",
  title: "IaC review",
  description: "Terraform change → changes and policy findings (deterministic) → model review → cross-check → summary → review to post (approval) → GitHub",
  input: IacReviewInput,
  approvalDeadline: "2d",
  inputFromText: (text, _source) => {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === "object" && json !== null && "source" in json) return json;
      return { source: "plan", plan: json };
    } catch {
      return { source: "diff", diff: text };
    }
  },
})
  .action("fetch", {
    description: "Fetch the pull request's Terraform files and policy file at its head",
    run: async ({ input }, services) => {
      const host = services.resources.pullRequests;
      if (!input.pullRequest || (!host && input.source !== "pull_request"))
        return { diff: input.diff ?? null, policyText: null, headSha: input.pullRequest?.headSha ?? null };
      if (!host) throw new Error("baton has no GitHub access: set GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise) to review pull requests");
      const ref = { repository: input.pullRequest.repository, number: input.pullRequest.number };
      const headSha = input.pullRequest.headSha ?? (await host.get(ref)).headSha;
      // A plan's review is posted on the pull request too: its diff says which lines can carry comments.
      const files = await host.listFiles(ref);
      const policyText = (await host.readFile(ref, POLICY_FILE, headSha)) ?? null;
      return { diff: unifiedDiffOf(files.filter((file) => /\.tf$/.test(file.path))), policyText, headSha };
    },
  })
  .action("policies", {
    description: "Extract the resource changes, run the policy rules, merge the scanners' findings, apply suppressions",
    run: async ({ input, outputs }) => {
      const policy = parsePolicyFile(outputs.fetch.policyText);
      const scanners = (input.scannerResults ?? []).flatMap((report, index) => parseScannerResults(report, `scannerResults[${String(index)}]`));
      const cost = input.infracost === undefined ? undefined : parseInfracost(input.infracost, "infracost");
      const assessment = assessChange({
        change: input.source === "plan" ? { kind: "plan", json: input.plan } : { kind: "diff", text: outputs.fetch.diff ?? "" },
        policy,
        today: todayOf(Date.now()),
        scanners,
        ...(cost === undefined ? {} : { cost }),
      });
      // Only the findings that count go on to the model and the cross-check; suppressed ones are listed apart.
      const findings: RuleFinding[] = assessment.active.map((finding) => ({
        ruleId: finding.ruleId,
        severity: finding.severity,
        resourceAddress: finding.resourceAddress,
        file: finding.file,
        line: finding.line,
        message: finding.suppression?.expired === true ? `${finding.message} (${describeSuppression(finding) ?? ""})` : finding.message,
        fix: finding.fix,
        // Named only when a scanner reports it: "baton X" alone says nothing the rule id does not.
        ...(finding.reportedBy?.some((reporter) => reporter.tool !== "baton") === true
          ? { reportedBy: finding.reportedBy.map((reporter) => `${reporter.tool} ${reporter.checkId}`) }
          : {}),
      }));
      const suppressed = assessment.suppressed.map((finding) => ({
        ruleId: finding.ruleId,
        resourceAddress: finding.resourceAddress,
        note: describeSuppression(finding) ?? "",
      }));
      return { changes: assessment.changes.map(viewOf), findings, suppressed, planSummary: assessment.summaryText };
    },
  })
  .llm("review", {
    description: "The model reviews what rules cannot see",
    system: reviewPrompt.system,
    user: ({ outputs }, budget) => reviewPrompt.user(outputs.policies.changes, outputs.policies.findings, budget, outputs.policies.planSummary),
    output: ModelReview,
    check: (answer, { outputs }) => {
      const addresses = new Set(outputs.policies.changes.map((change) => change.address));
      return answer.findings.flatMap((finding, index) =>
        addresses.has(finding.resourceAddress)
          ? []
          : [
              {
                path: `findings.${String(index)}.resourceAddress`,
                message: `"${finding.resourceAddress}" is not a resource in this change; use one of: ${[...addresses].slice(0, 20).join(", ")}`,
              },
            ],
      );
    },
    temperature: 0.1,
    scorers: [
      {
        name: "rule-findings-kept",
        score: (answer, { outputs }) =>
          coverageScore(
            outputs.policies.findings.map((finding) => `${finding.ruleId} ${finding.resourceAddress}`),
            new Set(answer.findings.map((finding) => `${finding.ruleId ?? ""} ${finding.resourceAddress}`)),
            "rule findings left out",
          ),
      },
      {
        name: "resources-exist",
        score: (answer, { outputs }) => {
          const addresses = new Set(outputs.policies.changes.map((change) => change.address));
          return coverageScore(
            answer.findings.map((finding) => finding.resourceAddress),
            addresses,
            "resources named that are not in the change",
          );
        },
      },
    ],
  })
  .action("cross-check", {
    description: "Every rule finding kept at its severity or above; model-only findings marked",
    run: async ({ outputs }) => {
      const where = new Map(
        outputs.policies.changes.flatMap((change) =>
          change.file !== null && change.line !== null ? [[change.address, { file: change.file, line: change.line }] as const] : [],
        ),
      );
      // A plan knows no lines: find the resource's block in the pull request's diff instead.
      const headers = resourceHeaders(outputs.fetch.diff ?? "");
      return { findings: crossCheck(outputs.policies.findings, outputs.review, (address) => where.get(address) ?? headers.get(address)) };
    },
  })
  .llm("summary", {
    description: "Verdict and a summary of at most ~200 words",
    system: summaryPrompt.system,
    user: ({ outputs }, budget) => summaryPrompt.user(outputs.policies.changes, outputs["cross-check"].findings, budget, outputs.policies.planSummary),
    output: ReviewSummary,
    check: (answer) => {
      const words = answer.summary.split(/\s+/).filter((word) => word !== "").length;
      return words <= 220 ? [] : [{ path: "summary", message: `has ${String(words)} words; keep it to 200` }];
    },
    temperature: 0.2,
    scorers: [{ name: "word-limit", score: (answer) => wordLimitScore(answer.summary, 200) }],
  })
  .action("review-draft", {
    description: "The review exactly as it will be posted",
    output: ReviewDraft,
    run: async ({ outputs, run }) =>
      composeReview({
        summary: outputs.summary.summary,
        findings: outputs["cross-check"].findings,
        commentable: commentableLines(outputs.fetch.diff ?? ""),
        runId: run.id,
        planSummary: outputs.policies.planSummary,
        suppressed: outputs.policies.suppressed,
      }),
    approval: { title: "Post this review to the pull request?" },
  })
  .action("post", {
    description: "Post the approved review to GitHub (once), and the summary to the thread",
    run: async ({ input, outputs, run }, services) => {
      const target = input.pullRequest
        ? { repository: input.pullRequest.repository, number: input.pullRequest.number, headSha: outputs.fetch.headSha ?? input.pullRequest.headSha }
        : undefined;
      const outcome = await postReview(services, run.id, target, outputs["review-draft"]);
      await services.notifier.notify({
        runId: run.id,
        stepId: "post",
        idempotencyKey: services.idempotencyKey,
        title: outcome.posted
          ? `Review posted: ${outputs["review-draft"].event === "REQUEST_CHANGES" ? "changes requested" : "comments"}`
          : "Review not posted",
        text: outcome.posted ? `${outputs.summary.summary}\n\n${outcome.url}` : `${outputs.summary.summary}\n\nNot posted: ${outcome.reason}.`,
      });
      return outcome;
    },
  })
  .build();

/** `resource "type" "name" {` lines added or shown in a diff, by address, with their new-file line. */
function resourceHeaders(diff: string): Map<string, { file: string; line: number }> {
  const headers = new Map<string, { file: string; line: number }>();
  let file = "";
  let next = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ")) file = line.slice(4).replace(/^b\//, "");
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (line.startsWith("-") || line.startsWith("+++") || line.startsWith("---")) continue;
    const header = /^[+ ]\s*resource\s+"([^"]+)"\s+"([^"]+)"/.exec(line);
    if (header) headers.set(`${header[1] as string}.${header[2] as string}`, { file, line: next });
    if (line.startsWith("+") || line.startsWith(" ")) next += 1;
  }
  return headers;
}

function viewOf(change: ResourceChange): ChangeView & { file: string | null; line: number | null } {
  return {
    address: change.address,
    type: change.type,
    actions: change.actions,
    where: change.source.kind === "diff" ? `${change.source.file}:${String(change.source.line)}` : "plan",
    attributes: JSON.stringify(change.after ?? change.before ?? {}).slice(0, 1_500),
    file: change.source.kind === "diff" ? change.source.file : null,
    line: change.source.kind === "diff" ? change.source.line : null,
  };
}
