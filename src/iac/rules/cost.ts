import { z } from "zod";
import { capacityOf, isLarger } from "../instance-capacity.js";
import type { Rule } from "../policy.js";

const SIZE_ATTRIBUTE: Record<string, string> = {
  aws_instance: "instance_type",
  aws_launch_template: "instance_type",
  aws_db_instance: "instance_class",
  aws_rds_cluster_instance: "instance_class",
  aws_elasticache_cluster: "node_type",
  aws_elasticache_replication_group: "node_type",
};

const NoParameters = z.strictObject({}).default({});
const describe = (type: string): string => {
  const capacity = capacityOf(type);
  return capacity ? `${type} (${String(capacity.vcpu)} vCPU, ${String(capacity.memoryGib)} GiB)` : type;
};

export const instanceSizeIncreaseRule: Rule<Record<string, never>> = {
  id: "COST_INSTANCE_SIZE_INCREASE",
  category: "cost-increase",
  title: "Instance type, DB class or cache node made larger on update (across families too)",
  severity: "medium",
  crosswalk: { checkov: [], trivy: [] },
  parameters: NoParameters,
  check(change) {
    const attribute = SIZE_ATTRIBUTE[change.type];
    if (attribute === undefined || !change.actions.some((action) => action === "update" || action === "replace")) return [];
    const before = change.before?.[attribute];
    const after = change.after?.[attribute];
    if (typeof before !== "string" || typeof after !== "string" || before === after) return [];
    const beforeCapacity = capacityOf(before);
    const afterCapacity = capacityOf(after);
    if (!beforeCapacity || !afterCapacity) {
      // Not ignored: a reviewer has to look it up.
      const unknown = [before, after].filter((type) => capacityOf(type) === undefined);
      return [
        {
          message: `${attribute} changes from ${before} to ${after}; ${unknown.join(" and ")} ${unknown.length === 1 ? "is" : "are"} not in baton's capacity table, so whether it costs more is unknown.`,
          fix: "Compare the two on-demand prices by hand, and add the family to src/iac/instance-capacity.ts.",
          attribute,
        },
      ];
    }
    if (!isLarger(afterCapacity, beforeCapacity)) return [];
    return [
      {
        message: `${attribute} grows from ${describe(before)} to ${describe(after)}.`,
        fix: "Confirm the load needs it (CPU and memory over the last weeks), or scale out, or use a size in between.",
        attribute,
      },
    ];
  },
};

export const newNatGatewayRule: Rule<Record<string, never>> = {
  id: "COST_NEW_NAT_GATEWAY",
  category: "cost-increase",
  title: "New NAT gateway (cost)",
  severity: "low",
  crosswalk: { checkov: [], trivy: [] },
  parameters: NoParameters,
  check(change) {
    if (change.type !== "aws_nat_gateway" || !change.actions.includes("create")) return [];
    return [
      {
        message: "A new NAT gateway costs about USD 32 a month plus USD 0.045 per GB processed.",
        fix: "Share one NAT gateway per AZ across subnets, or use VPC endpoints for S3/DynamoDB traffic.",
      },
    ];
  },
};
