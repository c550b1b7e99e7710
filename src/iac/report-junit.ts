import { isActive, type Finding } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";

/**
 * Findings as JUnit XML for CI test reports: one test suite per rule, one failing test case
 * per finding (named by the resource), and one passing case for a rule with no finding, so
 * the report shows what was checked as well as what failed. A suppressed finding is a skipped
 * case with its reason; an expired suppression fails again, with a note.
 */

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

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
            const suppression = finding.suppression;
            const outcome =
              suppression !== undefined && !suppression.expired
                ? `      <skipped message="${escape(`suppressed${suppression.until === undefined ? "" : ` until ${suppression.until}`} (${suppression.where}): ${suppression.reason}`)}"/>`
                : `      <failure message="${escape(finding.message)}" type="${escape(finding.severity)}">${escape(`${finding.severity} ${finding.resourceAddress}${where}: ${finding.message}\nFix: ${finding.fix}${suppression?.expired === true ? `\nA suppression expired ${suppression.until ?? ""} (${suppression.where}: ${suppression.reason}); it counts again.` : ""}`)}</failure>`;
            return [
              `    <testcase classname="${escape(id)}" name="${escape(finding.resourceAddress)}"${finding.file ? ` file="${escape(finding.file)}"` : ""}>`,
              outcome,
              "    </testcase>",
            ].join("\n");
          });
    const failures = own.filter(isActive).length;
    return [
      `  <testsuite name="${escape(id)}" tests="${String(Math.max(1, own.length))}" failures="${String(failures)}" errors="0" skipped="${String(own.length - failures)}">`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  const total = ruleIds.reduce((sum, id) => sum + Math.max(1, findings.filter((finding) => finding.ruleId === id).length), 0);
  const failures = findings.filter(isActive).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="baton iac check" tests="${String(total)}" failures="${String(failures)}" errors="0">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
