import { createHash } from "node:crypto";
import { isActive, type Finding, type Severity } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";

/**
 * Findings as SARIF 2.1.0, the way GitHub code scanning takes them: every rule with its
 * metadata (title, help, `security-severity`, the Checkov and Trivy crosswalk), every result
 * with a physical location (the diff's file and line; for a plan, the plan file, with the
 * resource address as the logical location) and a `partialFingerprints` value that stays the
 * same while the finding does (rule, resource, category — not the line, which moves).
 */

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note" };
/** GitHub reads `security-severity` (0.0–10.0) to rank security alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

export function fingerprintOf(finding: Finding): string {
  return createHash("sha256").update(`${finding.ruleId}\u0000${finding.resourceAddress}\u0000${finding.message}`).digest("hex").slice(0, 32);
}

export interface SarifOptions {
  /** The file a plan's findings point at (the plan JSON given to `iac check`). */
  planFile: string;
  version: string;
}

export function toSarif(findings: ReadonlyArray<Finding>, options: SarifOptions): Record<string, unknown> {
  const ruleIds = [...new Set([...RULE_PACK.map((rule) => rule.id), ...findings.map((finding) => finding.ruleId)])];
  const rules = ruleIds.map((id) => {
    const rule = RULE_PACK.find((candidate) => candidate.id === id);
    const sample = findings.find((finding) => finding.ruleId === id);
    const severity = rule?.severity ?? sample?.severity ?? "medium";
    const title = rule?.title ?? id;
    return {
      id,
      name: id
        .toLowerCase()
        .replace(/_(\w)/g, (_match, letter: string) => letter.toUpperCase())
        .replace(/^\w/, (letter) => letter.toUpperCase()),
      shortDescription: { text: title },
      fullDescription: { text: `${title}. See docs/iac-policies.md.` },
      help: { text: `${title}. Checkov: ${rule?.crosswalk.checkov.join(", ") || "—"}; Trivy: ${rule?.crosswalk.trivy.join(", ") || "—"}.` },
      defaultConfiguration: { level: LEVEL[severity] },
      properties: {
        tags: ["security", "terraform", rule?.category ?? sample?.category ?? "other"],
        precision: "high",
        "security-severity": SECURITY_SEVERITY[severity],
        crosswalk: rule?.crosswalk ?? sample?.crosswalk ?? { checkov: [], trivy: [] },
      },
    };
  });
  const results = findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: ruleIds.indexOf(finding.ruleId),
    level: LEVEL[finding.severity],
    message: {
      text: `${finding.resourceAddress}: ${finding.message} Fix: ${finding.fix}${finding.suppression?.expired === true ? ` (A suppression expired ${finding.suppression.until ?? ""}: ${finding.suppression.reason})` : ""}`,
    },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: finding.file ?? options.planFile }, region: { startLine: finding.line ?? 1 } },
        logicalLocations: [{ fullyQualifiedName: finding.resourceAddress, kind: "resource" }],
      },
    ],
    partialFingerprints: { "batonFinding/v1": fingerprintOf(finding) },
    // SARIF §3.27.23: a suppression that holds is "accepted"; an expired one is left out, so the
    // result is open again (an entry, even "rejected", reads as dismissed to some consumers).
    ...(isActive(finding) || finding.suppression === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: finding.suppression.where.includes(".tf:") ? "inSource" : "external",
              status: "accepted",
              justification: finding.suppression.reason,
              properties: { where: finding.suppression.where, ...(finding.suppression.until === undefined ? {} : { until: finding.suppression.until }) },
            },
          ],
        }),
    properties: {
      category: finding.category,
      severity: finding.severity,
      reportedBy: (finding.reportedBy ?? [{ tool: "baton", checkId: finding.ruleId }]).map((reporter) => `${reporter.tool}:${reporter.checkId}`),
      ...(finding.suppression?.expired === true
        ? { expiredSuppression: { until: finding.suppression.until, reason: finding.suppression.reason, where: finding.suppression.where } }
        : {}),
    },
  }));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "baton", version: options.version, rules } }, results }],
  };
}
