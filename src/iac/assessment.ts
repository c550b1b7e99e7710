import { costFinding, formatCostLine, type CostDelta } from "./cost-delta.js";
import { reviewChanges, type ReviewInput } from "./index.js";
import { formatSummary, summarizeChanges, type PlanSummary } from "./plan-summary.js";
import { isActive, type Finding } from "./policy.js";
import type { PolicyFileSettings } from "./policy-config.js";
import type { ResourceChange } from "./resource-change.js";
import { mergeScannerFindings, type ScannerFinding } from "./scanner-results.js";
import { applySuppressions, inlineSuppressions } from "./suppressions.js";

/**
 * The whole deterministic IaC review of one change: the plan summary (with the monthly cost
 * change when Infracost's diff is given), baton's findings merged with the scanners' through the
 * crosswalk, a cost finding at the policy's threshold, and the suppressions of the policy file
 * and of the diff's `baton:ignore` comments applied. The
 * CLI, the chain and CI all call this, so a finding is counted the same way everywhere.
 */

export interface AssessmentInput {
  change: ReviewInput;
  policy: PolicyFileSettings;
  /** YYYY-MM-DD: a suppression whose `until` is before it has expired. */
  today: string;
  /** Checkov / Trivy failed checks (parseScannerResults). */
  scanners?: ReadonlyArray<ScannerFinding>;
  /** `infracost diff --format json`, parsed (parseInfracost). */
  cost?: CostDelta;
}

export interface Assessment {
  changes: ResourceChange[];
  summary: PlanSummary;
  /** Every finding, suppressed ones included (marked). */
  findings: Finding[];
  /** The findings that count: not covered by a suppression that holds. */
  active: Finding[];
  suppressed: Finding[];
  cost?: CostDelta;
  /** The plan summary's text: counts, stateful removals, and the cost line when cost rises. */
  summaryText: string;
}

export function assessChange(input: AssessmentInput): Assessment {
  const { changes, findings } = reviewChanges(input.change, input.policy.rules);
  const suppressions = [...(input.change.kind === "diff" ? inlineSuppressions(input.change.text) : []), ...input.policy.suppressions];
  const overBudget = costFinding(input.cost, input.policy.cost);
  const all = mergeScannerFindings([...findings, ...(overBudget === undefined ? [] : [overBudget])], input.scanners ?? []);
  const marked = applySuppressions(all, suppressions, input.today);
  const summary = summarizeChanges(changes);
  const costLine = formatCostLine(input.cost);
  return {
    changes,
    summary,
    summaryText: [formatSummary(summary), ...(costLine === undefined ? [] : [costLine])].join("\n"),
    ...(input.cost === undefined ? {} : { cost: input.cost }),
    findings: marked,
    active: marked.filter(isActive),
    suppressed: marked.filter((finding) => !isActive(finding)),
  };
}

/** Today as YYYY-MM-DD in UTC, the way `until` dates are compared. */
export const todayOf = (now: number): string => new Date(now).toISOString().slice(0, 10);
