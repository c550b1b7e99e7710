import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { SEVERITIES, type Finding, type ReportedBy, type ScannerTool, type Severity } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";

/**
 * Findings of the scanners a team already runs, read from their JSON output, and merged with
 * baton's own through the crosswalk: a scanner check that is in a baton rule's crosswalk, on the
 * resource baton reported, is the same finding — shown once, attributed to both. Checkov's and
 * Trivy's reports of one rule on one resource merge the same way.
 *
 * - Checkov `-o json`: one report `{ check_type, results: { failed_checks: [...] }, summary }`, or
 *   an array of them when several frameworks ran (checkov.io "Reviewing Scan Results"; each
 *   failed check has `check_id`, `check_name`, `resource`, `file_path`, `file_line_range`,
 *   `severity` — null without a platform key — and `guideline`).
 * - Trivy `trivy config --format json`: `{ SchemaVersion: 2, Results: [{ Target, Class: "config",
 *   Misconfigurations: [{ ID, AVDID, Title, Message, Resolution, Severity, Status,
 *   CauseMetadata: { Resource, StartLine } }] }] }` (aquasecurity/trivy `pkg/types/report.go`).
 *   Trivy ids are read as `AVD-AWS-0086`, the crosswalk's form, whether written so or `AWS-0086`.
 */

export interface ScannerFinding {
  tool: ScannerTool;
  checkId: string;
  title: string;
  /** Null when the scanner gives none (Checkov without a platform key). */
  severity: Severity | null;
  resourceAddress: string;
  file?: string;
  line?: number;
  fix?: string;
}

const CheckovCheck = z.looseObject({
  check_id: z.string(),
  check_name: z.string().nullish(),
  resource: z.string(),
  file_path: z.string().nullish(),
  file_line_range: z.array(z.number()).nullish(),
  severity: z.string().nullish(),
  guideline: z.string().nullish(),
});
const CheckovReport = z.looseObject({ check_type: z.string(), results: z.looseObject({ failed_checks: z.array(CheckovCheck).default([]) }) });

const TrivyMisconfiguration = z.looseObject({
  ID: z.string().optional(),
  AVDID: z.string().optional(),
  Title: z.string().default(""),
  Message: z.string().optional(),
  Resolution: z.string().optional(),
  Severity: z.string().optional(),
  Status: z.string().optional(),
  CauseMetadata: z.looseObject({ Resource: z.string().optional(), StartLine: z.number().optional() }).optional(),
});
const TrivyReport = z.looseObject({
  SchemaVersion: z.number(),
  Results: z.array(z.looseObject({ Target: z.string(), Class: z.string().optional(), Misconfigurations: z.array(TrivyMisconfiguration).nullish() })).nullish(),
});

function invalid(where: string, message: string): BatonError {
  return new BatonError("IAC_SCANNER_RESULTS_INVALID", `${where}: ${message}`, { where });
}

const severityOf = (text: string | null | undefined): Severity | null => {
  const lower = (text ?? "").toLowerCase();
  return (SEVERITIES as ReadonlyArray<string>).includes(lower) ? (lower as Severity) : null;
};

const trivyId = (id: string): string => (/^[A-Z]+-\d{4}$/.test(id) ? `AVD-${id}` : id);
// Checkov's paths start with "/" (relative to the scanned directory); a repository path has none.
const relative = (path: string | null | undefined): string | undefined => (path ? path.replace(/^\/+/, "") : undefined);

function shapeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
    .join("; ");
}

/** The failed checks of a Checkov or Trivy JSON report; `where` names it in errors. */
export function parseScannerResults(json: unknown, where: string): ScannerFinding[] {
  if (typeof json === "object" && json !== null && "SchemaVersion" in json) {
    const report = TrivyReport.safeParse(json);
    if (!report.success)
      throw invalid(
        where,
        `this Trivy report does not have the shape \`trivy config --format json\` writes (${shapeIssues(report.error)}). Send that output unchanged.`,
      );
    return (report.data.Results ?? []).flatMap((result) =>
      (result.Misconfigurations ?? []).flatMap((item): ScannerFinding[] => {
        const id = item.AVDID ?? item.ID;
        // Only failures: `--include-non-failures` adds PASS and EXCEPTION entries.
        if (id === undefined || (item.Status !== undefined && item.Status !== "FAIL")) return [];
        const resource = item.CauseMetadata?.Resource;
        if (resource === undefined || resource === "") return [];
        const line = item.CauseMetadata?.StartLine;
        return [
          {
            tool: "trivy",
            checkId: trivyId(id),
            title: item.Message ?? item.Title,
            severity: severityOf(item.Severity),
            resourceAddress: resource,
            file: result.Target,
            ...(line === undefined || line <= 0 ? {} : { line }),
            ...(item.Resolution ? { fix: item.Resolution } : {}),
          },
        ];
      }),
    );
  }
  const reports = Array.isArray(json) ? json : [json];
  if (reports.length > 0 && reports.every((report) => typeof report === "object" && report !== null && "check_type" in report)) {
    return reports.flatMap((raw, index) => {
      const report = CheckovReport.safeParse(raw);
      if (!report.success)
        throw invalid(
          where,
          `Checkov report ${String(index)} does not have the shape \`checkov -o json\` writes (${shapeIssues(report.error)}). Send that output unchanged.`,
        );
      return report.data.results.failed_checks.map((check): ScannerFinding => {
        const line = check.file_line_range?.[0];
        const file = relative(check.file_path);
        return {
          tool: "checkov",
          checkId: check.check_id,
          title: check.check_name ?? check.check_id,
          severity: severityOf(check.severity),
          resourceAddress: check.resource,
          // A plan's findings point into the plan JSON, not a repository file.
          ...(file === undefined || report.data.check_type === "terraform_plan" ? {} : { file }),
          ...(line === undefined || line <= 0 || report.data.check_type === "terraform_plan" ? {} : { line }),
          ...(check.guideline ? { fix: `See ${check.guideline}` } : {}),
        };
      });
    });
  }
  throw invalid(
    where,
    "this is neither Checkov JSON (`checkov -o json`: { check_type, results }) nor Trivy JSON (`trivy config --format json`: { SchemaVersion, Results }). SARIF is not read; give the JSON output.",
  );
}

/** The baton rule whose crosswalk lists this scanner check, if any. */
function ruleFor(finding: ScannerFinding): (typeof RULE_PACK)[number] | undefined {
  return RULE_PACK.find((rule) => rule.crosswalk[finding.tool].includes(finding.checkId));
}

/**
 * baton's findings with the scanners' merged in: a scanner finding the crosswalk maps to a baton
 * finding on the same resource adds its name to that finding's `reportedBy`; the rest are added
 * as the scanner's own findings (severity from the scanner, else the mapped rule's, else medium).
 */
export function mergeScannerFindings(own: ReadonlyArray<Finding>, scanners: ReadonlyArray<ScannerFinding>): Finding[] {
  const merged: Finding[] = own.map((finding) => ({ ...finding, reportedBy: finding.reportedBy ?? [{ tool: "baton", checkId: finding.ruleId }] }));
  for (const scanner of scanners) {
    const rule = ruleFor(scanner);
    const reporter: ReportedBy = { tool: scanner.tool, checkId: scanner.checkId };
    const same = merged.find(
      (finding) =>
        finding.resourceAddress === scanner.resourceAddress &&
        (finding.crosswalk[scanner.tool].includes(scanner.checkId) ||
          finding.reportedBy?.some((other) => other.tool === scanner.tool && other.checkId === scanner.checkId) === true),
    );
    if (same !== undefined) {
      if (!same.reportedBy?.some((other) => other.tool === reporter.tool && other.checkId === reporter.checkId)) same.reportedBy?.push(reporter);
      continue;
    }
    merged.push({
      // baton did not report it (it may judge it differently: port 80 is allowed): it stays the scanner's.
      // A mapped check takes the rule's crosswalk, so the other scanner's report of it merges here.
      ruleId: scanner.checkId,
      category: rule?.category ?? "scanner",
      severity: scanner.severity ?? rule?.severity ?? "medium",
      resourceAddress: scanner.resourceAddress,
      ...(scanner.file === undefined ? {} : { file: scanner.file }),
      ...(scanner.line === undefined ? {} : { line: scanner.line }),
      message: `${scanner.title} (${scanner.tool} ${scanner.checkId})`,
      fix: scanner.fix ?? `See ${scanner.tool === "checkov" ? "Checkov" : "Trivy"} check ${scanner.checkId}.`,
      crosswalk: rule?.crosswalk ?? { checkov: scanner.tool === "checkov" ? [scanner.checkId] : [], trivy: scanner.tool === "trivy" ? [scanner.checkId] : [] },
      reportedBy: [reporter],
    });
  }
  const rank = (severity: Severity): number => SEVERITIES.indexOf(severity);
  return merged.sort(
    (left, right) =>
      rank(left.severity) - rank(right.severity) || left.resourceAddress.localeCompare(right.resourceAddress) || left.ruleId.localeCompare(right.ruleId),
  );
}
