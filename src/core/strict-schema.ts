import { acceptsNull, formatSchemaContext, isJsonObject, type JsonObject } from "./json-schema-nodes.js";
import type { AbsentPlan, PropertyPlan } from "./absent-fields.js";

/**
 * OpenAI's strict structured outputs accept a documented subset of JSON Schema: the
 * structured-outputs guide, "Supported schemas"
 * (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas). A server that
 * enforces it answers HTTP 400 for anything else, so the schema baton sends in strict mode is
 * rewritten into that subset here, and every constraint the subset cannot carry stays enforced by
 * zod on our side (and is said in words in the field's description, so the model still knows).
 */

/** The guide's limits ("Objects have limitations on nesting depth and size", "Limitations on total string size", "Limitations on enum size"). */
export const STRICT_SCHEMA_LIMITS = {
  maxNestingDepth: 10,
  maxObjectProperties: 5000,
  /** Property names, definition names, enum values and const values, added up. */
  maxTotalStringLength: 120_000,
  maxEnumValues: 1000,
  /** A single string enum over this many values… */
  largeEnumValueCount: 250,
  /** …may hold at most this many characters in all. */
  largeEnumMaxLength: 15_000,
} as const;

/** The string formats the guide lists as supported. */
export const STRICT_STRING_FORMATS: ReadonlySet<string> = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);

/** Keywords the guide names as supported, for any type. */
const GENERAL_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "description",
  "title",
]);
/** Type-specific keywords the guide lists under "Supported properties". */
const STRING_KEYWORDS = new Set(["pattern", "format"]);
const NUMBER_KEYWORDS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);
const ARRAY_KEYWORDS = new Set(["minItems", "maxItems"]);
/** Annotations that carry nothing the model needs; dropped. */
const DROPPED_KEYWORDS = new Set(["$schema", "$id", "id", "$comment", "readOnly", "writeOnly", "deprecated", "contentEncoding", "contentMediaType"]);
/** Keywords that change what is valid in ways the subset cannot say, even in words: such a schema is sent non-strict. */
const STRUCTURAL_KEYWORDS = new Set([
  "allOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "dependentRequired",
  "dependentSchemas",
  "patternProperties",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
  "prefixItems",
  "contains",
  "definitions",
]);

/** The schema in the strict subset, with what the answer needs before zod reads it. */
export type StrictConversion = { ok: true; schema: JsonObject; absentPlan: AbsentPlan } | { ok: false; reason: string };

class NotStrict extends Error {}

/**
 * `schema` (a full JSON Schema whose `oneOf` were already written as `anyOf`) in the strict
 * subset, or why it has none. Every property becomes required; an optional one becomes nullable
 * and `absentPlan` says where a `null` means "absent" again.
 */
export function toStrictSubset(schema: JsonObject): StrictConversion {
  if (schema.type !== "object" || schema.anyOf !== undefined) {
    return { ok: false, reason: "the root of the schema is not an object (strict mode needs an object root, not anyOf)" };
  }
  const converter = new StrictConverter();
  try {
    const converted = converter.node(schema, [], 1);
    const definitions = schema.$defs;
    const definitionPlans: Record<string, AbsentPlan> = {};
    if (isJsonObject(definitions)) {
      const strictDefinitions: JsonObject = {};
      for (const [name, definition] of Object.entries(definitions)) {
        if (!isJsonObject(definition)) throw new NotStrict(`the definition "${name}" is not a schema`);
        converter.countString(name);
        const result = converter.node(definition, ["$defs", name], 1);
        strictDefinitions[name] = result.schema;
        definitionPlans[name] = result.plan;
      }
      converted.schema.$defs = strictDefinitions;
    }
    converter.checkTotals();
    return { ok: true, schema: converted.schema, absentPlan: { ...converted.plan, definitions: definitionPlans } };
  } catch (error) {
    if (error instanceof NotStrict) return { ok: false, reason: error.message };
    throw error;
  }
}

class StrictConverter {
  #properties = 0;
  #stringLength = 0;
  #enumValues = 0;

  countString(text: string): void {
    this.#stringLength += text.length;
  }

  checkTotals(): void {
    const limits = STRICT_SCHEMA_LIMITS;
    if (this.#properties > limits.maxObjectProperties)
      throw new NotStrict(`it has ${this.#properties} object properties, over the ${limits.maxObjectProperties} strict mode allows`);
    if (this.#stringLength > limits.maxTotalStringLength) {
      throw new NotStrict(
        `its property names, definition names, enum and const values add up to ${this.#stringLength} characters, over the ${limits.maxTotalStringLength} strict mode allows`,
      );
    }
    if (this.#enumValues > limits.maxEnumValues)
      throw new NotStrict(`it has ${this.#enumValues} enum values, over the ${limits.maxEnumValues} strict mode allows`);
  }

  node(source: JsonObject, path: ReadonlyArray<string>, depth: number): { schema: JsonObject; plan: AbsentPlan } {
    if (depth > STRICT_SCHEMA_LIMITS.maxNestingDepth) {
      throw new NotStrict(`it nests deeper than the ${STRICT_SCHEMA_LIMITS.maxNestingDepth} levels strict mode allows, at ${formatSchemaContext(path)}`);
    }
    if ((source.type === "object" || isJsonObject(source.properties)) && source.additionalProperties !== undefined && source.additionalProperties !== false) {
      throw new NotStrict(
        `the object at ${formatSchemaContext(path)} allows keys of any name (a record or a loose object); strict mode needs every key listed`,
      );
    }
    const result: JsonObject = {};
    const plan: AbsentPlan = {};
    const words: string[] = [];
    for (const [keyword, value] of Object.entries(source)) {
      if (DROPPED_KEYWORDS.has(keyword) || keyword === "$defs") continue;
      if (STRUCTURAL_KEYWORDS.has(keyword)) throw new NotStrict(`'${keyword}' at ${formatSchemaContext(path)} has no equivalent in strict mode`);
      if (GENERAL_KEYWORDS.has(keyword) || STRING_KEYWORDS.has(keyword) || NUMBER_KEYWORDS.has(keyword) || ARRAY_KEYWORDS.has(keyword)) {
        result[keyword] = value;
        continue;
      }
      const sentence = inWords(keyword, value, source);
      if (sentence === undefined) throw new NotStrict(`'${keyword}' at ${formatSchemaContext(path)} is not in the strict subset`);
      if (sentence !== "") words.push(sentence);
    }
    if (typeof result.format === "string" && !STRICT_STRING_FORMATS.has(result.format)) {
      words.push(`Must be in ${result.format} format.`);
      delete result.format;
    }
    if (result.type === undefined && result.anyOf === undefined && result.enum === undefined && result.const === undefined && result.$ref === undefined) {
      throw new NotStrict(`the field at ${formatSchemaContext(path)} may hold any type; strict mode needs a type`);
    }
    this.#countValues(result, path);
    if (typeof result.$ref === "string") {
      if (result.$ref !== "#" && !result.$ref.startsWith("#/$defs/"))
        throw new NotStrict(`the reference ${result.$ref} at ${formatSchemaContext(path)} is not to the schema's own $defs`);
      plan.ref = result.$ref === "#" ? "#" : result.$ref.slice("#/$defs/".length);
      // A reference stands alone: siblings of $ref are not in the guide's examples.
      return { schema: { $ref: result.$ref }, plan };
    }
    if (Array.isArray(result.anyOf)) {
      const branches = result.anyOf.map((branch, index) => {
        if (!isJsonObject(branch)) throw new NotStrict(`anyOf[${index}] at ${formatSchemaContext(path)} is not a schema`);
        return this.node(branch, [...path, "anyOf", String(index)], depth);
      });
      result.anyOf = branches.map((branch) => branch.schema);
      plan.anyOf = branches.map((branch) => branch.plan);
    }
    if (result.type === "object" || isJsonObject(result.properties)) this.#object(result, plan, path, depth);
    if (isJsonObject(result.items)) {
      const items = this.node(result.items, [...path, "items"], depth + 1);
      result.items = items.schema;
      plan.items = items.plan;
    } else if (result.items !== undefined) {
      throw new NotStrict(`'items' at ${formatSchemaContext(path)} is not a single schema`);
    }
    if (words.length > 0) {
      const described = typeof result.description === "string" && result.description.trim() !== "" ? result.description.trim() : undefined;
      result.description = [described === undefined ? undefined : /[.!?]$/.test(described) ? described : `${described}.`, ...words]
        .filter((part) => part !== undefined)
        .join(" ");
    }
    return { schema: result, plan };
  }

  #object(result: JsonObject, plan: AbsentPlan, path: ReadonlyArray<string>, depth: number): void {
    const source = isJsonObject(result.properties) ? result.properties : {};
    const required = new Set(Array.isArray(result.required) ? result.required.filter((name): name is string => typeof name === "string") : []);
    const properties: JsonObject = {};
    const propertyPlans: Record<string, PropertyPlan> = {};
    for (const [name, property] of Object.entries(source)) {
      if (!isJsonObject(property)) throw new NotStrict(`the property "${name}" at ${formatSchemaContext(path)} is not a schema`);
      this.#properties += 1;
      this.countString(name);
      const converted = this.node(property, [...path, "properties", name], depth + 1);
      const optional = !required.has(name);
      // Strict mode has no optional keys: an optional field is sent required and nullable, and
      // a null in the answer is read as "absent" again before zod parses it.
      const nullMeansAbsent = optional && !acceptsNull(converted.schema);
      properties[name] = nullMeansAbsent ? { anyOf: [converted.schema, { type: "null" }] } : converted.schema;
      if (nullMeansAbsent || hasPlan(converted.plan)) propertyPlans[name] = { nullMeansAbsent, plan: converted.plan };
    }
    result.type = "object";
    result.properties = properties;
    const names = Object.keys(properties);
    result.required = names;
    result.additionalProperties = false;
    plan.keys = names;
    if (Object.keys(propertyPlans).length > 0) plan.properties = propertyPlans;
  }

  #countValues(node: JsonObject, path: ReadonlyArray<string>): void {
    if (node.const !== undefined) this.countString(valueText(node.const));
    if (!Array.isArray(node.enum)) return;
    this.#enumValues += node.enum.length;
    const length = node.enum.reduce((total: number, value: unknown) => total + valueText(value).length, 0);
    this.#stringLength += length;
    const limits = STRICT_SCHEMA_LIMITS;
    if (node.enum.length > limits.largeEnumValueCount && node.enum.every((value) => typeof value === "string") && length > limits.largeEnumMaxLength) {
      throw new NotStrict(
        `the enum at ${formatSchemaContext(path)} has ${node.enum.length} values of ${length} characters in all, over the ${limits.largeEnumMaxLength} strict mode allows past ${limits.largeEnumValueCount} values`,
      );
    }
  }
}

function hasPlan(plan: AbsentPlan): boolean {
  return plan.properties !== undefined || plan.items !== undefined || plan.ref !== undefined || plan.anyOf?.some(hasPlan) === true;
}

function valueText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

/**
 * A constraint outside the subset as a sentence for the field's description ("" to drop it
 * silently), or `undefined` when the keyword is unknown: then the schema is not sent strict.
 */
function inWords(keyword: string, value: unknown, node: JsonObject): string | undefined {
  const count = typeof value === "number" ? value : undefined;
  switch (keyword) {
    case "minLength":
      if (count !== undefined && node.maxLength === count) return `Must be exactly ${characters(count)}.`;
      return count === undefined || count === 0 ? "" : `Must be at least ${characters(count)}.`;
    case "maxLength":
      if (count !== undefined && node.minLength === count) return "";
      return count === undefined ? "" : `Must be at most ${characters(count)}.`;
    case "minProperties":
      return count === undefined ? "" : `Must have at least ${count} keys.`;
    case "maxProperties":
      return count === undefined ? "" : `Must have at most ${count} keys.`;
    case "uniqueItems":
      return value === true ? "Items must all be different." : "";
    case "default":
      return `Use ${JSON.stringify(value)} when there is nothing better.`;
    case "examples":
      return Array.isArray(value) && value.length > 0 ? `For example: ${value.map((example) => JSON.stringify(example)).join(", ")}.` : "";
    default:
      return undefined;
  }
}

function characters(count: number): string {
  return `${count} character${count === 1 ? "" : "s"}`;
}
