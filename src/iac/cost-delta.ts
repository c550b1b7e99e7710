import { z } from "zod";
import { BatonError } from "../core/errors.js";
import type { Finding, Severity } from "./policy.js";
import { COST_RULE_ID } from "./suppressions.js";

/**
 * The monthly cost change of a Terraform change, from `infracost diff --format json` (Infracost's
 * JSON output, version 0.2: amounts are decimal strings, or null where a price is unknown;
 * `diffTotalMonthlyCost` is the change, `pastTotalMonthlyCost` and `totalMonthlyCost` the totals
 * before and after, and each project's `diff.resources` the change by resource — the shape of
 * infracost/infracost's `cmd/infracost/testdata/diff_with_compare_to_format_json` golden file).
 */

export interface CostDelta {
  currency: string;
  /** Monthly totals before and after (null: Infracost could not price them). */
  pastMonthly: number | null;
  monthly: number | null;
  monthlyChange: number;
  /** The resources whose monthly cost changes, largest rise first. */
  resources: Array<{ address: string; monthlyChange: number }>;
}

const Amount = z.union([z.string(), z.number()]).nullish();
const InfracostDiff = z.looseObject({
  version: z.string(),
  currency: z.string().default("USD"),
  totalMonthlyCost: Amount,
  pastTotalMonthlyCost: Amount,
  diffTotalMonthlyCost: Amount,
  projects: z
    .array(z.looseObject({ diff: z.looseObject({ resources: z.array(z.looseObject({ name: z.string(), monthlyCost: Amount })).nullish() }).nullish() }))
    .default([]),
});

function amount(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

export function parseInfracost(json: unknown, where: string): CostDelta {
  const parsed = InfracostDiff.safeParse(json);
  if (!parsed.success) {
    throw new BatonError(
      "IAC_COST_INVALID",
      `${where} is not Infracost JSON (${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
        .join("; ")}). Give the output of \`infracost diff --path plan.json --format json\`.`,
      { where },
    );
  }
  const report = parsed.data;
  const pastMonthly = amount(report.pastTotalMonthlyCost);
  const monthly = amount(report.totalMonthlyCost);
  const change = amount(report.diffTotalMonthlyCost) ?? (monthly !== null ? monthly - (pastMonthly ?? 0) : null);
  if (change === null) {
    throw new BatonError(
      "IAC_COST_INVALID",
      `${where} has no monthly cost change: diffTotalMonthlyCost and totalMonthlyCost are both missing. Give \`infracost diff --format json\` output (not \`infracost breakdown\` of nothing).`,
      { where },
    );
  }
  const resources = report.projects
    .flatMap((project) => project.diff?.resources ?? [])
    .flatMap((resource) => {
      const monthlyChange = amount(resource.monthlyCost);
      return monthlyChange === null || monthlyChange === 0 ? [] : [{ address: resource.name, monthlyChange }];
    })
    .sort((left, right) => right.monthlyChange - left.monthlyChange);
  return { currency: report.currency, pastMonthly, monthly, monthlyChange: Math.round(change * 100) / 100, resources };
}

const money = (value: number, currency: string): string =>
  `${value < 0 ? "-" : ""}${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

/** "Monthly cost: +742.64 USD (2,045.92 USD → 2,788.56 USD)"; undefined when cost does not rise: nothing about cost is said then. */
export function formatCostLine(cost: CostDelta | undefined): string | undefined {
  if (cost === undefined || cost.monthlyChange <= 0) return undefined;
  const totals =
    cost.pastMonthly !== null && cost.monthly !== null ? ` (${money(cost.pastMonthly, cost.currency)} → ${money(cost.monthly, cost.currency)})` : "";
  const top = cost.resources.filter((resource) => resource.monthlyChange > 0).slice(0, 3);
  const drivers =
    top.length > 0 ? `; most from ${top.map((resource) => `${resource.address} +${money(resource.monthlyChange, cost.currency)}`).join(", ")}` : "";
  return `Monthly cost: +${money(cost.monthlyChange, cost.currency)}${totals}${drivers}.`;
}

/** A finding when the monthly rise is at or above the policy file's threshold. */
export function costFinding(cost: CostDelta | undefined, threshold: { monthlyIncreaseThreshold: number; severity: Severity } | undefined): Finding | undefined {
  if (cost === undefined || threshold === undefined || cost.monthlyChange < threshold.monthlyIncreaseThreshold) return undefined;
  const driver = cost.resources.find((resource) => resource.monthlyChange > 0);
  return {
    ruleId: COST_RULE_ID,
    category: "cost-increase",
    severity: threshold.severity,
    // The whole change costs more; the resource that adds most is named, else the plan as a whole.
    resourceAddress: driver?.address ?? "(plan)",
    message: `The monthly cost rises by ${money(cost.monthlyChange, cost.currency)}, at or above the policy's threshold of ${money(threshold.monthlyIncreaseThreshold, cost.currency)}.`,
    fix: "Confirm the budget owner accepts the increase, or size the resources down; suppress this finding with a reason when it is planned.",
    crosswalk: { checkov: [], trivy: [] },
  };
}
