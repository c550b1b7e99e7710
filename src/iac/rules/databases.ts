import { z } from "zod";
import { isCreateOrUpdate } from "../resource-change.js";
import { read, type Rule } from "../policy.js";
import { off } from "./storage.js";

const NoParameters = z.strictObject({}).default({});
const PUBLIC_TYPES = new Set(["aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_dms_replication_instance"]);

export const publicDatabaseRule: Rule<Record<string, never>> = {
  id: "AWS_DB_PUBLIC",
  title: "Publicly accessible database",
  severity: "critical",
  parameters: NoParameters,
  check(change) {
    if (!isCreateOrUpdate(change) || !PUBLIC_TYPES.has(change.type) || read.after(change, "publicly_accessible") !== true) return [];
    return [{ message: "publicly_accessible = true: the database gets a public address.", fix: "Set publicly_accessible = false and reach it through the VPC (a bastion, SSM port forwarding, or a VPN).", attribute: "publicly_accessible" }];
  },
};

const PROTECTION_FLAG: Record<string, string> = {
  aws_db_instance: "deletion_protection",
  aws_rds_cluster: "deletion_protection",
  aws_docdb_cluster: "deletion_protection",
  aws_neptune_cluster: "deletion_protection",
  aws_lb: "enable_deletion_protection",
  aws_alb: "enable_deletion_protection",
  aws_dynamodb_table: "deletion_protection_enabled",
};

export const deletionProtectionRule: Rule<Record<string, never>> = {
  id: "AWS_DELETION_PROTECTION_OFF",
  title: "Deletion protection turned off",
  severity: "medium",
  parameters: NoParameters,
  check(change) {
    const flag = PROTECTION_FLAG[change.type];
    if (flag === undefined || !isCreateOrUpdate(change) || !off(change, flag)) return [];
    return [{ message: `${flag} is ${read.after(change, flag) === false ? "false" : "not set"}: one mistaken apply or console click deletes it.`, fix: `Set ${flag} = true; turn it off in a separate, reviewed change when the resource really must go.`, attribute: flag }];
  },
};
