import { z } from "zod";
import { isCreateOrUpdate, type ResourceChange } from "../resource-change.js";
import { read, type Rule } from "../policy.js";

const NoParameters = z.strictObject({}).default({});
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
const BLOCK_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

export const publicBucketRule: Rule<Record<string, never>> = {
  id: "AWS_S3_PUBLIC",
  title: "Public S3 bucket or ACL",
  severity: "critical",
  parameters: NoParameters,
  check(change) {
    if (!isCreateOrUpdate(change)) return [];
    const acl = read.after(change, "acl");
    if ((change.type === "aws_s3_bucket" || change.type === "aws_s3_bucket_acl") && typeof acl === "string" && PUBLIC_ACLS.has(acl)) {
      return [{ message: `The bucket's ACL is "${acl}": anyone can read it.`, fix: 'Remove the ACL (buckets are private by default; set object_ownership = "BucketOwnerEnforced") and share through CloudFront or presigned URLs.', attribute: "acl" }];
    }
    if (change.type === "aws_s3_bucket_public_access_block") {
      const off = BLOCK_FLAGS.filter((flag) => read.after(change, flag) === false);
      if (off.length > 0) return [{ message: `Public access blocks turned off: ${off.join(", ")}.`, fix: "Set all four flags to true; make exceptions with a bucket policy that names the principals.", attribute: off[0] as string }];
    }
    return [];
  },
};

/**
 * True when an on/off attribute is off: false (or null in a plan, where every attribute is
 * written), or absent from a resource a diff creates (its default is off). A diff of an update
 * shows only some attributes, and a plan omits values not known until apply: absence there says nothing.
 */
export function off(change: ResourceChange, key: string): boolean {
  const value = read.after(change, key);
  if (value === false) return true;
  if (change.source.kind === "plan") return value === null;
  return value === undefined && change.actions.includes("create");
}

const ENCRYPTED_FLAG: Record<string, string> = { aws_db_instance: "storage_encrypted", aws_rds_cluster: "storage_encrypted", aws_ebs_volume: "encrypted", aws_efs_file_system: "encrypted" };

export const unencryptedStorageRule: Rule<Record<string, never>> = {
  id: "AWS_STORAGE_UNENCRYPTED",
  title: "Storage without encryption at rest (RDS, EBS, EFS, S3)",
  severity: "high",
  parameters: NoParameters,
  check(change, { changes }) {
    if (!isCreateOrUpdate(change)) return [];
    const flag = ENCRYPTED_FLAG[change.type];
    if (flag !== undefined && off(change, flag)) {
      return [{ message: `${flag} is ${read.after(change, flag) === false ? "false" : "not set"}: the data is stored unencrypted.`, fix: `Set ${flag} = true (with kms_key_id for a customer-managed key). Existing storage is encrypted by restoring a snapshot into an encrypted copy.`, attribute: flag }];
    }
    if (change.type === "aws_s3_bucket" && change.actions.includes("create")) {
      const inline = read.blocks(change, "server_side_encryption_configuration").length > 0;
      const separate = changes.some((other) => other.type === "aws_s3_bucket_server_side_encryption_configuration" && referencesBucket(other, change));
      if (!inline && !separate) {
        return [{ message: "The new bucket has no server-side encryption configuration of its own.", fix: "Add an aws_s3_bucket_server_side_encryption_configuration for it (aws:kms with a customer-managed key where the data is sensitive)." }];
      }
    }
    return [];
  },
};

function referencesBucket(configuration: ResourceChange, bucket: ResourceChange): boolean {
  const target = String(read.after(configuration, "bucket") ?? "");
  const bucketName = read.after(bucket, "bucket");
  return target.includes(`${bucket.type}.${bucket.name}`) || (typeof bucketName === "string" && target === bucketName) || (configuration.text ?? "").includes(`${bucket.type}.${bucket.name}`);
}
