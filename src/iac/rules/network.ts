import { z } from "zod";
import { isCreateOrUpdate, type ResourceChange } from "../resource-change.js";
import { read, type Rule, type Violation } from "../policy.js";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

const Parameters = z.strictObject({ allowedPorts: z.array(z.number().int().min(0).max(65_535)).default([80, 443]) }).default({ allowedPorts: [80, 443] });

/** Ports of a rule as a range; protocol "-1"/"all" means every port. */
function portRange(rule: Record<string, unknown>): { from: number; to: number } {
  const protocol = String(rule["protocol"] ?? rule["ip_protocol"] ?? "tcp");
  if (protocol === "-1" || protocol === "all") return { from: 0, to: 65_535 };
  const from = Number(rule["from_port"] ?? 0);
  const to = Number(rule["to_port"] ?? from);
  return { from: Number.isFinite(from) ? from : 0, to: Number.isFinite(to) ? to : 65_535 };
}

function describe(range: { from: number; to: number }): string {
  return range.from === 0 && range.to === 65_535 ? "all ports" : range.from === range.to ? `port ${String(range.from)}` : `ports ${String(range.from)}-${String(range.to)}`;
}

function openIngress(rule: Record<string, unknown>, allowed: ReadonlyArray<number>, attribute: string): Violation[] {
  const sources = [...read.strings(rule["cidr_blocks"]), ...read.strings(rule["ipv6_cidr_blocks"]), ...read.strings(rule["cidr_ipv4"]), ...read.strings(rule["cidr_ipv6"])].filter((cidr) => OPEN.has(cidr));
  if (sources.length === 0) return [];
  const range = portRange(rule);
  const onlyAllowed = range.from === range.to && allowed.includes(range.from);
  if (onlyAllowed) return [];
  return [
    {
      message: `Ingress from ${sources.join(" and ")} on ${describe(range)}: open to the whole internet.`,
      fix: `Restrict the source to known CIDRs (a VPN, a bastion, a load balancer's security group) or open only ${allowed.join("/")}.`,
      attribute,
    },
  ];
}

export const openIngressRule: Rule<z.infer<typeof Parameters>> = {
  id: "AWS_SG_OPEN_INGRESS",
  title: "Security group ingress open to 0.0.0.0/0 or ::/0 beyond the allowed ports",
  severity: "high",
  parameters: Parameters,
  check(change: ResourceChange, { parameters }) {
    if (!isCreateOrUpdate(change)) return [];
    const allowed = parameters.allowedPorts;
    if (change.type === "aws_security_group") return read.blocks(change, "ingress").flatMap((rule) => openIngress(rule, allowed, "ingress"));
    if (change.type === "aws_security_group_rule" && read.after(change, "type") === "ingress") return openIngress(change.after ?? {}, allowed, "cidr_blocks");
    if (change.type === "aws_vpc_security_group_ingress_rule") return openIngress(change.after ?? {}, allowed, change.after?.["cidr_ipv6"] !== undefined ? "cidr_ipv6" : "cidr_ipv4");
    return [];
  },
};
