import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assessChange, parseInfracost, parsePolicyFile, parseScannerResults, toJunit, toSarif, type Finding } from "../../src/iac/index.js";
import { BatonError } from "../../src/core/errors.js";

/**
 * Suppressions (policy file and inline), scanner results merged by the crosswalk, and Infracost's
 * cost delta — through `assessChange`, the function the CLI and the chain share.
 */

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/iac/${name}`, import.meta.url), "utf8");
const json = (name: string): unknown => JSON.parse(fixture(name));
const riskyPlan = { kind: "plan" as const, json: json("aws-risky-plan.json") };
const TODAY = "2026-06-01";

function refused(run: () => unknown): BatonError {
  try {
    run();
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected a BatonError");
}

const key = (finding: Finding): string => `${finding.ruleId} ${finding.resourceAddress}`;

describe("suppressions", () => {
  it("a policy-file suppression lists the finding as suppressed with its reason and takes it out of the count", () => {
    const policy = parsePolicyFile(
      JSON.stringify({
        suppressions: [
          { rule: "AWS_IAM_WILDCARD", address: "aws_iam_policy.admin", reason: "break-glass role, reviewed by security (SEC-7)", until: "2099-01-31" },
        ],
      }),
    );
    const assessment = assessChange({ change: riskyPlan, policy, today: TODAY });
    const iam = assessment.findings.find((finding) => key(finding) === "AWS_IAM_WILDCARD aws_iam_policy.admin");
    expect(iam?.suppression).toEqual({
      reason: "break-glass role, reviewed by security (SEC-7)",
      until: "2099-01-31",
      where: ".baton/iac-policies.json suppressions[0]",
      expired: false,
    });
    expect(assessment.suppressed.map(key)).toEqual(["AWS_IAM_WILDCARD aws_iam_policy.admin"]);
    expect(assessment.active.map(key)).not.toContain("AWS_IAM_WILDCARD aws_iam_policy.admin");
    // Only that rule on that resource: the same rule elsewhere, and other rules, still count.
    expect(assessment.active.length).toBe(assessment.findings.length - 1);
  });

  it("an expired suppression counts again, with a note; one without until holds until removed", () => {
    const policy = parsePolicyFile(
      JSON.stringify({
        suppressions: [
          { rule: "AWS_IAM_WILDCARD", address: "aws_iam_policy.admin", reason: "migration", until: "2026-05-31" },
          { rule: "AWS_DB_PUBLIC", address: "aws_db_instance.orders", reason: "partner access" },
        ],
      }),
    );
    const assessment = assessChange({ change: riskyPlan, policy, today: TODAY });
    const iam = assessment.findings.find((finding) => finding.ruleId === "AWS_IAM_WILDCARD");
    expect(iam?.suppression?.expired).toBe(true);
    expect(assessment.active).toContainEqual(iam);
    expect(assessment.suppressed.map(key)).toEqual(["AWS_DB_PUBLIC aws_db_instance.orders"]);
    // The last day itself still holds.
    expect(assessChange({ change: riskyPlan, policy, today: "2026-05-31" }).suppressed).toHaveLength(2);
  });

  it("refuses a suppression without a reason, of an unknown rule, or with a date that is not one", () => {
    const empty = refused(() =>
      parsePolicyFile(JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLIC", address: "aws_db_instance.orders", reason: "  " }] })),
    );
    expect(empty.code).toBe("IAC_SUPPRESSION_INVALID");
    expect(empty.message).toBe(
      'The suppression of AWS_DB_PUBLIC on aws_db_instance.orders (.baton/iac-policies.json suppressions[0]) has no reason. Every suppression says why the finding is accepted: { "rule": "AWS_SG_OPEN_INGRESS", "address": "aws_security_group.admin", "reason": "…", "until": "2027-03-31" }.',
    );
    expect(refused(() => parsePolicyFile(JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLIC", address: "aws_db_instance.orders" }] }))).message).toContain(
      "has no reason",
    );
    expect(refused(() => parsePolicyFile(JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLC", address: "a.b", reason: "x" }] }))).message).toContain(
      'names "AWS_DB_PUBLC", which is neither a baton rule nor a Checkov or Trivy check id',
    );
    expect(
      refused(() => parsePolicyFile(JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLIC", address: "a.b", reason: "x", until: "2027-02-30" }] }))).message,
    ).toContain('has until "2027-02-30", which is not a date');
    expect(refused(() => parsePolicyFile(JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLIC", resource: "a.b", reason: "x" }] }))).message).toContain(
      "suppressions[0] is not a suppression",
    );
  });

  it("reads inline baton:ignore comments from a diff: inside the block, or in the block a hunk starts in; expired ones count", () => {
    const assessment = assessChange({ change: { kind: "diff", text: fixture("suppressed-inline.diff") }, policy: parsePolicyFile(null), today: TODAY });
    const ingress = assessment.findings.find((finding) => finding.ruleId === "AWS_SG_OPEN_INGRESS");
    expect(ingress?.suppression).toEqual({
      reason: "bastion reached only through the VPN, INFRA-42",
      until: "2099-12-31",
      where: "network/main.tf:6",
      expired: false,
    });
    const database = assessment.findings.find((finding) => finding.ruleId === "AWS_DB_PUBLIC");
    expect(database?.suppression).toMatchObject({ where: "network/main.tf:68", expired: true });
    expect(assessment.active.map(key)).toEqual(["AWS_DB_PUBLIC aws_db_instance.orders"]);
  });

  it("refuses an inline comment without a reason, naming the file and line", () => {
    const text = fixture("suppressed-inline.diff").replace(' reason="bastion reached only through the VPN, INFRA-42"', "");
    const error = refused(() => assessChange({ change: { kind: "diff", text }, policy: parsePolicyFile(null), today: TODAY }));
    expect(error.code).toBe("IAC_SUPPRESSION_INVALID");
    expect(error.message).toContain("(network/main.tf:6) has no reason");
    expect(error.message).toContain('# baton:ignore AWS_SG_OPEN_INGRESS reason="VPN only, see INFRA-42" until=2027-03-31');
  });

  it("a comment that is not on a resource block is refused, not silently ignored; a removed comment no longer holds", () => {
    const stray = fixture("suppressed-inline.diff")
      .replace('+\n+resource "aws_security_group"', '+# baton:ignore AWS_SG_OPEN_INGRESS reason="x"\n+locals {}\n+resource "aws_security_group"')
      .replace("@@ -1,3 +1,31 @@", "@@ -1,3 +1,32 @@");
    expect(refused(() => assessChange({ change: { kind: "diff", text: stray }, policy: parsePolicyFile(null), today: TODAY })).message).toContain(
      "is not inside or just above a resource block",
    );
    const removed = fixture("suppressed-inline.diff").replace("+  # baton:ignore AWS_SG_OPEN_INGRESS", "-  # baton:ignore AWS_SG_OPEN_INGRESS");
    expect(
      assessChange({ change: { kind: "diff", text: removed }, policy: parsePolicyFile(null), today: TODAY }).findings.find(
        (finding) => finding.ruleId === "AWS_SG_OPEN_INGRESS",
      )?.suppression,
    ).toBeUndefined();
  });

  it("shows in SARIF (an accepted suppression with its justification; none when expired) and JUnit (skipped with the reason)", () => {
    const assessment = assessChange({ change: { kind: "diff", text: fixture("suppressed-inline.diff") }, policy: parsePolicyFile(null), today: TODAY });
    const sarif = toSarif(assessment.findings, { planFile: "plan.json", version: "0.1.0" }) as {
      runs: Array<{ results: Array<{ ruleId: string; suppressions?: unknown; message: { text: string } }> }>;
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(results.find((result) => result.ruleId === "AWS_SG_OPEN_INGRESS")?.suppressions).toEqual([
      {
        kind: "inSource",
        status: "accepted",
        justification: "bastion reached only through the VPN, INFRA-42",
        properties: { where: "network/main.tf:6", until: "2099-12-31" },
      },
    ]);
    const database = results.find((result) => result.ruleId === "AWS_DB_PUBLIC");
    expect(database?.suppressions).toBeUndefined();
    expect(database?.message.text).toContain("A suppression expired 2020-01-31");
    const junit = toJunit(assessment.findings);
    expect(junit).toContain('<skipped message="suppressed until 2099-12-31 (network/main.tf:6): bastion reached only through the VPN, INFRA-42"/>');
    expect(junit).toContain('<testsuites name="baton iac check" tests="');
    expect(junit).toMatch(/<testsuites [^>]*failures="1"/);
  });
});

describe("scanner results", () => {
  it("reads Checkov -o json and Trivy config JSON: failed checks only, Trivy ids in the crosswalk's form", () => {
    const checkov = parseScannerResults(json("checkov-plan.json"), "checkov-plan.json");
    expect(checkov.map((finding) => `${finding.checkId} ${finding.resourceAddress} ${String(finding.severity)}`)).toEqual([
      "CKV_AWS_24 aws_security_group.admin null",
      "CKV_AWS_18 aws_s3_bucket.public null",
      "CKV_AWS_144 aws_s3_bucket.public null",
    ]);
    // A plan's Checkov findings have no repository file or line.
    expect(checkov[0]?.file).toBeUndefined();
    const trivy = parseScannerResults(json("trivy-config.json"), "trivy-config.json");
    expect(
      trivy.map((finding) => `${finding.checkId} ${finding.resourceAddress} ${String(finding.severity)} ${finding.file ?? ""}:${String(finding.line)}`),
    ).toEqual(["AVD-AWS-0107 aws_security_group.admin critical network/main.tf:13", "AVD-AWS-0104 aws_security_group.admin critical network/main.tf:6"]);
    // Several Checkov frameworks come as an array of reports.
    expect(parseScannerResults([json("checkov-plan.json"), { check_type: "secrets", results: { failed_checks: [] } }], "both.json")).toHaveLength(3);
  });

  it("a finding baton and a scanner both report is shown once, attributed to both; the rest are the scanner's, merged across scanners by the crosswalk", () => {
    const scanners = [...parseScannerResults(json("checkov-plan.json"), "c"), ...parseScannerResults(json("trivy-config.json"), "t")];
    const plain = assessChange({ change: riskyPlan, policy: parsePolicyFile(null), today: TODAY });
    const merged = assessChange({ change: riskyPlan, policy: parsePolicyFile(null), today: TODAY, scanners });
    const ingress = merged.findings.filter((finding) => finding.resourceAddress === "aws_security_group.admin");
    expect(ingress.map((finding) => [finding.ruleId, finding.reportedBy])).toEqual([
      ["AVD-AWS-0104", [{ tool: "trivy", checkId: "AVD-AWS-0104" }]],
      [
        "AWS_SG_OPEN_INGRESS",
        [
          { tool: "baton", checkId: "AWS_SG_OPEN_INGRESS" },
          { tool: "checkov", checkId: "CKV_AWS_24" },
          { tool: "trivy", checkId: "AVD-AWS-0107" },
        ],
      ],
    ]);
    const logging = merged.findings.find((finding) => finding.ruleId === "CKV_AWS_18");
    expect(logging).toMatchObject({
      severity: "high",
      category: "logging-disabled",
      message: "Ensure the S3 bucket has access logging enabled (checkov CKV_AWS_18)",
    });
    expect(merged.findings.find((finding) => finding.ruleId === "CKV_AWS_144")).toMatchObject({ severity: "medium", category: "scanner" });
    expect(merged.findings).toHaveLength(plain.findings.length + 3);
  });

  it("a suppression may name a scanner's check id", () => {
    const scanners = parseScannerResults(json("checkov-plan.json"), "c");
    const policy = parsePolicyFile(
      JSON.stringify({ suppressions: [{ rule: "CKV_AWS_144", address: "aws_s3_bucket.public", reason: "single-region by design" }] }),
    );
    expect(assessChange({ change: riskyPlan, policy, today: TODAY, scanners }).suppressed.map(key)).toEqual(["CKV_AWS_144 aws_s3_bucket.public"]);
  });

  it("refuses what is neither Checkov nor Trivy JSON, and a report of the wrong shape, saying what to send", () => {
    const sarif = refused(() => parseScannerResults({ version: "2.1.0", runs: [] }, "results.sarif"));
    expect(sarif.code).toBe("IAC_SCANNER_RESULTS_INVALID");
    expect(sarif.message).toBe(
      "results.sarif: this is neither Checkov JSON (`checkov -o json`: { check_type, results }) nor Trivy JSON (`trivy config --format json`: { SchemaVersion, Results }). SARIF is not read; give the JSON output.",
    );
    expect(refused(() => parseScannerResults({ check_type: "terraform", results: { failed_checks: [{ check_id: 3 }] } }, "c.json")).message).toContain(
      "c.json: Checkov report 0 does not have the shape `checkov -o json` writes",
    );
    expect(refused(() => parseScannerResults({ SchemaVersion: 2, Results: "none" }, "t.json")).message).toContain(
      "t.json: this Trivy report does not have the shape",
    );
  });
});

describe("cost delta", () => {
  it("puts the monthly change in the summary, and a finding at or above the policy's threshold", () => {
    const cost = parseInfracost(json("infracost-diff.json"), "infracost.json");
    expect(cost).toMatchObject({ currency: "USD", pastMonthly: 2045.92, monthly: 2847, monthlyChange: 801.08 });
    const policy = parsePolicyFile(JSON.stringify({ cost: { monthlyIncreaseThreshold: 500, severity: "high" } }));
    const assessment = assessChange({ change: riskyPlan, policy, today: TODAY, cost });
    expect(assessment.summaryText.split("\n").at(-1)).toBe(
      "Monthly cost: +801.08 USD (2,045.92 USD → 2,847.00 USD); most from aws_instance.web +560.64 USD, aws_db_instance.orders +307.59 USD, aws_nat_gateway.a +32.85 USD.",
    );
    expect(assessment.findings.find((finding) => finding.ruleId === "COST_MONTHLY_INCREASE")).toMatchObject({
      severity: "high",
      resourceAddress: "aws_instance.web",
      message: "The monthly cost rises by 801.08 USD, at or above the policy's threshold of 500.00 USD.",
    });
    // Below the threshold: the summary line, no finding.
    const below = assessChange({
      change: riskyPlan,
      policy: parsePolicyFile(JSON.stringify({ cost: { monthlyIncreaseThreshold: 801.09 } })),
      today: TODAY,
      cost,
    });
    expect(below.findings.some((finding) => finding.ruleId === "COST_MONTHLY_INCREASE")).toBe(false);
    expect(below.summaryText).toContain("Monthly cost: +801.08 USD");
  });

  it("says nothing about cost when cost does not rise, whatever the threshold", () => {
    const cost = parseInfracost(json("infracost-diff-down.json"), "infracost.json");
    expect(cost.monthlyChange).toBe(-742.64);
    const assessment = assessChange({
      change: riskyPlan,
      policy: parsePolicyFile(JSON.stringify({ cost: { monthlyIncreaseThreshold: 1 } })),
      today: TODAY,
      cost,
    });
    expect(assessment.summaryText).not.toContain("cost");
    expect(assessment.findings.some((finding) => finding.ruleId === "COST_MONTHLY_INCREASE")).toBe(false);
  });

  it("refuses what is not Infracost's diff JSON, and a threshold that is not a positive number", () => {
    const error = refused(() => parseInfracost({ totalHourlyCost: "1" }, "cost.json"));
    expect(error.code).toBe("IAC_COST_INVALID");
    expect(error.message).toContain("cost.json is not Infracost JSON (version:");
    expect(error.message).toContain("Give the output of `infracost diff --path plan.json --format json`.");
    expect(refused(() => parseInfracost({ version: "0.2", projects: [] }, "cost.json")).message).toContain("has no monthly cost change");
    const threshold = refused(() => parsePolicyFile(JSON.stringify({ cost: { monthlyIncreaseThreshold: -5 } })));
    expect(threshold.code).toBe("IAC_POLICY_INVALID");
    expect(threshold.message).toContain("cost.monthlyIncreaseThreshold");
  });
});
