import type { Finding } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";

/**
 * Findings as JUnit XML for CI test reports: one test suite per rule, one failing test case
 * per finding (named by the resource), and one passing case for a rule with no finding, so
 * the report shows what was checked as well as what failed.
 */

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

export function toJunit(findings: ReadonlyArray<Finding>): string {
  const ruleIds = [...new Set([...RULE_PACK.map((rule) => rule.id), ...findings.map((finding) => finding.ruleId)])];
  const suites = ruleIds.map((id) => {
    const own = findings.filter((finding) => finding.ruleId === id);
    const title = RULE_PACK.find((rule) => rule.id === id)?.title ?? id;
    const cases =
      own.length === 0
        ? [`    <testcase classname="${escape(id)}" name="${escape(title)}"/>`]
        : own.map((finding) => {
            const where = finding.file ? ` (${finding.file}${finding.line ? `:${String(finding.line)}` : ""})` : "";
            return [
              `    <testcase classname="${escape(id)}" name="${escape(finding.resourceAddress)}"${finding.file ? ` file="${escape(finding.file)}"` : ""}>`,
              `      <failure message="${escape(finding.message)}" type="${escape(finding.severity)}">${escape(`${finding.severity} ${finding.resourceAddress}${where}: ${finding.message}\nFix: ${finding.fix}`)}</failure>`,
              "    </testcase>",
            ].join("\n");
          });
    return [`  <testsuite name="${escape(id)}" tests="${String(Math.max(1, own.length))}" failures="${String(own.length)}" errors="0" skipped="0">`, ...cases, "  </testsuite>"].join("\n");
  });
  const total = ruleIds.reduce((sum, id) => sum + Math.max(1, findings.filter((finding) => finding.ruleId === id).length), 0);
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="baton iac check" tests="${String(total)}" failures="${String(findings.length)}" errors="0">`, ...suites, "</testsuites>", ""].join("\n");
}
