import { z } from "zod";
import { isCreateOrUpdate, type ResourceChange } from "../resource-change.js";
import { read, type Rule, type Violation } from "../policy.js";

const POLICY_TYPES = new Set(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]);

interface Statement {
  effect: string;
  actions: string[];
  resources: string[];
}

const list = (value: unknown): string[] => read.strings(value);

function statementsOfJson(text: string): Statement[] | undefined {
  try {
    const policy = JSON.parse(text) as { Statement?: unknown };
    const raw = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
    return raw
      .filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null)
      .map((item) => ({ effect: String(item["Effect"] ?? "Allow"), actions: list(item["Action"]), resources: list(item["Resource"]) }));
  } catch {
    return undefined;
  }
}

/** A diff shows `jsonencode({...})` or a heredoc as text: read the wildcards out of it. */
function statementsOfText(text: string): Statement[] {
  const actions = [...text.matchAll(/"?Action"?\s*[:=]\s*(\[[^\]]*\]|"[^"]*")/gi)].flatMap((match) => [...(match[1] ?? "").matchAll(/"([^"]+)"/g)].map((inner) => inner[1] as string));
  const resources = [...text.matchAll(/"?Resource"?\s*[:=]\s*(\[[^\]]*\]|"[^"]*")/gi)].flatMap((match) => [...(match[1] ?? "").matchAll(/"([^"]+)"/g)].map((inner) => inner[1] as string));
  const denyOnly = /"?Effect"?\s*[:=]\s*"Deny"/i.test(text) && !/"?Effect"?\s*[:=]\s*"Allow"/i.test(text);
  return actions.length + resources.length === 0 ? [] : [{ effect: denyOnly ? "Deny" : "Allow", actions, resources }];
}

function wildcards(statements: ReadonlyArray<Statement>, attribute: string): Violation[] {
  const violations: Violation[] = [];
  for (const statement of statements) {
    if (statement.effect !== "Allow") continue;
    const actions = statement.actions.filter((action) => action === "*" || /^[\w-]+:\*$/.test(action));
    if (actions.length > 0) violations.push({ message: `Allows ${actions.map((action) => `"${action}"`).join(", ")}: every action${actions.includes("*") ? " of every service" : " of the service"}.`, fix: "List the actions the workload calls (IAM Access Analyzer can generate them from CloudTrail).", attribute });
    if (statement.resources.includes("*")) violations.push({ message: 'Applies to Resource "*": every resource in the account.', fix: "Name the ARNs the statement is for (or an ARN pattern scoped to this workload).", attribute });
  }
  return violations;
}

function statementsOf(change: ResourceChange): Statement[] {
  if (change.type === "aws_iam_policy_document") {
    return read.blocks(change, "statement").map((block) => ({ effect: String(block["effect"] ?? "Allow"), actions: list(block["actions"]), resources: list(block["resources"]) }));
  }
  const policy = read.after(change, "policy");
  if (typeof policy !== "string") return [];
  return statementsOfJson(policy) ?? statementsOfText(policy);
}

export const iamWildcardRule: Rule<Record<string, never>> = {
  id: "AWS_IAM_WILDCARD",
  title: "IAM statements allowing every action or every resource",
  severity: "high",
  parameters: z.strictObject({}).default({}),
  check(change) {
    if (!isCreateOrUpdate(change) && change.mode !== "data") return [];
    if (!POLICY_TYPES.has(change.type) && change.type !== "aws_iam_policy_document") return [];
    return wildcards(statementsOf(change), change.type === "aws_iam_policy_document" ? "statement" : "policy");
  },
};
