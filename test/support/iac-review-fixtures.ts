import { readFileSync } from "node:fs";
import type { FakeReply } from "./fake-openai-server.js";

/**
 * A pull request for the IaC review tests (its Terraform patch is the security-group-open.diff
 * fixture's), and a model for the review and summary steps that behaves as told: it may first
 * name a resource that is not in the change, and it tries to lower a rule finding's severity.
 */

const diff = readFileSync(new URL("../fixtures/iac/security-group-open.diff", import.meta.url), "utf8");

/** The fixture diff's hunks: what GitHub's files API returns as `patch`. */
export const NETWORK_PATCH = diff.slice(diff.indexOf("@@"));
export const HEAD = "1111111111111111111111111111111111111111";
export const NEW_HEAD = "2222222222222222222222222222222222222222";

export function reviewModel(options: { inventResourceFirst?: boolean } = {}): { reply(body: unknown): FakeReply; asked: Record<string, number> } {
  const asked: Record<string, number> = {};
  let invented = false;
  return {
    asked,
    reply(body) {
      const messages = (body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
      const system = messages[0]?.content ?? "";
      if (system.includes("reviewing a Terraform change")) {
        asked["review"] = (asked["review"] ?? 0) + 1;
        const invent = options.inventResourceFirst === true && !invented;
        invented = true;
        return {
          kind: "json",
          value: {
            findings: [
              // An attempt to downgrade a rule finding: the cross-check keeps the rule's severity.
              {
                resourceAddress: "aws_security_group.admin",
                severity: "low",
                ruleId: "AWS_SG_OPEN_INGRESS",
                message: "Probably fine for a short test.",
                fix: "Leave it.",
              },
              {
                resourceAddress: invent ? "aws_s3_bucket.ghost" : "aws_db_instance.orders",
                severity: "medium",
                ruleId: null,
                message: "Flipping the orders database to public changes its endpoint without a maintenance window.",
                fix: "Keep it private and connect through the VPC.",
              },
            ],
          },
        };
      }
      if (system.includes("summary of a Terraform review")) {
        asked["summary"] = (asked["summary"] ?? 0) + 1;
        return {
          kind: "json",
          value: {
            verdict: "request_changes",
            summary:
              "The change opens SSH to the internet and makes the orders database public. Restrict the admin group to the VPN and keep the database private before merging.",
          },
        };
      }
      return { kind: "status", status: 500, body: { error: { message: `review model: unexpected prompt ${system.slice(0, 60)}` } } };
    },
  };
}
