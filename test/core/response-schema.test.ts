import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isBatonError } from "../../src/core/errors.js";
import { compileOutputSchema, toResponseSchema, toSchemaName } from "../../src/core/response-schema.js";
import { strictSchemaRefusal } from "../support/openai-strict-schema-rules.js";

describe("toResponseSchema", () => {
  it("makes a fully required schema strict and closes every object", () => {
    const schema = z.object({
      severity: z.enum(["low", "high"]),
      summary: z.string().describe("One sentence"),
      owner: z.string().nullable(),
      actions: z.array(z.object({ command: z.string(), risky: z.boolean() })),
    });

    const result = toResponseSchema("classify", schema);

    expect(result.strict).toBe(true);
    expect(result.name).toBe("classify");
    expect(result.schema).not.toHaveProperty("$schema");
    expect(result.schema).toEqual({
      type: "object",
      properties: {
        severity: { type: "string", enum: ["low", "high"] },
        summary: { type: "string", description: "One sentence" },
        owner: { type: ["string", "null"] },
        actions: {
          type: "array",
          items: {
            type: "object",
            properties: { command: { type: "string" }, risky: { type: "boolean" } },
            required: ["command", "risky"],
            additionalProperties: false,
          },
        },
      },
      required: ["severity", "summary", "owner", "actions"],
      additionalProperties: false,
    });
  });

  it("sends an optional field as required and nullable, and reads its null back as absent", () => {
    const schema = z.object({ title: z.string(), nested: z.object({ note: z.string().optional(), tags: z.array(z.string()).nullable().optional() }) });

    const compiled = compileOutputSchema("plan", schema);

    expect(compiled.responseSchema.strict).toBe(true);
    expect(strictSchemaRefusal("plan", compiled.responseSchema.schema)).toBeUndefined();
    expect(compiled.responseSchema.schema).toMatchObject({
      properties: { nested: { required: ["note", "tags"], properties: { note: { anyOf: [{ type: "string" }, { type: "null" }] } } } },
    });
    // A field zod already lets be null keeps its null: it means null, not absent.
    const restored = compiled.restoreAbsentFields({ title: "t", nested: { note: null, tags: null } });
    expect(restored).toEqual({ title: "t", nested: { tags: null } });
    expect(schema.safeParse(restored).success).toBe(true);
    // The whole schema, for the modes that are not strict, keeps the field optional.
    expect(compiled.responseSchema.fullSchema).toMatchObject({ properties: { nested: { properties: { note: { type: "string" } } } } });
    expect(compiled.responseSchema.fullSchema).not.toHaveProperty("properties.nested.required");
  });

  it("moves constraints outside the strict subset into the description in words; zod still checks them", () => {
    const schema = z.object({
      currency: z.string().length(3).describe("ISO 4217 code"),
      summary: z.string().min(20).max(400),
      link: z.url(),
      steps: z.array(z.string().min(1)).min(1).max(10),
      count: z.number().int().min(0).max(99),
    });

    const { responseSchema } = compileOutputSchema("cost-estimate", schema);

    expect(responseSchema.strict).toBe(true);
    expect(strictSchemaRefusal("cost-estimate", responseSchema.schema)).toBeUndefined();
    const properties = responseSchema.schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.currency).toEqual({ type: "string", description: "ISO 4217 code. Must be exactly 3 characters." });
    expect(properties.summary).toEqual({ type: "string", description: "Must be at least 20 characters. Must be at most 400 characters." });
    expect(properties.link).toMatchObject({ type: "string", description: "Must be in uri format." });
    expect(properties.link).not.toHaveProperty("format");
    expect(properties.steps).toMatchObject({
      type: "array",
      minItems: 1,
      maxItems: 10,
      items: { type: "string", description: "Must be at least 1 character." },
    });
    expect(properties.count).toMatchObject({ type: "integer", minimum: 0, maximum: 99 });
    expect(schema.safeParse({ currency: "EURO", summary: "short", link: "x", steps: [], count: 1 }).success).toBe(false);
  });

  it("describes what the model must send: a defaulted field is optional, a transform by its input", () => {
    const schema = z.object({ count: z.string().transform(Number), mode: z.string().default("fast") });

    const compiled = compileOutputSchema("input-side", schema);

    expect(compiled.responseSchema.strict).toBe(true);
    expect(compiled.responseSchema.schema).toMatchObject({
      properties: {
        count: { type: "string" },
        mode: { anyOf: [{ type: "string", description: 'Use "fast" when there is nothing better.' }, { type: "null" }] },
      },
      required: ["count", "mode"],
    });
    expect(schema.parse(compiled.restoreAbsentFields({ count: "3", mode: null }))).toEqual({ count: 3, mode: "fast" });
  });

  it("a reference stands alone, as strict mode requires ($ref cannot have keywords)", () => {
    const shared = z.object({ name: z.string() }).describe("A person").meta({ id: "person" });
    const { responseSchema } = compileOutputSchema("people", z.object({ owner: shared, reviewer: shared.optional() }));

    expect(responseSchema.strict).toBe(true);
    expect(strictSchemaRefusal("people", responseSchema.schema)).toBeUndefined();
  });

  it("is sent non-strict, with the reason, when the subset cannot say it", () => {
    const anything = compileOutputSchema("loose", z.object({ value: z.unknown() }));
    expect(anything.responseSchema.strict).toBe(false);
    expect(anything.responseSchema.notStrictReason).toMatch(/value.*any type/);

    const tuple = compileOutputSchema("pair", z.object({ pair: z.tuple([z.string(), z.number()]) }));
    expect(tuple.responseSchema.strict).toBe(false);
    expect(tuple.responseSchema.notStrictReason).toMatch(/prefixItems/);

    const huge = compileOutputSchema("huge", z.object({ pick: z.enum(Array.from({ length: 1001 }, (_, index) => `value-${index}`) as [string, ...string[]]) }));
    expect(huge.responseSchema.strict).toBe(false);
    expect(huge.responseSchema.notStrictReason).toMatch(/1001 enum values/);
  });

  it("is not strict for open objects (records)", () => {
    const result = toResponseSchema("costs", z.object({ byService: z.record(z.string(), z.number()) }));

    expect(result.strict).toBe(false);
    expect(result.notStrictReason).toMatch(/byService.*keys of any name/);
    expect(result.schema).toMatchObject({ properties: { byService: { additionalProperties: { type: "number" } } } });
  });

  it("is not strict when the root is not an object", () => {
    expect(toResponseSchema("list", z.array(z.object({ a: z.string() }))).strict).toBe(false);
  });

  it("writes discriminated unions as anyOf, which strict mode accepts", () => {
    const schema = z.object({
      outcome: z.discriminatedUnion("kind", [z.object({ kind: z.literal("fixed") }), z.object({ kind: z.literal("escalate"), team: z.string() })]),
    });

    const result = toResponseSchema("outcome", schema);

    expect(result.strict).toBe(true);
    const outcome = (result.schema.properties as Record<string, Record<string, unknown>>).outcome;
    expect(outcome).not.toHaveProperty("oneOf");
    expect(outcome?.anyOf).toEqual([
      { type: "object", properties: { kind: { type: "string", const: "fixed" } }, required: ["kind"], additionalProperties: false },
      {
        type: "object",
        properties: { kind: { type: "string", const: "escalate" }, team: { type: "string" } },
        required: ["kind", "team"],
        additionalProperties: false,
      },
    ]);
  });

  it("does not mistake a property named like a keyword for a schema", () => {
    const schema = z.object({ properties: z.object({ items: z.string() }), required: z.array(z.string()) });

    const result = toResponseSchema("keywords", schema);

    expect(result.strict).toBe(true);
    expect(result.schema).toMatchObject({
      properties: { properties: { properties: { items: { type: "string" } }, required: ["items"], additionalProperties: false } },
      additionalProperties: false,
    });
  });

  it("keeps recursive schemas as references", () => {
    interface TreeNode {
      label: string;
      children: TreeNode[];
    }
    const node: z.ZodType<TreeNode> = z.lazy(() => z.object({ label: z.string(), children: z.array(node) }));

    const result = toResponseSchema("tree", z.object({ root: node }));

    expect(result.strict).toBe(true);
    expect(JSON.stringify(result.schema)).toContain('"$ref"');
    const definitions = Object.values(result.schema.$defs as Record<string, Record<string, unknown>>);
    expect(definitions[0]).toMatchObject({ additionalProperties: false, required: ["label", "children"] });
  });

  it("refuses types JSON cannot carry, with CHAIN_INVALID and a fix", () => {
    let caught: unknown;
    try {
      toResponseSchema("dated", z.object({ at: z.date() }));
    } catch (error) {
      caught = error;
    }

    expect(isBatonError(caught, "CHAIN_INVALID")).toBe(true);
    expect((caught as Error).message).toMatch(/dated.*z\.iso\.datetime\(\)/s);
  });

  it("sanitises the name to what OpenAI accepts", () => {
    expect(toSchemaName("incident-response.classify step")).toBe("incident-response_classify_step");
    expect(toSchemaName("")).toBe("output");
    expect(toSchemaName("x".repeat(80))).toHaveLength(64);
    expect(toResponseSchema("a.b", z.object({})).name).toBe("a_b");
  });
});

describe("the strict fake of OpenAI refuses what the real API refuses", () => {
  it("refuses minLength with the API's own words, as every shipped chain met it", () => {
    const schema = { type: "object", properties: { currency: { type: "string", minLength: 3 } }, required: ["currency"], additionalProperties: false };
    expect(strictSchemaRefusal("cost-estimate", schema)).toBe(
      "Invalid schema for response_format 'cost-estimate': In context=('properties', 'currency'), 'minLength' is not permitted.",
    );
  });

  it("refuses open objects, missing required keys, a $ref with siblings, and a non-object root", () => {
    expect(strictSchemaRefusal("s", { type: "object", properties: {} })).toMatch(/'additionalProperties' is required to be supplied and to be false/);
    expect(strictSchemaRefusal("s", { type: "object", properties: { a: { type: "string" } }, required: [], additionalProperties: false })).toMatch(
      /Missing 'a'/,
    );
    expect(
      strictSchemaRefusal("s", {
        type: "object",
        properties: { a: { $ref: "#/$defs/x", description: "d" } },
        required: ["a"],
        additionalProperties: false,
        $defs: { x: { type: "string" } },
      }),
    ).toMatch(/\$ref cannot have keywords \{'description'\}/);
    expect(strictSchemaRefusal("s", { type: "array", items: { type: "string" } })).toMatch(/must be a JSON Schema of 'type: "object"'/);
  });
});
