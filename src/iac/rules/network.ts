import { z } from "zod";
import type { ResourceChange } from "../resource-change.js";
import { read, type Rule, type Violation } from "../policy.js";
import { canonicalJson } from "../policy-statements.js";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

const Parameters = z.strictObject({ allowedPorts: z.array(z.number().int().min(0).max(65_535)).default([80, 443]) }).default({ allowedPorts: [80, 443] });

/** Ports of a rule as a range; protocol "-1"/"all" means every port, whatever from/to say. */
function portRange(rule: Record<string, unknown>): { from: number; to: number } {
  const protocol = String(rule["protocol"] ?? rule["ip_protocol"] ?? "tcp");
  if (protocol === "-1" || protocol === "all") return { from: 0, to: 65_535 };
  const from = Number(rule["from_port"] ?? 0);
  const to = Number(rule["to_port"] ?? from);
  return { from: Number.isFinite(from) ? from : 0, to: Number.isFinite(to) ? to : 65_535 };
}

function describe(range: { from: number; to: number }): string {
  return range.from === 0 && range.to === 65_535
    ? "all ports"
    : range.from === range.to
      ? `port ${String(range.from)}`
      : `ports ${String(range.from)}-${String(range.to)}`;
}

function openIngress(rule: Record<string, unknown>, allowed: ReadonlyArray<number>, attribute: string): Violation[] {
  const sources = [
    ...read.strings(rule["cidr_blocks"]),
    ...read.strings(rule["ipv6_cidr_blocks"]),
    ...read.strings(rule["cidr_ipv4"]),
    ...read.strings(rule["cidr_ipv6"]),
  ].filter((cidr) => OPEN.has(cidr));
  if (sources.length === 0) return [];
  const range = portRange(rule);
  // Exactly one allowed port: a range that merely contains 80 and 443 opens everything between.
  if (range.from === range.to && allowed.includes(range.from)) return [];
  return [
    {
      message: `Ingress from ${sources.join(" and ")} on ${describe(range)}: open to the whole internet.`,
      fix: `Restrict the source to known CIDRs (a VPN, a bastion, a load balancer's security group) or open only ${allowed.join("/")}.`,
      attribute,
    },
  ];
}

const canonical = canonicalJson;

const OPENING_KEYS = ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6", "from_port", "to_port", "protocol", "ip_protocol", "type"];
const opening = (attributes: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(OPENING_KEYS.map((key) => [key, attributes[key] ?? null]));

function addedIngress(change: ResourceChange): Array<Record<string, unknown>> {
  const before = new Set((Array.isArray(change.before?.["ingress"]) ? (change.before["ingress"] as unknown[]) : []).map(canonical));
  return read.blocks(change, "ingress").filter((rule) => !before.has(canonical(rule)));
}

export const openIngressRule: Rule<z.infer<typeof Parameters>> = {
  id: "AWS_SG_OPEN_INGRESS",
  category: "open-ingress",
  title: "Security group ingress open to 0.0.0.0/0 or ::/0 beyond the allowed ports",
  severity: "high",
  crosswalk: { checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"], trivy: ["AVD-AWS-0107"] },
  parameters: Parameters,
  check(change: ResourceChange, { parameters }) {
    if (change.after === null) return [];
    const allowed = parameters.allowedPorts;
    if (change.type === "aws_security_group") return addedIngress(change).flatMap((rule) => openIngress(rule, allowed, "ingress"));
    // A standalone rule is judged when it is created or what it opens changes (not its description or tags).
    if (change.actions.includes("update") && change.before !== null && canonical(opening(change.before)) === canonical(opening(change.after))) return [];
    if (change.type === "aws_security_group_rule" && read.after(change, "type") === "ingress") return openIngress(change.after, allowed, "cidr_blocks");
    if (change.type === "aws_vpc_security_group_ingress_rule")
      return openIngress(change.after, allowed, change.after["cidr_ipv6"] !== undefined ? "cidr_ipv6" : "cidr_ipv4");
    return [];
  },
};
