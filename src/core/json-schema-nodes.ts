/**
 * JSON Schema as plain data: the node type and a walk over the keywords that hold subschemas,
 * shared by the response-schema conversion and the strict-subset rules.
 */

export type JsonObject = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SUBSCHEMA_KEYWORDS = [
  "items",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
];
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST_KEYWORDS = ["prefixItems", "anyOf", "oneOf", "allOf"];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP_KEYWORDS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Applies `transform` to every subschema, bottom-up, visiting only keywords that hold schemas
 * (so `enum`, `const`, `default` values and property *names* are never mistaken for schemas).
 */
export function mapSchema(node: JsonObject, transform: (node: JsonObject) => JsonObject): JsonObject {
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

export function isObjectSchema(node: JsonObject): boolean {
  return node.type === "object" || isJsonObject(node.properties);
}

/** The node's `type` as a list (`"string"` → `["string"]`, absent → `[]`). */
export function typesOf(node: JsonObject): string[] {
  if (typeof node.type === "string") return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((type): type is string => typeof type === "string");
  return [];
}

/** True when `null` is a valid value of the node as written (a null type, branch, enum value or const). */
export function acceptsNull(node: JsonObject): boolean {
  if (typesOf(node).includes("null")) return true;
  if (node.const === null) return true;
  if (Array.isArray(node.enum) && node.enum.includes(null)) return true;
  if (Array.isArray(node.anyOf)) return node.anyOf.some((branch) => isJsonObject(branch) && acceptsNull(branch));
  return false;
}

/** Path segments as OpenAI writes a schema error's context: `('properties', 'currency')`. */
export function formatSchemaContext(path: ReadonlyArray<string>): string {
  return `(${path.map((segment) => `'${segment}'`).join(", ")})`;
}
