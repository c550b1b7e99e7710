import type { CheckArea, CheckResult, CheckStatus } from "../doctor/check-result.js";

/** `baton doctor`'s output: ✓ / ! / ✗ lines grouped by area, each ✗ and ! with its fix. */

const MARKS: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✗" };
const AREA_TITLES: Record<CheckArea, string> = {
  config: "Configuration",
  database: "Database",
  model: "Model server",
  slack: "Slack",
  github: "GitHub",
  webhooks: "Webhooks",
};

export function renderDoctorReport(results: ReadonlyArray<CheckResult>): string {
  const lines: string[] = [];
  for (const area of Object.keys(AREA_TITLES) as CheckArea[]) {
    const inArea = results.filter((result) => result.area === area);
    if (inArea.length === 0) continue;
    lines.push(AREA_TITLES[area]);
    for (const result of inArea) {
      lines.push(`  ${MARKS[result.status]} ${result.checked}: ${result.detail}`);
      if (result.fix !== undefined && result.status !== "pass") lines.push(`    fix: ${result.fix}`);
    }
    lines.push("");
  }
  const counts = countByStatus(results);
  lines.push(`${String(counts.fail)} failed (✗), ${String(counts.warn)} warning(s) (!, not failures), ${String(counts.pass)} passed (✓).`);
  lines.push(counts.fail === 0 ? "baton is ready." : "Fix each ✗ above, then run baton doctor again.");
  return lines.join("\n");
}

/** One JSON document for machines. */
export function renderDoctorJson(results: ReadonlyArray<CheckResult>): string {
  const counts = countByStatus(results);
  return JSON.stringify({ ok: counts.fail === 0, failed: counts.fail, warnings: counts.warn, passed: counts.pass, checks: results }, null, 2);
}

function countByStatus(results: ReadonlyArray<CheckResult>): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}
