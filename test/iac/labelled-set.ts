import { readdirSync, readFileSync } from "node:fs";
import { parsePolicyConfig, reviewChanges, type Finding } from "../../src/iac/index.js";

/**
 * Recall and precision of the rule pack on the labelled set of real plans and diffs
 * (test/fixtures/iac/labelled, see its labels.json), matched the way the set says: the same
 * resource address, and a finding whose rule id or category contains the labelled category.
 */

const root = new URL("../fixtures/iac/labelled/", import.meta.url);
const Labels = (): Record<string, { findings: Array<{ address: string; category: string }>; clean: boolean }> =>
  JSON.parse(readFileSync(new URL("labels.json", root), "utf8")) as Record<string, { findings: Array<{ address: string; category: string }>; clean: boolean }>;

/** The policy file the set was labelled with: owner, env and cost-center required. */
export const LABELLED_POLICY = parsePolicyConfig(
  JSON.stringify({ rules: { REQUIRED_TAGS: { parameters: { requiredTags: ["owner", "env", "cost-center"] } } } }),
);

export interface CaseResult {
  file: string;
  missed: string[];
  wrong: string[];
}

export function findingsOf(file: string): Finding[] {
  const text = readFileSync(new URL(file, root), "utf8");
  const input = file.endsWith(".json") ? { kind: "plan" as const, json: JSON.parse(text) as unknown } : { kind: "diff" as const, text };
  return reviewChanges(input, LABELLED_POLICY).findings;
}

export function measure(): { recall: number; precision: number; labelled: number; reported: number; cases: CaseResult[] } {
  const labels = Labels();
  const files = ["plans", "diffs"].flatMap((folder) => readdirSync(new URL(`${folder}/`, root)).map((name) => `${folder}/${name}`)).sort();
  let found = 0;
  let labelled = 0;
  let right = 0;
  let reported = 0;
  const cases: CaseResult[] = [];
  for (const file of files) {
    const expected = labels[file]?.findings ?? [];
    const findings = findingsOf(file);
    const matches = (finding: Finding, label: { address: string; category: string }): boolean =>
      finding.resourceAddress === label.address && (finding.ruleId.includes(label.category) || finding.category.includes(label.category));
    const missed = expected.filter((label) => !findings.some((finding) => matches(finding, label)));
    const wrong = findings.filter((finding) => !expected.some((label) => matches(finding, label)));
    labelled += expected.length;
    found += expected.length - missed.length;
    reported += findings.length;
    right += findings.length - wrong.length;
    cases.push({
      file,
      missed: missed.map((label) => `${label.category} ${label.address}`),
      wrong: wrong.map((finding) => `${finding.category} ${finding.resourceAddress}: ${finding.message}`),
    });
  }
  return { recall: labelled === 0 ? 1 : found / labelled, precision: reported === 0 ? 1 : right / reported, labelled, reported, cases };
}
