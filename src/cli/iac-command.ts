import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { z } from "zod";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import { formatPath } from "../core/validation.js";
import {
  assessChange,
  describeSuppression,
  isActive,
  parseInfracost,
  parsePolicyFile,
  parseScannerResults,
  SEVERITIES,
  todayOf,
  toJunit,
  toSarif,
  type Finding,
  type ReviewInput,
  type ScannerFinding,
  type Severity,
} from "../iac/index.js";
import { isJsonFileName, parseJsonText } from "./json-text.js";
import type { CliContext } from "./program.js";
import { readInputFile } from "./run-input.js";

/**
 * `baton iac check <plan.json | file.diff | ->`: the IaC review's deterministic rules alone, for
 * a terminal or a CI gate. Exit code 0 when nothing at or above `--fail-on` stands, 1 when
 * something does, 2 when the input or the policy file cannot be read (with what to fix).
 */

/** A JSON file given beside the plan (scanner results, Infracost), or a BatonError saying which and why. */
function readJsonFile(path: string, what: string, code: "IAC_SCANNER_RESULTS_INVALID" | "IAC_COST_INVALID"): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BatonError(code, `Could not read ${what} ${path}: ${describeError(error)}. Check the path.`, { path });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BatonError(code, `${what} ${path} is not JSON (${describeError(error)}). Give the tool's JSON output.`, { path });
  }
}

const reporters = (finding: Finding): string =>
  (finding.reportedBy?.length ?? 0) > 1 || finding.reportedBy?.[0]?.tool !== "baton"
    ? `  reported by: ${(finding.reportedBy ?? []).map((reporter) => `${reporter.tool} ${reporter.checkId}`).join(", ")}`
    : "";

function table(findings: ReadonlyArray<Finding>): string {
  if (findings.length === 0) return "No findings.";
  const rows = findings.map((finding) => [
    finding.severity,
    finding.ruleId,
    finding.resourceAddress,
    finding.file ? `${finding.file}${finding.line ? `:${String(finding.line)}` : ""}` : "plan",
    finding.message,
  ]);
  const widths = [0, 1, 2, 3].map((column) =>
    Math.min(60, Math.max(...rows.map((row) => (row[column] ?? "").length), ["severity", "rule", "resource", "where"][column]?.length ?? 0)),
  );
  const line = (cells: ReadonlyArray<string>): string => cells.map((cell, column) => (column < 4 ? cell.padEnd(widths[column] ?? 0) : cell)).join("  ");
  const indent = " ".repeat((widths[0] ?? 0) + 2);
  return [
    line(["severity", "rule", "resource", "where", "finding"]),
    ...findings.flatMap((finding, index) => {
      const note = describeSuppression(finding);
      const by = reporters(finding);
      return [
        line(rows[index] ?? []),
        `${indent}fix: ${finding.fix}`,
        ...(by === "" ? [] : [`${indent}${by.trim()}`]),
        ...(note === undefined ? [] : [`${indent}${note}`]),
      ];
    }),
  ].join("\n");
}

const CheckableInput = z.discriminatedUnion("source", [
  z.object({ source: z.literal("diff"), diff: z.string() }),
  z.object({ source: z.literal("plan"), plan: z.unknown() }),
  z.object({ source: z.literal("pull_request") }),
]);

/**
 * What to check: a Terraform JSON plan, a unified diff, or the iac-review chain's own input
 * (`{"source": "diff" | "plan", ...}`, as in chains/iac-review/example-input.json). A file named
 * .json must parse; other text that is not JSON is a diff.
 */
function reviewInputOf(file: string, text: string): ReviewInput {
  let json: unknown;
  if (isJsonFileName(file)) {
    json = parseJsonText(
      text,
      file,
      "IAC_PLAN_INVALID",
      "Fix the JSON, or give the output of `terraform show -json <planfile>` or a unified diff of .tf files.",
    );
  } else {
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      return { kind: "diff", text };
    }
  }
  if (typeof json !== "object" || json === null || !("source" in json)) return { kind: "plan", json };
  const input = CheckableInput.safeParse(json);
  if (!input.success) {
    throw new BatonError(
      "IAC_PLAN_INVALID",
      `${file} looks like an iac-review input but is not one: ${input.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join("; ")}. Give {"source": "diff", "diff": "..."} or {"source": "plan", "plan": {...}} (see chains/iac-review/example-input.json), a Terraform JSON plan, or a diff.`,
      { path: file },
    );
  }
  if (input.data.source === "diff") return { kind: "diff", text: input.data.diff };
  if (input.data.source === "plan") return { kind: "plan", json: input.data.plan };
  throw new BatonError(
    "IAC_PLAN_UNSUPPORTED",
    `${file} is an iac-review input for a pull request, which \`baton iac check\` cannot fetch. Check the pull request's diff instead (\`git diff <base> -- '*.tf' | baton iac check -\`), or review it with \`baton run iac-review --input ${file}\` (needs GITHUB_TOKEN).`,
    { path: file },
  );
}

export function registerIacCommand(program: Command, context: CliContext): void {
  const iac = program.command("iac").description("Terraform review tools");
  iac
    .command("check")
    .description("Run the policy rules on a Terraform plan (terraform show -json) or a diff of .tf files; exit 1 when a finding at or above --fail-on stands")
    .argument("<file>", 'plan JSON (terraform show -json), a unified diff, an iac-review input ({"source": "diff" | "plan", ...}), or - for standard input')
    .addOption(
      new Option("--format <format>", "table, json, sarif (SARIF 2.1.0 for GitHub code scanning) or junit (JUnit XML for CI)")
        .choices(["table", "json", "sarif", "junit"])
        .default("table"),
    )
    .option("--json", "the same as --format json")
    .option("--policies <file>", "a policy file (default: .baton/iac-policies.json when it exists)")
    .option("--scanner-results <file...>", "Checkov (checkov -o json) or Trivy (trivy config --format json) results to merge with baton's findings")
    .option(
      "--infracost <file>",
      "Infracost's cost diff (infracost diff --format json): the monthly change in the summary, a finding at the policy's threshold",
    )
    .addOption(new Option("--fail-on <severity>", "the lowest severity that fails the check").choices([...SEVERITIES]).default("high"))
    .action(
      (
        file: string,
        options: {
          json?: boolean;
          format: "table" | "json" | "sarif" | "junit";
          policies?: string;
          failOn: Severity;
          scannerResults?: string[];
          infracost?: string;
        },
      ) => {
        try {
          const text = readInputFile(file, context.readStdin, "- in place of the file");
          const policiesPath = options.policies ?? ".baton/iac-policies.json";
          let policyText: string | undefined;
          try {
            policyText = readFileSync(policiesPath, "utf8");
          } catch (error) {
            if (options.policies !== undefined)
              throw new BatonError("IAC_POLICY_INVALID", `Could not read the policy file ${policiesPath}: ${describeError(error)}. Check the path.`, {
                path: policiesPath,
              });
          }
          const policy = parsePolicyFile(policyText, policiesPath);
          const scanners: ScannerFinding[] = (options.scannerResults ?? []).flatMap((path) =>
            parseScannerResults(readJsonFile(path, "the scanner results", "IAC_SCANNER_RESULTS_INVALID"), path),
          );
          const cost =
            options.infracost === undefined
              ? undefined
              : parseInfracost(readJsonFile(options.infracost, "the Infracost diff", "IAC_COST_INVALID"), options.infracost);
          const assessment = assessChange({
            change: reviewInputOf(file, text),
            policy,
            today: todayOf(Date.now()),
            scanners,
            ...(cost === undefined ? {} : { cost }),
          });
          const { changes, findings, summary } = assessment;
          // Suppressed findings are listed, never counted; an expired suppression counts again.
          const failing = findings.filter((finding) => isActive(finding) && SEVERITIES.indexOf(finding.severity) <= SEVERITIES.indexOf(options.failOn));
          const format = options.json === true ? "json" : options.format;
          if (format === "json")
            context.io.write(
              JSON.stringify(
                {
                  summary,
                  ...(cost === undefined ? {} : { cost }),
                  changes: changes.length,
                  findings,
                  suppressed: assessment.suppressed.length,
                  failOn: options.failOn,
                  failed: failing.length > 0,
                },
                null,
                2,
              ),
            );
          else if (format === "sarif")
            context.io.write(JSON.stringify(toSarif(findings, { planFile: file === "-" ? "plan.json" : file, version: "0.1.0" }), null, 2));
          else if (format === "junit") context.io.write(toJunit(findings));
          else {
            // The plan summary first: what the change does, before what is wrong with it.
            context.io.write(`${assessment.summaryText}\n\n`);
            context.io.write(table(findings));
            context.io.write(
              `\n${String(changes.length)} resource change${changes.length === 1 ? "" : "s"}, ${String(findings.length)} finding${findings.length === 1 ? "" : "s"}${assessment.suppressed.length > 0 ? ` (${String(assessment.suppressed.length)} suppressed)` : ""}; ${failing.length > 0 ? `${String(failing.length)} at or above ${options.failOn}: failing.` : `none at or above ${options.failOn}.`}`,
            );
          }
          process.exitCode = failing.length > 0 ? 1 : 0;
        } catch (error) {
          if (!isBatonError(error)) throw error;
          // The same format as every other command's errors (src/cli/main.ts); exit 2, not 1.
          context.io.writeError(`error [${error.code}]: ${error.message}`);
          process.exitCode = 2;
        }
      },
    );
}
