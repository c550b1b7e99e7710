import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { formatPath } from "../core/validation.js";
import { SEVERITIES, type ConfiguredRule, type Severity } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";
import { parseFileSuppression, type Suppression } from "./suppressions.js";

/**
 * The policy file (`.baton/iac-policies.json` in the reviewed repository, or `--policies`):
 *
 *   { "rules": { "REQUIRED_TAGS": { "parameters": { "requiredTags": ["owner", "cost-center"] } },
 *                "COST_NEW_NAT_GATEWAY": { "enabled": false },
 *                "AWS_SG_OPEN_INGRESS": { "severity": "critical" } } }
 *
 * Unknown rules and unknown keys are refused (a typo must not silently turn a rule off), and
 * each rule's parameters are checked with its own schema.
 */

const RuleSettings = z.strictObject({
  enabled: z.boolean().optional(),
  severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
  parameters: z.unknown().optional(),
});

const PolicyFile = z.strictObject({
  rules: z.record(z.string(), RuleSettings).default({}),
  // Checked one by one in suppressions.ts, so a missing reason gets its own error and code.
  suppressions: z.array(z.unknown()).default([]),
  cost: z
    .strictObject({
      /** A finding when the monthly cost rises by this much or more (in Infracost's currency). */
      monthlyIncreaseThreshold: z.number().positive(),
      severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
    })
    .optional(),
});

export type PolicyConfig = ReadonlyArray<ConfiguredRule>;

/** Everything the policy file sets: the configured rules, the suppressions, the cost threshold. */
export interface PolicyFileSettings {
  rules: PolicyConfig;
  suppressions: Suppression[];
  cost: { monthlyIncreaseThreshold: number; severity: Severity } | undefined;
}

function invalid(where: string, problems: string): BatonError {
  return new BatonError("IAC_POLICY_INVALID", `${where} is not a valid policy file: ${problems}`, { where });
}

/** The configured rule pack from the policy file's text; undefined or null text: every rule at its defaults. */
export function parsePolicyConfig(text: string | null | undefined, where = ".baton/iac-policies.json"): PolicyConfig {
  return parsePolicyFile(text, where).rules;
}

/** The whole policy file: rules, suppressions (each with a reason) and the cost threshold. */
export function parsePolicyFile(text: string | null | undefined, where = ".baton/iac-policies.json"): PolicyFileSettings {
  let json: unknown = {};
  if (text !== null && text !== undefined && text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalid(where, `it is not JSON (${error instanceof Error ? error.message : String(error)}). Fix the JSON.`);
    }
  }
  const file = PolicyFile.safeParse(json);
  if (!file.success) {
    throw invalid(
      where,
      `${file.error.issues.map((issue) => `${formatPath(issue.path) || "(file)"}: ${issue.message}`).join("; ")}. The file is { "rules": { "<RULE_ID>": { "enabled", "severity", "parameters" } }, "suppressions": [{ "rule", "address", "reason", "until" }], "cost": { "monthlyIncreaseThreshold" } }.`,
    );
  }
  const known = new Map(RULE_PACK.map((rule) => [rule.id, rule]));
  const unknown = Object.keys(file.data.rules).filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw invalid(where, `unknown rule${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}. The rules are: ${[...known.keys()].join(", ")}.`);
  const rules = RULE_PACK.flatMap((rule) => {
    const settings = file.data.rules[rule.id] ?? {};
    if (settings.enabled === false) return [];
    const parameters = rule.parameters.safeParse(settings.parameters);
    if (!parameters.success) {
      throw invalid(
        where,
        `rules.${rule.id}.parameters: ${parameters.error.issues.map((issue) => `${formatPath(issue.path) || "(parameters)"}: ${issue.message}`).join("; ")}.`,
      );
    }
    return [{ rule, severity: settings.severity ?? rule.severity, parameters: parameters.data }];
  });
  const suppressions = file.data.suppressions.map((entry, index) => parseFileSuppression(entry, index, where));
  const cost =
    file.data.cost === undefined
      ? undefined
      : { monthlyIncreaseThreshold: file.data.cost.monthlyIncreaseThreshold, severity: file.data.cost.severity ?? "medium" };
  return { rules, suppressions, cost };
}
