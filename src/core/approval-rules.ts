import type { ApprovalRecord } from "./ports.js";

/** The person deciding, with the groups they belong to (resolved by the adapter at click time). */
export interface Actor {
  id: string;
  groupIds?: ReadonlyArray<string>;
  /**
   * Operators at the terminal, holding the database file, are trusted: the approver list guards
   * Slack, where anyone in a channel can click.
   */
  trusted?: boolean;
}

export type Permission = { allowed: true } | { allowed: false; reason: string };

/** Whether `actor` may decide `approval`; checked when the decision arrives, not when it was asked. */
export function mayDecide(approval: ApprovalRecord, actor: Actor): Permission {
  if (actor.trusted) return { allowed: true };
  if (!approval.allowSelfApproval && approval.requestedBy === actor.id) {
    return { allowed: false, reason: "this chain does not allow approving a run you started yourself" };
  }
  if (approval.approvers.length === 0) return { allowed: true };
  const memberships = new Set([actor.id, ...(actor.groupIds ?? [])]);
  if (approval.approvers.some((approver) => memberships.has(approver))) return { allowed: true };
  return { allowed: false, reason: `only ${approval.approvers.join(", ")} may decide this approval` };
}
