/**
 * A Terraform resource change, whether read from a plan (`terraform show -json`, which knows
 * every attribute) or from a diff of `.tf` files (which knows what the diff shows, with file
 * and line). Policy rules work on this one shape.
 */

/** `replace` stands for Terraform's `delete,create` and `create,delete`; `forget` (a `removed` block with `destroy = false`) leaves the object in place. */
export type ChangeAction = "create" | "update" | "delete" | "replace" | "read" | "no-op" | "forget";

export type ChangeSource = { kind: "plan" } | { kind: "diff"; file: string; line: number };

export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  mode: "managed" | "data";
  actions: ChangeAction[];
  /** Attributes before and after (null when the resource does not exist on that side). */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Attributes whose change forces a replacement (plan `replace_paths`). */
  replacedBecause: string[];
  source: ChangeSource;
  /** Diff only: the new-file line of each top-level attribute or block shown. */
  attributeLines: Record<string, number>;
  /** The address before a `moved` rename (plan `previous_address`, or a diff's `moved` block). */
  previousAddress?: string;
  /** Plan only: why Terraform replaces or deletes it (`action_reason`). */
  actionReason?: string;
  /** Plan only: the attributes known only after apply (`after_unknown`). */
  afterUnknown?: Record<string, unknown>;
  /** Diff only: what the diff shows of the block. */
  diff?: {
    /** The whole block, header to closing brace, is in the diff. */
    complete: boolean;
    /** Attributes whose value a hunk's edge cuts: present, but not readable. */
    partialAttributes: string[];
    /** Attributes with an added line. */
    changedAttributes: string[];
  };
}

/** Where a finding about `change` (and optionally one of its attributes) points. */
export function locationOf(change: ResourceChange, attribute?: string): { file?: string; line?: number } {
  if (change.source.kind !== "diff") return {};
  const line = (attribute === undefined ? undefined : change.attributeLines[attribute]) ?? change.source.line;
  return { file: change.source.file, line };
}

export const isCreateOrUpdate = (change: ResourceChange): boolean =>
  change.actions.some((action) => action === "create" || action === "update" || action === "replace");
export const isRemoval = (change: ResourceChange): boolean => change.actions.includes("delete") || change.actions.includes("replace");
