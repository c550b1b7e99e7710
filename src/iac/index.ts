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

export { parsePolicyConfig, type PolicyConfig } from "./policy-config.js";
export { SEVERITIES, type Crosswalk, type Finding, type Severity } from "./policy.js";
export { RULE_PACK } from "./rule-pack.js";
export { formatSummary, summarizeChanges, type PlanSummary } from "./plan-summary.js";
export { toSarif, fingerprintOf } from "./report-sarif.js";
export { toJunit } from "./report-junit.js";
export type { ChangeAction, ResourceChange } from "./resource-change.js";
