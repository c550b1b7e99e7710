import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isBatonError } from "../../src/core/errors.js";
import { toResponseSchema, toSchemaName } from "../../src/core/response-schema.js";

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

  it("is not strict when a property is optional, anywhere", () => {
    const schema = z.object({ title: z.string(), nested: z.object({ note: z.string().optional() }) });

    const result = toResponseSchema("plan", schema);

    expect(result.strict).toBe(false);
    expect(result.schema).toMatchObject({ required: ["title", "nested"] });
    expect(result.schema.properties).toMatchObject({ nested: { properties: { note: { type: "string" } } } });
    expect(result.schema.properties).not.toHaveProperty("nested.required");
  });

  it("describes what the model must send: a defaulted field is optional, a transform by its input", () => {
    const schema = z.object({ count: z.string().transform(Number), mode: z.string().default("fast") });

    const result = toResponseSchema("input-side", schema);

    expect(result.strict).toBe(false);
    expect(result.schema).toMatchObject({ properties: { count: { type: "string" } }, required: ["count"] });
  });

  it("is not strict for open objects (records)", () => {
    const result = toResponseSchema("costs", z.object({ byService: z.record(z.string(), z.number()) }));

    expect(result.strict).toBe(false);
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
