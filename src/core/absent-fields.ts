import { isJsonObject } from "./json-schema-nodes.js";

/**
 * Where, in an answer to a strict schema, a `null` stands for a field the step's schema makes
 * optional. Strict mode cannot leave a key out, so such a field is sent as required-and-nullable
 * and the model writes `null` for "nothing"; zod would refuse that null (`.optional()` accepts
 * `undefined`, not `null`), so it is removed again before zod parses the answer.
 */
export interface AbsentPlan {
  /** An object's property names, all of them: what tells the branches of an anyOf apart. */
  keys?: ReadonlyArray<string>;
  /** The properties that need something done, by name. */
  properties?: Record<string, PropertyPlan>;
  items?: AbsentPlan;
  /** One plan per branch, in the schema's order. */
  anyOf?: AbsentPlan[];
  /** A reference: `#` for the root, otherwise a name in `definitions`. */
  ref?: string;
  /** On the root plan only: the plans of the schema's `$defs`. */
  definitions?: Record<string, AbsentPlan>;
}

export interface PropertyPlan {
  /** A `null` here means the field was left out. */
  nullMeansAbsent: boolean;
  /** The plan for a value that is not null. */
  plan: AbsentPlan;
}

/** The answer with every `null` that stands for an absent optional field removed; the rest as is. */
export function removeAbsentNulls(value: unknown, root: AbsentPlan): unknown {
  return restore(value, root, root);
}

function restore(value: unknown, plan: AbsentPlan, root: AbsentPlan): unknown {
  if (plan.ref !== undefined) {
    const target = plan.ref === "#" ? root : root.definitions?.[plan.ref];
    return target === undefined ? value : restore(value, target, root);
  }
  if (plan.anyOf !== undefined) {
    const branch = pickBranch(value, plan.anyOf);
    return branch === undefined ? value : restore(value, branch, root);
  }
  if (Array.isArray(value) && plan.items !== undefined) {
    const items = plan.items;
    return value.map((item: unknown) => restore(item, items, root));
  }
  if (isJsonObject(value) && plan.properties !== undefined) {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const propertyPlan = Object.hasOwn(plan.properties, key) ? plan.properties[key] : undefined;
      if (propertyPlan === undefined) result[key] = field;
      else if (field === null && propertyPlan.nullMeansAbsent) continue;
      else result[key] = field === null ? null : restore(field, propertyPlan.plan, root);
    }
    return result;
  }
  return value;
}

/**
 * The branch an answer's value belongs to: for an object, the first branch whose properties
 * hold every key the value has (strict answers carry every key of their branch); for an array,
 * the first branch with an items plan. A branch that cannot be told apart is left alone.
 */
function pickBranch(value: unknown, branches: ReadonlyArray<AbsentPlan>): AbsentPlan | undefined {
  if (Array.isArray(value)) return branches.find((branch) => branch.items !== undefined);
  if (!isJsonObject(value)) return undefined;
  const keys = Object.keys(value);
  return branches.find((branch) => branch.keys !== undefined && keys.every((key) => branch.keys?.includes(key) === true));
}
