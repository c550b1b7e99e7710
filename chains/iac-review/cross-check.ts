import { SEVERITY_ORDER, type Finding, type ModelReview, type Severity } from "./schemas.js";

/**
 * The cross-check: every rule finding is in the final findings at no lower severity than the
 * rule gave it — the model can add detail or raise a severity, never drop or lower one — and a
 * model finding that no rule made is kept, marked as the model's.
 */

export interface RuleFinding {
  ruleId: string;
  severity: Severity;
  resourceAddress: string;
  file?: string | undefined;
  line?: number | undefined;
  message: string;
  fix: string;
  /** The tools that report it ("baton AWS_SG_OPEN_INGRESS", "checkov CKV_AWS_24"); a scanner-only finding names only its scanner. */
  reportedBy?: string[] | undefined;
}

const rank = (severity: Severity): number => SEVERITY_ORDER.indexOf(severity);
const higher = (left: Severity, right: Severity): Severity => (rank(left) <= rank(right) ? left : right);

export function crossCheck(
  rules: ReadonlyArray<RuleFinding>,
  model: ModelReview,
  locate: (resourceAddress: string) => { file: string; line: number } | undefined,
): Finding[] {
  const findings: Finding[] = rules.map((rule) => {
    const opinions = model.findings.filter((finding) => finding.ruleId === rule.ruleId && finding.resourceAddress === rule.resourceAddress);
    const severity = opinions.reduce<Severity>((worst, opinion) => higher(worst, opinion.severity), rule.severity);
    const where = rule.file !== undefined && rule.line !== undefined ? { file: rule.file, line: rule.line } : locate(rule.resourceAddress);
    const detail = opinions.map((opinion) => opinion.message).find((message) => message !== rule.message);
    return {
      source: "rule",
      ruleId: rule.ruleId,
      severity,
      resourceAddress: rule.resourceAddress,
      file: where?.file ?? null,
      line: where?.line ?? null,
      // The model's view is kept, attributed: it may explain, never outrank the rule.
      message: detail ? `${rule.message} (Model: ${detail})` : rule.message,
      fix: rule.fix,
      ...(rule.reportedBy === undefined ? {} : { reportedBy: rule.reportedBy }),
    };
  });
  const ruleKeys = new Set(rules.map((rule) => `${rule.ruleId}\u0000${rule.resourceAddress}`));
  for (const finding of model.findings) {
    if (finding.ruleId !== null && ruleKeys.has(`${finding.ruleId}\u0000${finding.resourceAddress}`)) continue;
    const where = locate(finding.resourceAddress);
    findings.push({
      source: "model",
      ruleId: null,
      severity: finding.severity,
      resourceAddress: finding.resourceAddress,
      file: where?.file ?? null,
      line: where?.line ?? null,
      message: finding.message,
      fix: finding.fix,
    });
  }
  return findings.sort((left, right) => rank(left.severity) - rank(right.severity) || left.resourceAddress.localeCompare(right.resourceAddress));
}

/** A high or critical finding stands: the review requests changes. */
export function blocks(findings: ReadonlyArray<Finding>): boolean {
  return findings.some((finding) => finding.severity === "critical" || finding.severity === "high");
}
