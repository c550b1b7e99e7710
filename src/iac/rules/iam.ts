import { z } from "zod";
import type { Rule, Violation } from "../policy.js";
import { addedStatements } from "../policy-statements.js";

const POLICY_TYPES = new Set(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]);

/** `*` or a whole service (`athena:*`); a prefix such as `ec2:Describe*` names a family of actions, not all of them. */
const everyAction = (action: string): boolean => action === "*" || /^[\w-]+:\*$/.test(action);

export const iamWildcardRule: Rule<Record<string, never>> = {
  id: "AWS_IAM_WILDCARD",
  category: "iam-wildcard",
  title: 'IAM statement allowing every action ("*" or "service:*") on every resource ("*")',
  severity: "high",
  crosswalk: { checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"], trivy: ["AVD-AWS-0057"] },
  parameters: z.strictObject({}).default({}),
  check(change) {
    if (!POLICY_TYPES.has(change.type) || change.after === null) return [];
    return addedStatements(change.before?.["policy"], change.after["policy"]).flatMap((statement): Violation[] => {
      const actions = statement.actions.filter(everyAction);
      if (statement.effect !== "Allow" || actions.length === 0 || !statement.resources.includes("*")) return [];
      return [
        {
          message: `Allows ${actions.map((action) => `"${action}"`).join(", ")} on Resource "*": every action${actions.includes("*") ? " of every service" : ` of ${actions.map((action) => action.split(":")[0]).join(", ")}`} on every resource in the account.`,
          fix: "List the actions the workload calls (IAM Access Analyzer can generate them from CloudTrail) and name the ARNs they are for.",
          attribute: "policy",
        },
      ];
    });
  },
};
