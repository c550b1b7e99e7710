import { z } from "zod";
import type { ResourceChange } from "../resource-change.js";
import { read, type Rule } from "../policy.js";

/**
 * Common taggable AWS types: a diff shows no provider `default_tags`, so a resource a diff
 * creates of one of these types must spell out its tags.
 */
const TAGGABLE = new Set([
  "aws_instance",
  "aws_launch_template",
  "aws_autoscaling_group",
  "aws_ebs_volume",
  "aws_eip",
  "aws_nat_gateway",
  "aws_internet_gateway",
  "aws_vpc",
  "aws_subnet",
  "aws_route_table",
  "aws_security_group",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_network_interface",
  "aws_vpc_endpoint",
  "aws_flow_log",
  "aws_lb",
  "aws_alb",
  "aws_lb_target_group",
  "aws_lb_listener",
  "aws_s3_bucket",
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_rds_cluster_instance",
  "aws_db_subnet_group",
  "aws_dynamodb_table",
  "aws_efs_file_system",
  "aws_elasticache_cluster",
  "aws_elasticache_replication_group",
  "aws_elasticache_subnet_group",
  "aws_eks_cluster",
  "aws_eks_node_group",
  "aws_ecs_cluster",
  "aws_ecs_service",
  "aws_ecs_task_definition",
  "aws_ecr_repository",
  "aws_lambda_function",
  "aws_kms_key",
  "aws_sqs_queue",
  "aws_sns_topic",
  "aws_iam_role",
  "aws_iam_policy",
  "aws_iam_user",
  "aws_cloudwatch_log_group",
  "aws_cloudwatch_metric_alarm",
  "aws_cloudtrail",
  "aws_kinesis_stream",
  "aws_msk_cluster",
  "aws_opensearch_domain",
  "aws_redshift_cluster",
  "aws_secretsmanager_secret",
  "aws_ssm_parameter",
  "aws_acm_certificate",
  "aws_route53_zone",
  "aws_cloudfront_distribution",
  "aws_api_gateway_rest_api",
  "aws_apigatewayv2_api",
  "aws_sfn_state_machine",
  "aws_backup_vault",
  "aws_docdb_cluster",
]);

const Parameters = z
  .strictObject({ requiredTags: z.array(z.string().min(1)).default(["owner", "environment"]) })
  .default({ requiredTags: ["owner", "environment"] });

const asTags = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The tag keys the new resource gets, or undefined when they cannot be known from the input. */
function tagKeys(change: ResourceChange): Set<string> | undefined {
  const tags = read.after(change, "tags");
  const all = read.after(change, "tags_all");
  if (change.source.kind === "plan") {
    // tags_all adds the provider's default_tags; unknown until apply, it cannot be judged.
    if (change.afterUnknown?.["tags_all"] === true || change.afterUnknown?.["tags"] === true) return undefined;
    return new Set(
      [...Object.keys(asTags(tags) ?? {}), ...Object.keys(asTags(all) ?? {})].filter((key) => (asTags(tags)?.[key] ?? asTags(all)?.[key]) !== null),
    );
  }
  const diff = change.diff;
  if (diff?.partialAttributes.includes("tags") === true) return undefined;
  if (tags === undefined) return diff?.complete === true ? new Set() : undefined;
  // `merge(local.tags, …)` or `local.tags`: not a literal, its keys are out of sight.
  const literal = asTags(tags);
  return literal ? new Set(Object.keys(literal)) : undefined;
}

function taggable(change: ResourceChange): boolean {
  if (change.source.kind === "plan") return change.after !== null && ("tags" in change.after || "tags_all" in change.after);
  return TAGGABLE.has(change.type) || read.after(change, "tags") !== undefined;
}

export const requiredTagsRule: Rule<z.infer<typeof Parameters>> = {
  id: "REQUIRED_TAGS",
  category: "missing-tags",
  title: "A taggable resource created without every required tag (tags ∪ tags_all, exact keys)",
  severity: "low",
  crosswalk: { checkov: [], trivy: [] },
  parameters: Parameters,
  check(change, { parameters }) {
    // Only what is created is judged: an update's diff may show part of a block, and retagging is its own change.
    if (!(change.actions.includes("create") || change.actions.includes("replace")) || !taggable(change)) return [];
    const keys = tagKeys(change);
    if (keys === undefined) return [];
    const missing = parameters.requiredTags.filter((key) => !keys.has(key));
    if (missing.length === 0) return [];
    return [
      {
        message: `Missing required tag${missing.length === 1 ? "" : "s"}: ${missing.join(", ")}.`,
        fix: `Add ${missing.map((key) => `${key} = "…"`).join(", ")} to tags (or to the provider's default_tags); keys are matched exactly.`,
        attribute: "tags",
      },
    ];
  },
};
