import { z } from "zod";
import { isCreateOrUpdate, type ResourceChange } from "../resource-change.js";
import { read, type Rule } from "../policy.js";

/** Common taggable AWS types, for diffs of new resources that set no tags at all. */
const TAGGABLE = new Set([
  "aws_instance", "aws_s3_bucket", "aws_db_instance", "aws_rds_cluster", "aws_security_group", "aws_vpc", "aws_subnet", "aws_lb", "aws_ebs_volume", "aws_dynamodb_table",
  "aws_eks_cluster", "aws_lambda_function", "aws_nat_gateway", "aws_elasticache_cluster", "aws_efs_file_system", "aws_kms_key", "aws_sqs_queue", "aws_sns_topic", "aws_iam_role", "aws_autoscaling_group",
]);

const Parameters = z.strictObject({ requiredTags: z.array(z.string().min(1)).default(["owner", "environment"]) }).default({ requiredTags: ["owner", "environment"] });

function tagsOf(change: ResourceChange): Record<string, unknown> | undefined {
  // tags_all includes the provider's default_tags: what the resource really gets.
  for (const key of ["tags_all", "tags"]) {
    const value = read.after(change, key);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  }
  return undefined;
}

export const requiredTagsRule: Rule<z.infer<typeof Parameters>> = {
  id: "REQUIRED_TAGS",
  title: "Required tags missing",
  severity: "low",
  parameters: Parameters,
  check(change, { parameters }) {
    if (!isCreateOrUpdate(change)) return [];
    const tags = tagsOf(change);
    const hasTagsAttribute = change.after !== null && ("tags" in change.after || "tags_all" in change.after);
    // A plan lists tags for every taggable type; a diff only for blocks that set them (or new ones).
    if (!hasTagsAttribute && !(change.source.kind === "diff" && change.actions.includes("create") && TAGGABLE.has(change.type))) return [];
    const missing = parameters.requiredTags.filter((key) => tags?.[key] === undefined || tags[key] === null || tags[key] === "");
    if (missing.length === 0) return [];
    return [{ message: `Missing required tag${missing.length === 1 ? "" : "s"}: ${missing.join(", ")}.`, fix: `Add ${missing.map((key) => `${key} = "…"`).join(", ")} to tags (or to the provider's default_tags).`, attribute: "tags" }];
  },
};
