import { z } from "zod";
import { type Rule } from "../policy.js";

const SIZE_ORDER = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal"];
const SIZE_ATTRIBUTE: Record<string, string> = { aws_instance: "instance_type", aws_db_instance: "instance_class", aws_rds_cluster_instance: "instance_class", aws_elasticache_cluster: "node_type", aws_launch_template: "instance_type" };

/** "m5.large" → { family: "m5", size: 4 }; "db.r6g.xlarge" → { family: "db.r6g", size: 5 }. */
function sizeOf(value: unknown): { family: string; size: number } | undefined {
  if (typeof value !== "string") return undefined;
  const cut = value.lastIndexOf(".");
  const size = SIZE_ORDER.indexOf(value.slice(cut + 1));
  return cut > 0 && size >= 0 ? { family: value.slice(0, cut), size } : undefined;
}

const NoParameters = z.strictObject({}).default({});

export const instanceSizeIncreaseRule: Rule<Record<string, never>> = {
  id: "COST_INSTANCE_SIZE_INCREASE",
  title: "Instance size increase (cost)",
  severity: "medium",
  parameters: NoParameters,
  check(change) {
    const attribute = SIZE_ATTRIBUTE[change.type];
    if (attribute === undefined || !change.actions.some((action) => action === "update" || action === "replace")) return [];
    const before = sizeOf(change.before?.[attribute]);
    const after = sizeOf(change.after?.[attribute]);
    if (!before || !after || before.family !== after.family || after.size <= before.size) return [];
    const factor = 2 ** Math.max(0, after.size - Math.max(before.size, SIZE_ORDER.indexOf("large")));
    return [
      {
        message: `${attribute} grows from ${String(change.before?.[attribute])} to ${String(change.after?.[attribute])}${factor > 1 ? ` (about ${String(factor)}× the hourly price)` : ""}.`,
        fix: "Confirm the load needs it (CPU and memory over the last weeks), or scale out, or use a size in between.",
        attribute,
      },
    ];
  },
};

export const newNatGatewayRule: Rule<Record<string, never>> = {
  id: "COST_NEW_NAT_GATEWAY",
  title: "New NAT gateway (cost)",
  severity: "low",
  parameters: NoParameters,
  check(change) {
    if (change.type !== "aws_nat_gateway" || !change.actions.includes("create")) return [];
    return [{ message: "A new NAT gateway costs about USD 32 a month plus USD 0.045 per GB processed.", fix: "Share one NAT gateway per AZ across subnets, or use VPC endpoints for S3/DynamoDB traffic." }];
  },
};
