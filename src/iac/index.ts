import { diffChanges } from "./diff-changes.js";
import { planChanges } from "./plan-changes.js";
import { runRules, type Finding } from "./policy.js";
import type { PolicyConfig } from "./policy-config.js";
import type { ResourceChange } from "./resource-change.js";

/**
 * The IaC review's deterministic half: the resource changes of a plan or a diff, and what the
 * policy rules find in them. The chain, `baton iac check` and CI all call this.
 */

export type ReviewInput = { kind: "plan"; json: unknown } | { kind: "diff"; text: string };

export function reviewChanges(input: ReviewInput, config: PolicyConfig): { changes: ResourceChange[]; findings: Finding[] } {
  const changes = input.kind === "plan" ? planChanges(input.json) : diffChanges(input.text);
  return { changes, findings: runRules(changes, config) };
}

export { parsePolicyConfig, parsePolicyFile, type PolicyConfig, type PolicyFileSettings } from "./policy-config.js";
export { assessChange, todayOf, type Assessment, type AssessmentInput } from "./assessment.js";
export { applySuppressions, describeSuppression, inlineSuppressions, COST_RULE_ID, type Suppression } from "./suppressions.js";
export { isActive, SEVERITIES, type AppliedSuppression, type Crosswalk, type Finding, type ReportedBy, type ScannerTool, type Severity } from "./policy.js";
export { RULE_PACK } from "./rule-pack.js";
export { formatSummary, summarizeChanges, type PlanSummary } from "./plan-summary.js";
export { toSarif, fingerprintOf } from "./report-sarif.js";
export { toJunit } from "./report-junit.js";
export type { ChangeAction, ResourceChange } from "./resource-change.js";
export { parseScannerResults, mergeScannerFindings, type ScannerFinding } from "./scanner-results.js";
export { costFinding, formatCostLine, parseInfracost, type CostDelta } from "./cost-delta.js";
