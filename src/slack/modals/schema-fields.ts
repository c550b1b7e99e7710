import { z } from "zod";
import { humanizeKey } from "../../rendering/render-value.js";
import { BatonError, describeError } from "../../core/errors.js";
import { SLACK_LIMITS } from "./block-kit.js";

/**
 * Reads a zod schema's JSON Schema (`z.toJSONSchema`, a documented format) into the fields a
 * modal can show: one per top-level property of an object schema, or one for the whole value.
 * The form is shaped from here; zod itself still validates every submission.
 */

/** How a field is edited in the modal. */
export type FieldKind =
  | { type: "text"; maxLength: number | undefined }
  | { type: "select"; values: ReadonlyArray<string> }
  | { type: "checkbox" }
  | { type: "number"; integer: boolean; minimum: number | undefined; maximum: number | undefined }
  /** An array of strings, one item per line. */
  | { type: "lines" }
  /** Anything else (nested objects, arrays of objects, unions), as JSON text. */
  | { type: "json" };

export interface FieldSpec {
  /** The property name, or `value` when the whole value is one field. */
  name: string;
  label: string;
  description: string | undefined;
  /** The property must be present (no `.optional()`, no `.default()`). */
  required: boolean;
  /** `null` is accepted. */
  nullable: boolean;
  /** The field may be left blank: empty text, no lines, unchecked. */
  blankAllowed: boolean;
  kind: FieldKind;
}

/** What the form is made of: the object's properties, or the whole value as one field. */
export type FormShape = { type: "object"; fields: FieldSpec[] } | { type: "whole"; field: FieldSpec };

/** The field name used when a non-object schema is edited as one value. */
export const WHOLE_VALUE_FIELD = "value";

type JsonSchema = Record<string, unknown>;

const isJsonSchema = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);

// zod writes `.int()` bounds as ±MAX_SAFE_INTEGER; they say nothing to a person and are left out.
const isMeaningfulBound = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER;

/** The shape of the form for `schema`. Throws `CHAIN_INVALID` when zod cannot describe it. */
export function describeForm(schema: z.ZodType): FormShape {
  const root = toJsonSchema(schema);
  const resolved = unwrap(resolveReference(root, root));
  const properties = resolved.node.properties;
  if (resolved.node.type === "object" && isJsonSchema(properties) && Object.keys(properties).length > 0) {
    const required = Array.isArray(resolved.node.required) ? resolved.node.required : [];
    const fields = Object.entries(properties).map(([name, property]) =>
      describeField(name, isJsonSchema(property) ? property : {}, root, required.includes(name)),
    );
    return { type: "object", fields };
  }
  return { type: "whole", field: { ...describeField(WHOLE_VALUE_FIELD, root, root, true), label: "Value" } };
}

function toJsonSchema(schema: z.ZodType): JsonSchema {
  try {
    // Describe what zod *parses*: a field with a `.default()` may then be left out.
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "throw" });
  } catch (error) {
    throw new BatonError(
      "CHAIN_INVALID",
      `A Slack form cannot be built for this schema: ${describeError(error)}. ` +
        "Use JSON types in step outputs and chain inputs (e.g. z.iso.datetime() instead of z.date()), or edit the value at a terminal with baton approve <approval-id> --edit.",
      {},
      { cause: error },
    );
  }
}

/** Follows a local `$ref` (`#/$defs/...`), which zod writes for recursive and registered schemas. */
function resolveReference(node: JsonSchema, root: JsonSchema): JsonSchema {
  const reference = node.$ref;
  if (typeof reference !== "string") return node;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(reference);
  const definitions = match?.[1] === undefined ? undefined : root[match[1]];
  const target = match?.[2] !== undefined && isJsonSchema(definitions) ? definitions[match[2]] : undefined;
  // A reference to the root (a recursive schema) or an unknown place: the caller shows JSON.
  if (!isJsonSchema(target)) return {};
  const { $ref: _reference, ...rest } = node;
  return { ...target, ...rest };
}

/** `T | null`, written by zod as `type: [T, "null"]` or `anyOf: [T, {type: "null"}]`, split apart. */
function unwrap(node: JsonSchema): { node: JsonSchema; nullable: boolean } {
  if (Array.isArray(node.type) && node.type.includes("null")) {
    const others = node.type.filter((type) => type !== "null");
    if (others.length === 1) return { node: { ...node, type: others[0] }, nullable: true };
    return { node: { ...node, type: others }, nullable: true };
  }
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf.filter(isJsonSchema);
    const nonNull = branches.filter((branch) => branch.type !== "null");
    if (nonNull.length === 1 && branches.length === 2 && nonNull[0] !== undefined) {
      const { anyOf: _anyOf, ...outer } = node;
      return { node: { ...nonNull[0], ...outer }, nullable: true };
    }
  }
  return { node, nullable: false };
}

function describeField(name: string, property: JsonSchema, root: JsonSchema, required: boolean): FieldSpec {
  const { node: unwrapped, nullable } = unwrap(resolveReference(property, root));
  const node = resolveReference(unwrapped, root);
  const kind = classify(node, root);
  const title = typeof node.title === "string" && node.title.trim() !== "" ? node.title : humanizeKey(name);
  const description = typeof node.description === "string" && node.description.trim() !== "" ? node.description : undefined;
  return { name, label: title, description, required, nullable, blankAllowed: allowsBlank(kind, node), kind };
}

function classify(node: JsonSchema, root: JsonSchema): FieldKind {
  switch (node.type) {
    case "string": {
      const values = Array.isArray(node.enum) ? node.enum : typeof node.const === "string" ? [node.const] : undefined;
      if (values !== undefined && isSelectable(values)) return { type: "select", values };
      return { type: "text", maxLength: typeof node.maxLength === "number" ? node.maxLength : undefined };
    }
    case "boolean":
      return { type: "checkbox" };
    case "number":
    case "integer":
      return {
        type: "number",
        integer: node.type === "integer",
        minimum: isMeaningfulBound(node.minimum) ? node.minimum : undefined,
        maximum: isMeaningfulBound(node.maximum) ? node.maximum : undefined,
      };
    case "array": {
      const items = isJsonSchema(node.items) ? resolveReference(node.items, root) : undefined;
      return items?.type === "string" ? { type: "lines" } : { type: "json" };
    }
    default:
      return { type: "json" };
  }
}

// A static select holds at most 100 options with values of at most 150 characters; a longer
// enum is typed as text instead, and zod still checks it.
function isSelectable(values: ReadonlyArray<unknown>): values is ReadonlyArray<string> {
  return (
    values.length > 0 &&
    values.length <= SLACK_LIMITS.selectOptions &&
    values.every((value) => typeof value === "string" && value !== "" && value.length <= SLACK_LIMITS.optionValue)
  );
}

function allowsBlank(kind: FieldKind, node: JsonSchema): boolean {
  switch (kind.type) {
    case "text":
      return typeof node.minLength !== "number" || node.minLength === 0;
    case "lines":
      return typeof node.minItems !== "number" || node.minItems === 0;
    case "checkbox":
      return true;
    default:
      return false;
  }
}
