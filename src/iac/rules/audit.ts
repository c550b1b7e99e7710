import { z } from "zod";
import { isCreateOrUpdate } from "../resource-change.js";
import { read, type Rule } from "../policy.js";

const NoParameters = z.strictObject({}).default({});
const AUDIT_TYPES = new Set(["aws_cloudtrail", "aws_s3_bucket_logging", "aws_flow_log", "aws_config_configuration_recorder", "aws_guardduty_detector"]);

export const auditLoggingOffRule: Rule<Record<string, never>> = {
  id: "AWS_AUDIT_LOGGING_OFF",
  title: "Audit logging turned off or removed",
  severity: "high",
  parameters: NoParameters,
  check(change) {
    if (change.type === "aws_cloudtrail" && isCreateOrUpdate(change) && read.after(change, "enable_logging") === false) {
      return [{ message: "enable_logging = false: the trail stops recording API activity.", fix: "Keep enable_logging = true; stopping a trail should be a deliberate, separate change.", attribute: "enable_logging" }];
    }
    if (change.type === "aws_cloudtrail" && isCreateOrUpdate(change) && read.after(change, "is_multi_region_trail") === false) {
      return [{ message: "is_multi_region_trail = false: activity in other regions is not recorded.", fix: "Set is_multi_region_trail = true (one trail for all regions).", attribute: "is_multi_region_trail" }];
    }
    if (change.type === "aws_guardduty_detector" && isCreateOrUpdate(change) && read.after(change, "enable") === false) {
      return [{ message: "The GuardDuty detector is disabled.", fix: "Set enable = true.", attribute: "enable" }];
    }
    if (AUDIT_TYPES.has(change.type) && change.actions.includes("delete")) {
      return [{ message: `${change.type} is deleted: the audit trail it kept ends.`, fix: "Keep the logging resource, or replace it in the same change with one that records the same activity." }];
    }
    return [];
  },
};
