import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import { parsePolicyConfig, reviewChanges, SEVERITIES, type Finding, type Severity } from "../iac/index.js";
import type { CliContext } from "./program.js";
import { readInputFile } from "./run-input.js";

/**
 * `baton iac check <plan.json | file.diff | ->`: the IaC review's deterministic rules alone, for
 * a terminal or a CI gate. Exit code 0 when nothing at or above `--fail-on` stands, 1 when
 * something does, 2 when the input or the policy file cannot be read (with what to fix).
 */

function table(findings: ReadonlyArray<Finding>): string {
  if (findings.length === 0) return "No findings.";
  const rows = findings.map((finding) => [finding.severity, finding.ruleId, finding.resourceAddress, finding.file ? `${finding.file}${finding.line ? `:${String(finding.line)}` : ""}` : "plan", finding.message]);
  const widths = [0, 1, 2, 3].map((column) => Math.min(60, Math.max(...rows.map((row) => (row[column] ?? "").length), ["severity", "rule", "resource", "where"][column]?.length ?? 0)));
  const line = (cells: ReadonlyArray<string>): string => cells.map((cell, column) => (column < 4 ? cell.padEnd(widths[column] ?? 0) : cell)).join("  ");
  return [line(["severity", "rule", "resource", "where", "finding"]), ...findings.flatMap((finding, index) => [line(rows[index] ?? []), `${" ".repeat((widths[0] ?? 0) + 2)}fix: ${finding.fix}`])].join("\n");
}

export function registerIacCommand(program: Command, context: CliContext): void {
  const iac = program.command("iac").description("Terraform review tools");
  iac
    .command("check")
    .description("Run the policy rules on a Terraform plan (terraform show -json) or a diff of .tf files; exit 1 when a finding at or above --fail-on stands")
    .argument("<file>", "plan JSON, a unified diff, or - for standard input")
    .option("--json", "print the findings as JSON")
    .option("--policies <file>", "a policy file (default: .baton/iac-policies.json when it exists)")
    .addOption(new Option("--fail-on <severity>", "the lowest severity that fails the check").choices([...SEVERITIES]).default("high"))
    .action((file: string, options: { json?: boolean; policies?: string; failOn: Severity }) => {
      try {
        const text = readInputFile(file, context.readStdin);
        const policiesPath = options.policies ?? ".baton/iac-policies.json";
        let policyText: string | undefined;
        try {
          policyText = readFileSync(policiesPath, "utf8");
        } catch (error) {
          if (options.policies !== undefined) throw new BatonError("IAC_POLICY_INVALID", `Could not read the policy file ${policiesPath}: ${describeError(error)}. Check the path.`, { path: policiesPath });
        }
        const config = parsePolicyConfig(policyText, policiesPath);
        let json: unknown;
        let isJson = true;
        try {
          json = JSON.parse(text);
        } catch {
          isJson = false;
        }
        const { changes, findings } = reviewChanges(isJson ? { kind: "plan", json } : { kind: "diff", text }, config);
        const failing = findings.filter((finding) => SEVERITIES.indexOf(finding.severity) <= SEVERITIES.indexOf(options.failOn));
        if (options.json === true) context.io.write(JSON.stringify({ changes: changes.length, findings, failOn: options.failOn, failed: failing.length > 0 }, null, 2));
        else {
          context.io.write(table(findings));
          context.io.write(`\n${String(changes.length)} resource change${changes.length === 1 ? "" : "s"}, ${String(findings.length)} finding${findings.length === 1 ? "" : "s"}; ${failing.length > 0 ? `${String(failing.length)} at or above ${options.failOn}: failing.` : `none at or above ${options.failOn}.`}`);
        }
        process.exitCode = failing.length > 0 ? 1 : 0;
      } catch (error) {
        if (!isBatonError(error)) throw error;
        context.io.writeError(`${error.code}: ${error.message}`);
        process.exitCode = 2;
      }
    });
}
