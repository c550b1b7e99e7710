import { z } from "zod";
import { read, turnedTo, type Rule } from "../policy.js";

const NoParameters = z.strictObject({}).default({});
const PUBLIC_TYPES = new Set(["aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_dms_replication_instance"]);

export const publicDatabaseRule: Rule<Record<string, never>> = {
  id: "AWS_DB_PUBLIC",
  category: "public-database",
  title: "Database created with, or changed to, a public address",
  severity: "critical",
  crosswalk: { checkov: ["CKV_AWS_17"], trivy: ["AVD-AWS-0180"] },
  parameters: NoParameters,
  check(change) {
    if (!PUBLIC_TYPES.has(change.type) || !turnedTo(change, "publicly_accessible", (value) => value === true, false)) return [];
    return [
      {
        message: "publicly_accessible = true: the database gets a public address.",
        fix: "Set publicly_accessible = false and reach it through the VPC (a bastion, SSM port forwarding, or a VPN).",
        attribute: "publicly_accessible",
      },
    ];
  },
};

const PROTECTION_FLAG: Record<string, string> = {
  aws_db_instance: "deletion_protection",
  aws_rds_cluster: "deletion_protection",
  aws_docdb_cluster: "deletion_protection",
  aws_neptune_cluster: "deletion_protection",
  aws_lb: "enable_deletion_protection",
  aws_alb: "enable_deletion_protection",
};

export const deletionProtectionRule: Rule<Record<string, never>> = {
  id: "AWS_DELETION_PROTECTION_OFF",
  category: "deletion-protection-off",
  title: "Deletion protection off: false on create, or true → false on update",
  severity: "medium",
  crosswalk: { checkov: ["CKV_AWS_293", "CKV_AWS_139", "CKV_AWS_150"], trivy: ["AVD-AWS-0177", "AVD-AWS-0343"] },
  parameters: NoParameters,
  check(change) {
    const flag = PROTECTION_FLAG[change.type];
    // A diff is judged on what it writes; a plan shows the provider's default (false).
    if (flag === undefined || !turnedTo(change, flag, (value) => value === false, change.source.kind === "plan" ? false : undefined)) return [];
    const turnedOff = change.actions.includes("update");
    return [
      {
        message: `${flag} ${turnedOff ? "goes from true to false" : `is ${read.after(change, flag) === false ? "false" : "not set"}`}: one mistaken apply or console click deletes it.`,
        fix: `Set ${flag} = true; turn it off in a separate, reviewed change when the resource really must go.`,
        attribute: flag,
      },
    ];
  },
};
