import { z } from "zod";
import type { Rule } from "../policy.js";

/** Types that hold data: deleting or replacing one loses it. */
export const DEFAULT_STATEFUL = [
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_s3_bucket",
  "aws_dynamodb_table",
  "aws_ebs_volume",
  "aws_efs_file_system",
  "aws_elasticache_cluster",
  "aws_elasticache_replication_group",
  "aws_redshift_cluster",
  "aws_docdb_cluster",
  "aws_neptune_cluster",
  "aws_opensearch_domain",
  "aws_elasticsearch_domain",
  "aws_kinesis_stream",
  "aws_msk_cluster",
  "aws_backup_vault",
];

const Parameters = z.strictObject({ statefulTypes: z.array(z.string()).default(DEFAULT_STATEFUL) }).default({ statefulTypes: DEFAULT_STATEFUL });

export const statefulDestroyRule: Rule<z.infer<typeof Parameters>> = {
  id: "STATEFUL_DESTROY",
  category: "stateful-delete",
  title: "Deletion or replacement of a stateful resource (not a forget, not a move)",
  severity: "critical",
  crosswalk: { checkov: [], trivy: [] },
  parameters: Parameters,
  check(change, { parameters }) {
    if (!parameters.statefulTypes.includes(change.type)) return [];
    if (change.actions.includes("replace")) {
      const because = change.replacedBecause.length > 0 ? ` because ${change.replacedBecause.join(", ")} changed` : "";
      return [
        {
          message: `${change.address} will be destroyed and created again${because}: its data is lost unless it is restored.`,
          fix: "Avoid the replacing change (or use create_before_destroy with a data migration), take a snapshot first, and add lifecycle { prevent_destroy = true }.",
        },
      ];
    }
    if (change.actions.includes("delete")) {
      return [
        {
          message: `${change.address} will be deleted with its data.`,
          fix: "Confirm the data is backed up or migrated; if the resource moved, use a moved block or terraform state mv instead of deleting it.",
        },
      ];
    }
    return [];
  },
};
