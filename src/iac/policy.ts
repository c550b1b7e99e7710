import type { z } from "zod";
import { locationOf, type ResourceChange } from "./resource-change.js";

/**
 * The policy rule pack's shape and runner. A rule looks at one resource change (with every
 * other change of the set at hand, for rules such as "a bucket without an encryption
 * configuration") and says what is wrong and how to fix it; the runner adds the rule's id, its
 * configured severity and where the change is.
 */

export type Severity = "critical" | "high" | "medium" | "low";
export const SEVERITIES: ReadonlyArray<Severity> = ["critical", "high", "medium", "low"];

export interface Finding {
  ruleId: string;
  severity: Severity;
  resourceAddress: string;
  file?: string;
  line?: number;
  message: string;
  fix: string;
}

/** What a rule reports about one change; `attribute` points the finding at its line. */
export interface Violation {
  message: string;
  fix: string;
  attribute?: string;
}

export interface Rule<Parameters = Record<string, never>> {
  id: string;
  title: string;
  severity: Severity;
  /** What the rule's `parameters` in the policy file may set, and their defaults. */
  parameters: z.ZodType<Parameters>;
  check(change: ResourceChange, context: { changes: ReadonlyArray<ResourceChange>; parameters: Parameters }): Violation[];
}

/** A rule with its parameters erased, for the pack's list. */
export type AnyRule = Rule<never> | Rule<Record<string, unknown>>;

export interface ConfiguredRule {
  rule: Rule<unknown>;
  severity: Severity;
  parameters: unknown;
}

export function runRules(changes: ReadonlyArray<ResourceChange>, rules: ReadonlyArray<ConfiguredRule>): Finding[] {
  const findings: Finding[] = [];
  for (const { rule, severity, parameters } of rules) {
    for (const change of changes) {
      if (change.mode === "data" && !rule.id.startsWith("AWS_IAM")) continue;
      for (const violation of rule.check(change, { changes, parameters })) {
        const where = locationOf(change, violation.attribute);
        findings.push({
          ruleId: rule.id,
          severity,
          resourceAddress: change.address,
          ...(where.file === undefined ? {} : { file: where.file }),
          ...(where.line === undefined || where.line === 0 ? {} : { line: where.line }),
          message: violation.message,
          fix: violation.fix,
        });
      }
    }
  }
  const rank = (severity: Severity): number => SEVERITIES.indexOf(severity);
  return findings.sort((left, right) => rank(left.severity) - rank(right.severity) || left.resourceAddress.localeCompare(right.resourceAddress) || left.ruleId.localeCompare(right.ruleId));
}

/** Attribute helpers the rules share. */
export const read = {
  after(change: ResourceChange, key: string): unknown {
    return change.after?.[key];
  },
  blocks(change: ResourceChange, key: string): Array<Record<string, unknown>> {
    const value = change.after?.[key];
    const list = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : [];
    return list.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null);
  },
  strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
  },
};
