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

/** The same check in the scanners teams already run, so a baton finding maps to theirs. */
export interface Crosswalk {
  checkov: string[];
  trivy: string[];
}

export interface Finding {
  ruleId: string;
  /** The kind of risk (`open-ingress`, `public-bucket`, …), stable across rule renames. */
  category: string;
  severity: Severity;
  resourceAddress: string;
  file?: string;
  line?: number;
  message: string;
  fix: string;
  crosswalk: Crosswalk;
  /** Who reports it: baton's rule and, merged by the crosswalk, the scanners that report the same. */
  reportedBy?: ReportedBy[];
  /** A suppression covers it: still listed, with the reason, but not counted — unless it expired. */
  suppression?: AppliedSuppression;
}

export type ScannerTool = "checkov" | "trivy";

export interface ReportedBy {
  tool: "baton" | ScannerTool;
  checkId: string;
}

export interface AppliedSuppression {
  reason: string;
  /** Last day it holds (YYYY-MM-DD); none: until removed. */
  until?: string;
  /** Where it is written: the policy file, or a `.tf` file and line. */
  where: string;
  /** `until` is past: the finding counts again. */
  expired: boolean;
}

/** A finding that counts (toward `--fail-on`, the verdict): not covered by a suppression that holds. */
export const isActive = (finding: Finding): boolean => finding.suppression === undefined || finding.suppression.expired;

/** What a rule reports about one change; `attribute` points the finding at its line. */
export interface Violation {
  message: string;
  fix: string;
  attribute?: string;
}

export interface Rule<Parameters = Record<string, never>> {
  id: string;
  /** The kind of risk, as the docs and the labelled set name it (`open-ingress`). */
  category: string;
  title: string;
  severity: Severity;
  crosswalk: Crosswalk;
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
      // Only changes are judged: unchanged, read-only and forgotten resources never are.
      if (!change.actions.some((action) => action === "create" || action === "update" || action === "replace" || action === "delete")) continue;
      if (change.mode === "data") continue;
      for (const violation of rule.check(change, { changes, parameters })) {
        const where = locationOf(change, violation.attribute);
        findings.push({
          ruleId: rule.id,
          category: rule.category,
          severity,
          resourceAddress: change.address,
          ...(where.file === undefined ? {} : { file: where.file }),
          ...(where.line === undefined || where.line === 0 ? {} : { line: where.line }),
          message: violation.message,
          fix: violation.fix,
          crosswalk: rule.crosswalk,
        });
      }
    }
  }
  const rank = (severity: Severity): number => SEVERITIES.indexOf(severity);
  return findings.sort(
    (left, right) =>
      rank(left.severity) - rank(right.severity) || left.resourceAddress.localeCompare(right.resourceAddress) || left.ruleId.localeCompare(right.ruleId),
  );
}

/**
 * True when the change sets `key` to a value `isBad` accepts: on create (or replace), the value
 * it is created with; on update, only when the value was not bad before — a setting the change
 * leaves as it was is not the change's doing. An unset attribute takes `defaultValue` (the
 * provider's default) where the input shows it is unset: a plan's null, or a whole block of a
 * diff; a value known only after apply, or cut off by a diff's hunk, is not judged.
 */
export function turnedTo(change: ResourceChange, key: string, isBad: (value: unknown) => boolean, defaultValue: unknown): boolean {
  const valueOf = (side: Record<string, unknown> | null, whole: boolean): unknown => {
    const value = side?.[key];
    if (value !== undefined && value !== null) return value;
    if (change.source.kind === "plan") return value === null ? defaultValue : undefined;
    return whole ? defaultValue : undefined;
  };
  const diff = change.diff;
  const afterWhole = diff === undefined ? true : (diff.complete || change.after?.[key] !== undefined) && !diff.partialAttributes.includes(key);
  const after = valueOf(change.after, afterWhole);
  if (after === undefined || !isBad(after)) return false;
  if (change.actions.includes("create") || change.actions.includes("replace")) return true;
  if (!change.actions.includes("update")) return false;
  // A diff's update changes `key` only when one of its lines is added; the old side shows the value before (absent: the default).
  if (diff !== undefined && !diff.changedAttributes.includes(key)) return false;
  const before = valueOf(change.before, true);
  return before === undefined || !isBad(before);
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
