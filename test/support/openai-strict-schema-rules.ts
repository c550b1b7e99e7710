/**
 * What OpenAI's Chat Completions API refuses in a `response_format` of type `json_schema` with
 * `strict: true`, written from the structured-outputs guide, "Supported schemas"
 * (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas): the supported
 * types and keywords, "Root objects must not be anyOf and must be an object", "All fields must be
 * required", "additionalProperties: false must always be set in objects", the limits on nesting,
 * property count, total string size and enum size, and "Some type-specific keywords are not yet
 * supported" (allOf, not, dependentRequired, dependentSchemas, if, then, else).
 *
 * The messages follow the ones the API sends (an HTTP 400 whose error names the schema and the
 * JSON path as `In context=(...)`), e.g.
 * `Invalid schema for response_format 'cost-estimate': In context=('properties', 'currency'), 'minLength' is not permitted.`
 * and `$ref cannot have keywords {'description'}`. This file is written independently of
 * src/core/strict-schema.ts on purpose: a test of the sender against a copy of its own rules
 * would prove nothing.
 */

type Node = Record<string, unknown>;

const SUPPORTED_TYPES = new Set(["string", "number", "boolean", "integer", "object", "array", "null"]);
const ANY_TYPE_KEYWORDS = new Set(["type", "description", "title", "enum", "const", "anyOf", "$ref", "$defs"]);
const KEYWORDS_BY_TYPE: Record<string, ReadonlySet<string>> = {
  string: new Set(["pattern", "format"]),
  number: new Set(["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"]),
  integer: new Set(["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"]),
  array: new Set(["items", "minItems", "maxItems"]),
  object: new Set(["properties", "required", "additionalProperties"]),
  boolean: new Set(),
  null: new Set(),
};
const FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);

const MAX_NESTING = 10;
const MAX_PROPERTIES = 5000;
const MAX_STRING_TOTAL = 120_000;
const MAX_ENUM_VALUES = 1000;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function context(path: ReadonlyArray<string>): string {
  return `(${path.map((part) => `'${part}'`).join(", ")})`;
}

class Totals {
  properties = 0;
  strings = 0;
  enumValues = 0;
}

/** The first reason the API would refuse `schema` as a strict response format named `name`, or undefined. */
export function strictSchemaRefusal(name: string, schema: unknown): string | undefined {
  const prefix = `Invalid schema for response_format '${name}': `;
  if (!isNode(schema)) return `${prefix}schema must be a JSON Schema of 'type: "object"', got 'type: "${typeof schema}"'.`;
  if (schema.anyOf !== undefined || schema.type !== "object") {
    return `${prefix}schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type ?? "anyOf")}"'.`;
  }
  const totals = new Totals();
  const definitions = isNode(schema.$defs) ? schema.$defs : {};
  const problem = checkNode(schema, [], 1, definitions, totals) ?? checkDefinitions(definitions, totals);
  if (problem !== undefined) return `${prefix}${problem}`;
  if (totals.properties > MAX_PROPERTIES)
    return `${prefix}A schema may have up to ${MAX_PROPERTIES} object properties total; this one has ${totals.properties}.`;
  if (totals.strings > MAX_STRING_TOTAL)
    return `${prefix}Total string length of property names, definition names, enum values and const values exceeds ${MAX_STRING_TOTAL}.`;
  if (totals.enumValues > MAX_ENUM_VALUES)
    return `${prefix}A schema may have up to ${MAX_ENUM_VALUES} enum values across all enum properties; this one has ${totals.enumValues}.`;
  return undefined;
}

function checkDefinitions(definitions: Node, totals: Totals): string | undefined {
  for (const [definitionName, definition] of Object.entries(definitions)) {
    totals.strings += definitionName.length;
    if (!isNode(definition)) return `In context=('$defs', '${definitionName}'), a definition must be a schema.`;
    const problem = checkNode(definition, ["$defs", definitionName], 1, definitions, totals);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkNode(node: Node, path: ReadonlyArray<string>, depth: number, definitions: Node, totals: Totals): string | undefined {
  const where = `In context=${context(path)}, `;
  if (depth > MAX_NESTING) return `${where}the schema exceeds the maximum of ${MAX_NESTING} levels of nesting.`;

  if (node.$ref !== undefined) {
    const others = Object.keys(node).filter((key) => key !== "$ref");
    if (others.length > 0) return `context=${context(path)}, $ref cannot have keywords {${others.map((key) => `'${key}'`).join(", ")}}.`;
    if (typeof node.$ref !== "string" || !(node.$ref === "#" || (node.$ref.startsWith("#/$defs/") && Object.hasOwn(definitions, node.$ref.slice(8))))) {
      return `${where}reference ${JSON.stringify(node.$ref)} can't be resolved.`;
    }
    return undefined;
  }

  const types = typeof node.type === "string" ? [node.type] : Array.isArray(node.type) ? node.type.map(String) : [];
  for (const type of types) if (!SUPPORTED_TYPES.has(type)) return `${where}'${type}' is not a valid type.`;
  if (types.length === 0 && node.anyOf === undefined && node.enum === undefined && node.const === undefined) {
    return `${where}schema must have a 'type' key.`;
  }
  const allowed = new Set(ANY_TYPE_KEYWORDS);
  for (const type of types) for (const keyword of KEYWORDS_BY_TYPE[type] ?? []) allowed.add(keyword);
  for (const keyword of Object.keys(node)) {
    if (keyword === "$defs" && path.length > 0) return `${where}'$defs' is only permitted at the root.`;
    if (!allowed.has(keyword)) return `${where}'${keyword}' is not permitted.`;
  }
  if (typeof node.format === "string" && !FORMATS.has(node.format)) return `${where}'format' '${node.format}' is not permitted.`;

  if (node.const !== undefined) totals.strings += JSON.stringify(node.const).length;
  if (Array.isArray(node.enum)) {
    totals.enumValues += node.enum.length;
    const length = node.enum.reduce((sum: number, value: unknown) => sum + (typeof value === "string" ? value.length : JSON.stringify(value).length), 0);
    totals.strings += length;
    if (node.enum.length > 250 && length > 15_000)
      return `${where}an enum with more than 250 values may total at most 15000 characters; this one has ${length}.`;
  }

  if (Array.isArray(node.anyOf)) {
    for (const [index, branch] of node.anyOf.entries()) {
      if (!isNode(branch)) return `${where}anyOf[${index}] must be a schema.`;
      const problem = checkNode(branch, [...path, "anyOf", String(index)], depth, definitions, totals);
      if (problem !== undefined) return problem;
    }
  }

  if (types.includes("object")) {
    if (node.additionalProperties !== false) return `${where}'additionalProperties' is required to be supplied and to be false.`;
    const properties = isNode(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? node.required.map(String) : undefined;
    const names = Object.keys(properties);
    const missing = names.filter((name) => !(required ?? []).includes(name));
    if (required === undefined || missing.length > 0) {
      return `${where}'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0] ?? names[0] ?? ""}'.`;
    }
    const extra = required.find((name) => !names.includes(name));
    if (extra !== undefined) return `${where}Extra required key '${extra}' supplied.`;
    for (const [propertyName, property] of Object.entries(properties)) {
      totals.properties += 1;
      totals.strings += propertyName.length;
      if (!isNode(property)) return `${where}property '${propertyName}' must be a schema.`;
      const problem = checkNode(property, [...path, "properties", propertyName], depth + 1, definitions, totals);
      if (problem !== undefined) return problem;
    }
  }

  if (types.includes("array") && node.items !== undefined) {
    if (!isNode(node.items)) return `${where}'items' must be a schema.`;
    const problem = checkNode(node.items, [...path, "items"], depth + 1, definitions, totals);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
