import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/core/errors.js";
import { parsePolicyConfig, reviewChanges, RULE_PACK, type Finding } from "../../src/iac/index.js";

/**
 * The policy rule pack on realistic fixtures: an AWS plan where every rule fires, the same
 * resources made safe where none does, the real terraform_data plan, and .tf diffs. Each
 * finding is asserted exactly: rule, severity, resource (and file:line for diffs).
 */

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/iac/${name}`, import.meta.url), "utf8");
const defaults = parsePolicyConfig(null);
const plan = (name: string, config = defaults): Finding[] => reviewChanges({ kind: "plan", json: JSON.parse(fixture(name)) }, config).findings;
const diff = (name: string, config = defaults): Finding[] => reviewChanges({ kind: "diff", text: fixture(name) }, config).findings;
const summary = (findings: ReadonlyArray<Finding>): string[] =>
  findings.map(
    (finding) => `${finding.ruleId} ${finding.severity} ${finding.resourceAddress}${finding.file ? ` ${finding.file}:${String(finding.line ?? "?")}` : ""}`,
  );

function failure(work: () => unknown): BatonError {
  try {
    work();
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected a BatonError");
}

describe("the rule pack on a plan", () => {
  it("finds every risk in the risky plan (each rule's positive case)", () => {
    expect(summary(plan("aws-risky-plan.json"))).toEqual([
      "AWS_DB_PUBLIC critical aws_db_instance.orders",
      "STATEFUL_DESTROY critical aws_dynamodb_table.sessions",
      "STATEFUL_DESTROY critical aws_ebs_volume.data",
      "AWS_S3_PUBLIC critical aws_s3_bucket_public_access_block.public",
      "AWS_S3_PUBLIC critical aws_s3_bucket.public",
      "AWS_AUDIT_LOGGING_OFF high aws_cloudtrail.main",
      "AWS_IAM_WILDCARD high aws_iam_policy.admin",
      "AWS_SG_OPEN_INGRESS high aws_security_group_rule.everything",
      "AWS_SG_OPEN_INGRESS high aws_security_group.admin",
      "AWS_DELETION_PROTECTION_OFF medium aws_db_instance.orders",
      "COST_INSTANCE_SIZE_INCREASE medium aws_db_instance.orders",
      "COST_INSTANCE_SIZE_INCREASE medium aws_instance.web",
      "COST_NEW_NAT_GATEWAY low aws_nat_gateway.a",
      "REQUIRED_TAGS low aws_s3_bucket.public",
    ]);
    // The database's storage_encrypted stays false in this update: not the change's doing (the labelled set has the positive case).
    expect(new Set(plan("aws-risky-plan.json").map((finding) => finding.ruleId))).toEqual(
      new Set(RULE_PACK.map((rule) => rule.id).filter((id) => id !== "AWS_STORAGE_UNENCRYPTED")),
    );
  });

  it("says what is wrong and how to fix it", () => {
    const findings = plan("aws-risky-plan.json");
    const byRule = (id: string, address: string): Finding | undefined =>
      findings.find((finding) => finding.ruleId === id && finding.resourceAddress === address);
    expect(byRule("AWS_SG_OPEN_INGRESS", "aws_security_group.admin")?.message).toBe("Ingress from 0.0.0.0/0 on port 22: open to the whole internet.");
    expect(byRule("AWS_SG_OPEN_INGRESS", "aws_security_group_rule.everything")?.message).toBe("Ingress from ::/0 on all ports: open to the whole internet.");
    expect(byRule("STATEFUL_DESTROY", "aws_dynamodb_table.sessions")?.message).toContain("will be destroyed and created again because name changed");
    expect(byRule("COST_INSTANCE_SIZE_INCREASE", "aws_db_instance.orders")?.message).toBe(
      "instance_class grows from db.m5.large (2 vCPU, 8 GiB) to db.m5.2xlarge (8 vCPU, 32 GiB).",
    );
    expect(byRule("REQUIRED_TAGS", "aws_s3_bucket.public")?.message).toBe("Missing required tag: environment.");
    for (const finding of findings) expect(finding.fix.length).toBeGreaterThan(10);
  });

  it("finds nothing in the same resources made safe (each rule's negative case), nor in unchanged resources", () => {
    expect(plan("aws-safe-plan.json")).toEqual([]);
  });

  it("finds nothing in the real terraform_data plan", () => {
    const { changes, findings } = reviewChanges({ kind: "plan", json: JSON.parse(fixture("terraform-data-plan.json")) }, defaults);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.some((change) => change.actions.includes("replace"))).toBe(true);
    expect(findings).toEqual([]);
  });
});

describe("the rule pack on .tf diffs", () => {
  it("points each finding at the file and line of the attribute", () => {
    expect(summary(diff("security-group-open.diff"))).toEqual([
      "AWS_DB_PUBLIC critical aws_db_instance.orders network/main.tf:69",
      "AWS_SG_OPEN_INGRESS high aws_security_group.admin network/main.tf:10",
    ]);
    expect(summary(diff("risky-resources.diff"))).toEqual([
      "STATEFUL_DESTROY critical aws_db_instance.legacy compute/main.tf:?",
      "AWS_S3_PUBLIC critical aws_s3_bucket.exports storage/buckets.tf:3",
      "AWS_IAM_WILDCARD high aws_iam_policy.exporter storage/buckets.tf:8",
      "COST_INSTANCE_SIZE_INCREASE medium aws_instance.api compute/main.tf:13",
      "REQUIRED_TAGS low aws_s3_bucket.exports storage/buckets.tf:1",
    ]);
  });

  it("finds nothing in a safe diff, and reads only the Terraform files of it", () => {
    expect(diff("safe-resources.diff")).toEqual([]);
    const { changes } = reviewChanges({ kind: "diff", text: fixture("safe-resources.diff") }, defaults);
    expect(changes.map((change) => `${change.address} ${change.actions.join("+")}`)).toEqual([
      "aws_s3_bucket.reports update",
      "aws_s3_bucket_server_side_encryption_configuration.reports create",
      "aws_ebs_volume.cache update",
    ]);
  });
});

describe("configuration", () => {
  it("turns rules off, changes severities and parameters", () => {
    const config = parsePolicyConfig(
      JSON.stringify({
        rules: {
          COST_NEW_NAT_GATEWAY: { enabled: false },
          AWS_SG_OPEN_INGRESS: { severity: "critical", parameters: { allowedPorts: [22, 80, 443] } },
          REQUIRED_TAGS: { parameters: { requiredTags: ["owner", "cost-center"] } },
        },
      }),
    );
    const findings = plan("aws-risky-plan.json", config);
    expect(findings.some((finding) => finding.ruleId === "COST_NEW_NAT_GATEWAY")).toBe(false);
    expect(summary(findings.filter((finding) => finding.ruleId === "AWS_SG_OPEN_INGRESS"))).toEqual([
      "AWS_SG_OPEN_INGRESS critical aws_security_group_rule.everything",
    ]);
    expect(findings.filter((finding) => finding.ruleId === "REQUIRED_TAGS").map((finding) => `${finding.resourceAddress}: ${finding.message}`)).toContain(
      "aws_nat_gateway.a: Missing required tag: cost-center.",
    );
  });

  it("refuses an unknown rule, a bad parameter, an unknown key and bad JSON, saying what to fix", () => {
    const unknown = failure(() => parsePolicyConfig(JSON.stringify({ rules: { AWS_SG_OPEN: { enabled: false } } })));
    expect(unknown.code).toBe("IAC_POLICY_INVALID");
    expect(unknown.message).toContain("unknown rule AWS_SG_OPEN. The rules are: AWS_SG_OPEN_INGRESS, AWS_S3_PUBLIC");
    expect(failure(() => parsePolicyConfig(JSON.stringify({ rules: { REQUIRED_TAGS: { parameters: { requiredTags: "owner" } } } }))).message).toContain(
      "rules.REQUIRED_TAGS.parameters: requiredTags:",
    );
    expect(failure(() => parsePolicyConfig(JSON.stringify({ rules: { REQUIRED_TAGS: { severity: "urgent" } } }))).message).toContain(
      "rules.REQUIRED_TAGS.severity",
    );
    expect(failure(() => parsePolicyConfig(JSON.stringify({ rule: {} }))).message).toContain('Unrecognized key: "rule"');
    expect(failure(() => parsePolicyConfig("{ rules: ")).message).toContain("it is not JSON");
  });
});

describe("bad input", () => {
  it("a plan of an unknown format_version, JSON that is not a plan, and a diff without Terraform files each say what to do", () => {
    const future = failure(() => reviewChanges({ kind: "plan", json: { format_version: "2.0", resource_changes: [] } }, defaults));
    expect(future.code).toBe("IAC_PLAN_UNSUPPORTED");
    expect(future.message).toContain('format_version is "2.0"; baton reads format 1.x');
    expect(failure(() => reviewChanges({ kind: "plan", json: { resources: [] } }, defaults)).code).toBe("IAC_PLAN_INVALID");
    expect(failure(() => reviewChanges({ kind: "plan", json: { format_version: "1.2", resource_changes: [{ address: 1 }] } }, defaults)).message).toContain(
      "resource_changes[0]",
    );
    const noTerraform = failure(() =>
      reviewChanges({ kind: "diff", text: "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-a\n+b\n" }, defaults),
    );
    expect(noTerraform.code).toBe("IAC_NO_TERRAFORM");
    expect(noTerraform.message).toContain("changes no Terraform (.tf) files (it changes app.py)");
    expect(failure(() => reviewChanges({ kind: "diff", text: "not a diff at all" }, defaults)).message).toContain("not a unified diff");
  });
});
