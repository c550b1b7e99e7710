import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { formatPath } from "../core/validation.js";
import type { ChangeAction, ResourceChange } from "./resource-change.js";

/**
 * Resource changes out of `terraform show -json <planfile>` (Terraform's JSON output format,
 * version 1.x; OpenTofu writes the same). Only what the rules use is checked; Terraform adds
 * fields over time and they are kept, not refused.
 */

const Change = z.looseObject({
  actions: z.array(z.enum(["no-op", "create", "read", "update", "delete", "forget"])),
  before: z.unknown().nullable().optional(),
  after: z.unknown().nullable().optional(),
  after_unknown: z.unknown().optional(),
  replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
});

const PlanJson = z.looseObject({
  format_version: z.string(),
  resource_changes: z
    .array(
      z.looseObject({
        address: z.string(),
        mode: z.enum(["managed", "data"]).default("managed"),
        type: z.string(),
        name: z.string(),
        change: Change,
        action_reason: z.string().optional(),
        previous_address: z.string().optional(),
      }),
    )
    .default([]),
});

const asObject = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function actionsOf(actions: ReadonlyArray<string>): ChangeAction[] {
  // Terraform writes a replacement as ["delete","create"] or ["create","delete"].
  if (actions.includes("delete") && actions.includes("create")) return ["replace"];
  return actions.filter((action): action is ChangeAction => ["no-op", "create", "read", "update", "delete", "forget"].includes(action));
}

export function planChanges(json: unknown): ResourceChange[] {
  const version = asObject(json)?.["format_version"];
  if (typeof version !== "string") {
    throw new BatonError(
      "IAC_PLAN_INVALID",
      "This is not a Terraform JSON plan: it has no format_version. Send the output of `terraform show -json <planfile>` (not the plan file itself, nor `terraform plan` text).",
      {},
    );
  }
  if (!/^1\.\d+$/.test(version)) {
    throw new BatonError(
      "IAC_PLAN_UNSUPPORTED",
      `The plan's format_version is "${version}"; baton reads format 1.x (Terraform 0.12 and later, OpenTofu). Produce it with \`terraform show -json <planfile>\` from a supported Terraform.`,
      { formatVersion: version },
    );
  }
  const parsed = PlanJson.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${formatPath(issue.path) || "(plan)"}: ${issue.message}`);
    throw new BatonError(
      "IAC_PLAN_INVALID",
      `The plan JSON does not have the shape Terraform writes: ${issues.join("; ")}. Send \`terraform show -json <planfile>\` output unchanged.`,
      { issues },
    );
  }
  return parsed.data.resource_changes.map((resource) => ({
    address: resource.address,
    type: resource.type,
    name: resource.name,
    mode: resource.mode,
    actions: actionsOf(resource.change.actions),
    before: asObject(resource.change.before),
    after: asObject(resource.change.after),
    replacedBecause: (resource.change.replace_paths ?? []).map((path) => path.join(".")),
    source: { kind: "plan" },
    attributeLines: {},
    ...(resource.previous_address === undefined ? {} : { previousAddress: resource.previous_address }),
    ...(resource.action_reason === undefined ? {} : { actionReason: resource.action_reason }),
    ...(asObject(resource.change.after_unknown) === null ? {} : { afterUnknown: asObject(resource.change.after_unknown) ?? {} }),
  }));
}
