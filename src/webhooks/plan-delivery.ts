import { z } from "zod";
import type { WebhookRejection } from "./request-body.js";

/**
 * A terraform-plan delivery checked before its 202: the envelope, and the parts of the plan the
 * review reads (`resource_changes`: address, type, name, change.actions, as Terraform's JSON
 * output format 1.x writes them). A plan that would fail its run later is refused now, with the
 * path of what is wrong, so the CI job that sent it fails visibly.
 */

/**
 * Nesting past this is refused with 422: a real plan's values nest a few dozen levels at most,
 * and storing a 10,000-deep body overflowed the stack (500) before this check.
 */
export const MAX_PLAN_DEPTH = 256;

const ResourceChange = z.looseObject({
  address: z.string(),
  mode: z.enum(["managed", "data"]).optional(),
  type: z.string(),
  name: z.string(),
  change: z.looseObject({ actions: z.array(z.enum(["no-op", "create", "read", "update", "delete", "forget"])) }),
});

export const PlanDelivery = z.object({
  repository: z
    .string()
    .regex(/^[^/\s]+\/[^/\s]+$/, 'must be "owner/name"')
    .optional(),
  pullRequest: z.number().int().positive().optional(),
  /** The commit the plan was made from (the pull request's head then). */
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a commit SHA")
    .optional(),
  plan: z.looseObject({ format_version: z.string(), resource_changes: z.array(ResourceChange).optional() }),
  /** Checkov (`-o json`) or Trivy (`config --format json`) reports of the same change. */
  scannerResults: z.array(z.unknown()).optional(),
  /** `infracost diff --format json` of the same plan. */
  infracost: z.unknown().optional(),
});

/** The path of the first value nested deeper than `maxDepth` (walked without recursion), if any. */
export function tooDeepAt(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: "" }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || typeof next.value !== "object" || next.value === null) continue;
    if (next.depth >= maxDepth) return next.path || "(body)";
    const entries: Array<[string, unknown]> = Array.isArray(next.value)
      ? next.value.map((item, index) => [`[${String(index)}]`, item])
      : Object.entries(next.value).map(([key, item]) => [`.${key}`, item]);
    for (const [key, item] of entries) stack.push({ value: item, depth: next.depth + 1, path: `${next.path}${key}` });
  }
  return undefined;
}

/** 422 for a body nested past `MAX_PLAN_DEPTH`, naming where. */
export function depthRejection(json: unknown): WebhookRejection | undefined {
  const at = tooDeepAt(json, MAX_PLAN_DEPTH);
  if (at === undefined) return undefined;
  const shown = at.length > 120 ? `${at.slice(0, 120)}…` : at;
  return {
    status: 422,
    body: {
      error: "PAYLOAD_INVALID",
      message: `The body nests deeper than ${String(MAX_PLAN_DEPTH)} levels (at ${shown}); a plan from \`terraform show -json\` never does. Send its output unchanged.`,
      issues: [{ path: shown, message: `nested deeper than ${String(MAX_PLAN_DEPTH)} levels` }],
    },
  };
}
