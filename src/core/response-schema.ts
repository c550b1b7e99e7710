import { z } from "zod";
import { BatonError, describeError } from "./errors.js";

/**
 * Turns a step's zod output schema into the JSON Schema the model is asked for
 * (`ModelRequest.responseSchema`). Pure and free of the `openai` package: the core imports it.
 */

/** What `ModelRequest.responseSchema` carries. */
export interface ResponseSchema {
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
}

type JsonObject = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SUBSCHEMA_KEYWORDS = ["items", "not", "if", "then", "else", "contains", "propertyNames", "additionalProperties", "unevaluatedProperties", "unevaluatedItems"];
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST_KEYWORDS = ["prefixItems", "anyOf", "oneOf", "allOf"];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP_KEYWORDS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/** Keywords OpenAI's strict structured outputs refuses; a schema using them is sent non-strict. */
const NOT_STRICT_KEYWORDS = ["allOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas", "unevaluatedProperties"];

/**
 * The JSON Schema for `schema`, named `name` (sanitised to `^[a-zA-Z0-9_-]{1,64}$`).
 *
 * `strict` is true when OpenAI's strict mode can take the schema as is: the root is an object
 * and every object lists all its properties in `required` and allows no others. Then every
 * object gets `additionalProperties: false`, which strict mode demands. Otherwise the schema is
 * returned non-strict, still valid; zod checks the answer either way.
 *
 * Throws `CHAIN_INVALID` when the schema has types JSON cannot carry (dates, bigints, ...).
 */
export function toResponseSchema(name: string, schema: z.ZodType): ResponseSchema {
  const safeName = toSchemaName(name);
  let generated: JsonObject;
  try {
    // The model's answer is what zod *parses*, so describe the input side: a field with a
    // `.default()` is optional there, and a `.transform()` is described by what it accepts.
    generated = z.toJSONSchema(schema, { io: "input", unrepresentable: "throw" });
  } catch (error) {
    throw new BatonError(
      "CHAIN_INVALID",
      `The output schema "${safeName}" cannot be described as JSON Schema for the model: ${describeError(error)}. ` +
        "Use JSON types in LLM step outputs (e.g. z.iso.datetime() instead of z.date(), z.number() instead of z.bigint()).",
      { schemaName: safeName },
      { cause: error },
    );
  }
  const { $schema: _dialect, ...body } = generated;
  const converted = convertNode(body);
  const strict = converted.type === "object" && isStrictCompatible(converted);
  return { name: safeName, schema: strict ? closeObjects(converted) : converted, strict };
}

/** OpenAI accepts `^[a-zA-Z0-9_-]{1,64}$` as a response format name. */
export function toSchemaName(name: string): string {
  const sanitised = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return sanitised === "" ? "output" : sanitised;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Applies `transform` to every subschema, bottom-up, visiting only keywords that hold schemas
 * (so `enum`, `const`, `default` values and property *names* are never mistaken for schemas).
 */
function mapSchema(node: JsonObject, transform: (node: JsonObject) => JsonObject): JsonObject {
  const result: JsonObject = { ...node };
  for (const keyword of SUBSCHEMA_KEYWORDS) {
    const value = node[keyword];
    if (isJsonObject(value)) result[keyword] = mapSchema(value, transform);
  }
  for (const keyword of SUBSCHEMA_LIST_KEYWORDS) {
    const value = node[keyword];
    if (Array.isArray(value)) result[keyword] = value.map((item: unknown) => (isJsonObject(item) ? mapSchema(item, transform) : item));
  }
  for (const keyword of SUBSCHEMA_MAP_KEYWORDS) {
    const value = node[keyword];
    if (isJsonObject(value)) {
      result[keyword] = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isJsonObject(item) ? mapSchema(item, transform) : item]));
    }
  }
  return transform(result);
}

/** Every subschema, the node itself included. */
function collectSchemas(node: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  mapSchema(node, (subschema) => {
    found.push(subschema);
    return subschema;
  });
  return found;
}

// zod writes discriminated unions as `oneOf`, which strict mode refuses; `anyOf` says the same
// thing for the model, and zod still checks that exactly one branch matches.
function convertNode(node: JsonObject): JsonObject {
  return mapSchema(node, (subschema) => {
    if (!Array.isArray(subschema.oneOf) || subschema.anyOf !== undefined) return subschema;
    const { oneOf, ...rest } = subschema;
    return { ...rest, anyOf: oneOf };
  });
}

function isObjectSchema(node: JsonObject): boolean {
  return node.type === "object" || isJsonObject(node.properties);
}

function isStrictCompatible(root: JsonObject): boolean {
  return collectSchemas(root).every((node) => {
    if (NOT_STRICT_KEYWORDS.some((keyword) => node[keyword] !== undefined)) return false;
    if (!isObjectSchema(node)) return true;
    // Open objects (records, loose objects) cannot be strict: strict needs additionalProperties false.
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) return false;
    const properties = isJsonObject(node.properties) ? Object.keys(node.properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    return properties.every((property) => required.includes(property));
  });
}

function closeObjects(root: JsonObject): JsonObject {
  return mapSchema(root, (node) => (isObjectSchema(node) ? { ...node, additionalProperties: false } : node));
}
