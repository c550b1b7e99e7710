import { z } from "zod";
import { type AbsentPlan, removeAbsentNulls } from "./absent-fields.js";
import { BatonError, describeError } from "./errors.js";
import { mapSchema, type JsonObject } from "./json-schema-nodes.js";
import { toStrictSubset } from "./strict-schema.js";

/**
 * Turns a step's zod output schema into the JSON Schemas the model is asked for
 * (`ModelRequest.responseSchema`). Pure and free of the `openai` package: the core imports it.
 */

/** What `ModelRequest.responseSchema` carries. */
export interface ResponseSchema {
  name: string;
  /**
   * What strict structured outputs send: the schema in OpenAI's strict subset when `strict`,
   * otherwise the whole schema (and it is then never sent strict).
   */
  schema: Record<string, unknown>;
  strict: boolean;
  /**
   * The whole schema, every constraint kept and optional fields optional: what non-strict
   * `json_schema` sends and what the prompt shows in JSON mode and prompt-only mode. Absent: `schema`.
   */
  fullSchema?: Record<string, unknown>;
  /** Why the schema has no strict form, when it has none (logged once by the adapter). */
  notStrictReason?: string;
}

/** A step's output schema as the model is asked for it, and how its answer is read back. */
export interface CompiledOutputSchema {
  responseSchema: ResponseSchema;
  /** The parsed answer with each `null` that stands for an absent optional field removed, for zod. */
  restoreAbsentFields(answer: unknown): unknown;
}

/**
 * The JSON Schemas for `schema`, named `name` (sanitised to `^[a-zA-Z0-9_-]{1,64}$`).
 *
 * When the schema can be said in OpenAI's strict subset it is sent strict: optional fields
 * become required-and-nullable, constraints the subset lacks (`minLength`, `maxLength`, ...) move
 * into the field's description in words, and zod still checks every one of them. Otherwise it
 * is sent non-strict as it is, with the reason.
 *
 * Throws `CHAIN_INVALID` when the schema has types JSON cannot carry (dates, bigints, ...).
 */
export function compileOutputSchema(name: string, schema: z.ZodType): CompiledOutputSchema {
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
  const fullSchema = oneOfAsAnyOf(body);
  const strict = toStrictSubset(fullSchema);
  if (!strict.ok) {
    return {
      responseSchema: { name: safeName, schema: fullSchema, strict: false, fullSchema, notStrictReason: strict.reason },
      restoreAbsentFields: (answer) => answer,
    };
  }
  const plan: AbsentPlan = strict.absentPlan;
  return {
    responseSchema: { name: safeName, schema: strict.schema, strict: true, fullSchema },
    restoreAbsentFields: (answer) => removeAbsentNulls(answer, plan),
  };
}

/** The response schema alone (see `compileOutputSchema`). */
export function toResponseSchema(name: string, schema: z.ZodType): ResponseSchema {
  return compileOutputSchema(name, schema).responseSchema;
}

/** OpenAI accepts `^[a-zA-Z0-9_-]{1,64}$` as a response format name. */
export function toSchemaName(name: string): string {
  const sanitised = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return sanitised === "" ? "output" : sanitised;
}

// zod writes discriminated unions as `oneOf`, which strict mode refuses; `anyOf` says the same
// thing for the model, and zod still checks that exactly one branch matches.
function oneOfAsAnyOf(node: JsonObject): JsonObject {
  return mapSchema(node, (subschema) => {
    if (!Array.isArray(subschema.oneOf) || subschema.anyOf !== undefined) return subschema;
    const { oneOf, ...rest } = subschema;
    return { ...rest, anyOf: oneOf };
  });
}
