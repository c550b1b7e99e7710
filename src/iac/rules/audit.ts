import { z } from "zod";
import { turnedTo, type Rule } from "../policy.js";

const NoParameters = z.strictObject({}).default({});
const LOGGING_TYPES = new Set(["aws_flow_log", "aws_s3_bucket_logging"]);

export const auditLoggingOffRule: Rule<Record<string, never>> = {
  id: "AWS_AUDIT_LOGGING_OFF",
  category: "logging-disabled",
  title: "Logging off: a CloudTrail trail not logging, a flow log or S3 access logging deleted",
  severity: "high",
  crosswalk: { checkov: ["CKV_AWS_251", "CKV2_AWS_11", "CKV_AWS_18"], trivy: ["AVD-AWS-0178", "AVD-AWS-0089"] },
  parameters: NoParameters,
  check(change) {
    if (change.type === "aws_cloudtrail" && turnedTo(change, "enable_logging", (value) => value === false, true)) {
      return [
        {
          message: "enable_logging = false: the trail records no API activity.",
          fix: "Keep enable_logging = true; pausing a trail should be a deliberate, separate change.",
          attribute: "enable_logging",
        },
      ];
    }
    if (LOGGING_TYPES.has(change.type) && change.actions.includes("delete")) {
      return [
        {
          message: `${change.address} is deleted: the ${change.type === "aws_flow_log" ? "network flow log" : "bucket's access log"} it kept ends.`,
          fix: "Keep the logging resource, or replace it in the same change with one that records the same activity.",
        },
      ];
    }
    return [];
  },
};
