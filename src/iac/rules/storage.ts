import { z } from "zod";
import { read, turnedTo, type Rule, type Violation } from "../policy.js";
import { addedStatements } from "../policy-statements.js";

const NoParameters = z.strictObject({}).default({});
const PUBLIC_ACLS = new Set(["public-read", "public-read-write"]);
const BLOCK_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/**
 * Public S3 access, judged on the resource that carries the setting: the ACL (an
 * `aws_s3_bucket_acl`, or a bucket's own legacy `acl`), the public access block, the policy.
 */
export const publicBucketRule: Rule<Record<string, never>> = {
  id: "AWS_S3_PUBLIC",
  category: "public-bucket",
  title: "Public S3 bucket: a public ACL, a public access block flag off, or a policy allowing anyone",
  severity: "critical",
  crosswalk: {
    checkov: ["CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV_AWS_70"],
    trivy: ["AVD-AWS-0092", "AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093"],
  },
  parameters: NoParameters,
  check(change) {
    if (change.type === "aws_s3_bucket" || change.type === "aws_s3_bucket_acl") {
      if (!turnedTo(change, "acl", (value) => typeof value === "string" && PUBLIC_ACLS.has(value), "private")) return [];
      return [
        {
          message: `The bucket's ACL is "${String(read.after(change, "acl"))}": anyone on the internet can ${read.after(change, "acl") === "public-read-write" ? "read and write" : "read"} it.`,
          fix: 'Remove the ACL (buckets are private by default; set object_ownership = "BucketOwnerEnforced") and share through CloudFront or presigned URLs.',
          attribute: "acl",
        },
      ];
    }
    if (change.type === "aws_s3_bucket_public_access_block") {
      // Each flag defaults to false: a block created without it leaves that door open.
      const off = BLOCK_FLAGS.filter((flag) => turnedTo(change, flag, (value) => value === false, false));
      if (off.length === 0) return [];
      return [
        {
          message: `Public access block flag${off.length === 1 ? "" : "s"} off: ${off.join(", ")}.`,
          fix: "Set all four flags to true; make exceptions with a bucket policy that names the principals.",
          attribute: off[0] as string,
        },
      ];
    }
    if (change.type === "aws_s3_bucket_policy") {
      const open = addedStatements(change.before?.["policy"], change.after?.["policy"]).filter(
        (statement) => statement.effect === "Allow" && statement.principals.includes("*"),
      );
      return open.map(
        (statement): Violation => ({
          message: `The bucket policy Allows ${statement.actions.map((action) => `"${action}"`).join(", ") || "actions"} to Principal "*": anyone on the internet.`,
          fix: 'Name the principals (accounts, roles, a CloudFront origin access control) instead of "*", or add a condition that limits who can use it.',
          attribute: "policy",
        }),
      );
    }
    return [];
  },
};

const ENCRYPTED_FLAG: Record<string, string> = {
  aws_db_instance: "storage_encrypted",
  aws_rds_cluster: "storage_encrypted",
  aws_ebs_volume: "encrypted",
  aws_efs_file_system: "encrypted",
};

/**
 * Storage created (or changed to be) unencrypted. S3 buckets and DynamoDB tables are not judged:
 * AWS encrypts every new bucket with SSE-S3 (since January 2023) and every table at rest.
 */
export const unencryptedStorageRule: Rule<Record<string, never>> = {
  id: "AWS_STORAGE_UNENCRYPTED",
  category: "unencrypted-storage",
  title: "Storage without encryption at rest (RDS, Aurora, EBS, EFS)",
  severity: "high",
  crosswalk: { checkov: ["CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_3", "CKV_AWS_42"], trivy: ["AVD-AWS-0080", "AVD-AWS-0079", "AVD-AWS-0026", "AVD-AWS-0037"] },
  parameters: NoParameters,
  check(change) {
    const flag = ENCRYPTED_FLAG[change.type];
    // A diff is judged on what it writes: an unset flag may be covered by the account's default encryption.
    if (flag === undefined || !turnedTo(change, flag, (value) => value === false, change.source.kind === "plan" ? false : undefined)) return [];
    return [
      {
        message: `${flag} is ${read.after(change, flag) === false ? "false" : "not set"}: the data is stored unencrypted.`,
        fix: `Set ${flag} = true (with kms_key_id for a customer-managed key). Existing storage is encrypted by restoring a snapshot into an encrypted copy.`,
        attribute: flag,
      },
    ];
  },
};
