import { z } from "../../src/chain-api.js";

/**
 * What the IaC review works on: a Terraform plan (`terraform show -json`), a diff of `.tf`
 * files, or a pull request (its Terraform files are fetched at its head).
 */
export const ReviewTarget = z.object({
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be "owner/name"'),
  number: z.number().int().positive(),
  headSha: z.string().optional(),
  url: z.string().optional(),
  title: z.string().optional(),
});

export const IacReviewInput = z
  .object({
    source: z.enum(["pull_request", "plan", "diff"]),
    pullRequest: ReviewTarget.optional(),
    plan: z.unknown().optional(),
    diff: z.string().optional(),
    /** Checkov (`-o json`) or Trivy (`config --format json`) reports, merged with the rules' findings. */
    scannerResults: z.array(z.unknown()).optional(),
    /** `infracost diff --format json`: the monthly change in the summary. */
    infracost: z.unknown().optional(),
  })
  .superRefine((input, context) => {
    if (input.source === "plan" && input.plan === undefined)
      context.addIssue({ code: "custom", path: ["plan"], message: "a plan review needs the plan (terraform show -json output)" });
    if (input.source === "diff" && !input.diff) context.addIssue({ code: "custom", path: ["diff"], message: "a diff review needs the diff" });
    if (input.source === "pull_request" && !input.pullRequest)
      context.addIssue({ code: "custom", path: ["pullRequest"], message: "a pull request review needs the pull request" });
  });
export type IacReviewInput = z.infer<typeof IacReviewInput>;

export const Severity = z.enum(["critical", "high", "medium", "low"]);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_ORDER: ReadonlyArray<Severity> = ["critical", "high", "medium", "low"];

/** A finding in the final review: from a rule (deterministic) or from the model only. */
export const Finding = z.object({
  source: z.enum(["rule", "model"]),
  ruleId: z.string().nullable(),
  severity: Severity,
  resourceAddress: z.string(),
  file: z.string().nullable(),
  line: z.number().int().positive().nullable(),
  message: z.string(),
  fix: z.string(),
  /** Who reports it besides the model: "baton AWS_SG_OPEN_INGRESS", "checkov CKV_AWS_24". */
  reportedBy: z.array(z.string()).optional(),
});
export type Finding = z.infer<typeof Finding>;

/** What the model adds: judgement on the change beyond the rules, and its view of the rule findings. */
export const ModelReview = z.object({
  findings: z.array(
    z.object({
      resourceAddress: z.string().describe("a resource address from the change, exactly"),
      severity: Severity,
      ruleId: z.string().nullable().describe("the rule finding this is about, or null for a new finding"),
      message: z.string().min(5),
      fix: z.string().min(3),
    }),
  ),
});
export type ModelReview = z.infer<typeof ModelReview>;

export const ReviewSummary = z.object({
  verdict: z.enum(["approve", "comment", "request_changes"]),
  summary: z.string().min(10).describe("what the change does and what must change before it merges; at most ~200 words"),
});

/** Exactly what will be posted, as the approver sees and may edit it. */
export const ReviewDraft = z.object({
  event: z.enum(["COMMENT", "REQUEST_CHANGES"]),
  body: z.string().min(1).max(60_000),
  comments: z.array(z.object({ path: z.string(), line: z.number().int().positive(), body: z.string().min(1) })),
});
export type ReviewDraft = z.infer<typeof ReviewDraft>;
