import type { ResourceChange } from "./resource-change.js";
import { DEFAULT_STATEFUL } from "./rules/lifecycle.js";

/**
 * What a change does, counted the way `terraform plan` ends ("2 to add, 1 to change, 1 to
 * destroy"), with replacements apart and every destroy or replace of a stateful resource named:
 * the first thing a reviewer reads, before any finding.
 */
export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  destroy: number;
  /** Removed from state, left in place (`removed` with `destroy = false`). */
  forget: number;
  /** Renamed with a `moved` block. */
  moved: number;
  /** Stateful resources destroyed or replaced, by address. */
  statefulRemovals: Array<{ address: string; action: "destroy" | "replace" }>;
}

export function summarizeChanges(changes: ReadonlyArray<ResourceChange>, statefulTypes: ReadonlyArray<string> = DEFAULT_STATEFUL): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, destroy: 0, forget: 0, moved: 0, statefulRemovals: [] };
  for (const change of changes) {
    if (change.mode === "data") continue;
    if (change.previousAddress !== undefined) summary.moved += 1;
    if (change.actions.includes("replace")) summary.replace += 1;
    else if (change.actions.includes("create")) summary.create += 1;
    else if (change.actions.includes("update")) summary.update += 1;
    else if (change.actions.includes("delete")) summary.destroy += 1;
    else if (change.actions.includes("forget")) summary.forget += 1;
    const removal = change.actions.includes("replace") ? "replace" : change.actions.includes("delete") ? "destroy" : undefined;
    if (removal !== undefined && statefulTypes.includes(change.type)) summary.statefulRemovals.push({ address: change.address, action: removal });
  }
  return summary;
}

/** "Plan: 1 to create, 0 to update, 1 to replace, 2 to destroy." and a line per stateful removal. */
export function formatSummary(summary: PlanSummary): string {
  const extra = [summary.forget > 0 ? `${String(summary.forget)} to forget` : "", summary.moved > 0 ? `${String(summary.moved)} moved` : ""].filter(
    (part) => part !== "",
  );
  const lines = [
    `Plan: ${String(summary.create)} to create, ${String(summary.update)} to update, ${String(summary.replace)} to replace, ${String(summary.destroy)} to destroy${extra.length > 0 ? ` (${extra.join(", ")})` : ""}.`,
  ];
  for (const removal of summary.statefulRemovals) lines.push(`! ${removal.action === "destroy" ? "destroys" : "replaces"} stateful ${removal.address}`);
  return lines.join("\n");
}
