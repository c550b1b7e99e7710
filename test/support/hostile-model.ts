import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeReply } from "./fake-openai-server.js";
import { HOSTILE_TEXT } from "./injection-corpus.js";

/**
 * A model that answers every step with the chain's own example answer, every free-text string
 * in it carrying hostile markup — as far as the step's JSON Schema lets it (enums, patterns and
 * length limits are kept, so the answer still validates and reaches the approval card).
 */

const SHORT_HOSTILE = "<!channel> <@U0EVIL123> <https://evil.example|x>";

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

function poison(value: unknown, schema: JsonSchema | undefined): unknown {
  if (typeof value === "string") {
    if (schema === undefined || schema.enum !== undefined || schema.const !== undefined || schema.pattern !== undefined || schema.format !== undefined)
      return value;
    const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
    for (const hostile of [HOSTILE_TEXT, SHORT_HOSTILE]) if (value.length + hostile.length + 1 <= max) return `${value} ${hostile}`;
    return value;
  }
  const options = schema?.anyOf ?? (schema ? [schema] : []);
  if (Array.isArray(value)) return value.map((item) => poison(item, options.find((option) => option.items)?.items));
  if (typeof value === "object" && value !== null) {
    const properties = options.find((option) => option.properties)?.properties ?? {};
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, poison(item, properties[key])]));
  }
  return value;
}

/** Every chain's examples.json, by step id (a step id used by several chains keeps every candidate). */
function loadExamples(chainsDirectory: string): Map<string, unknown[]> {
  const byStep = new Map<string, unknown[]>();
  for (const chain of readdirSync(chainsDirectory)) {
    let examples: Record<string, unknown>;
    try {
      examples = JSON.parse(readFileSync(join(chainsDirectory, chain, "examples.json"), "utf8")) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const [step, example] of Object.entries(examples)) byStep.set(step, [...(byStep.get(step) ?? []), ...(Array.isArray(example) ? example : [example])]);
  }
  return byStep;
}

/** A fake-model fallback: the step is named by `response_format.json_schema.name`. */
export function hostileModel(chainsDirectory: string): (body: unknown) => FakeReply {
  const examples = loadExamples(chainsDirectory);
  return (body) => {
    const format = (body as { response_format?: { json_schema?: { name?: string; schema?: JsonSchema & { required?: string[] } } } }).response_format
      ?.json_schema;
    const candidates = examples.get(format?.name ?? "") ?? [];
    const required = format?.schema?.required ?? [];
    const example =
      candidates.find((candidate) => typeof candidate === "object" && candidate !== null && required.every((key) => key in candidate)) ?? candidates[0];
    if (example === undefined) return { kind: "status", status: 500, body: { error: { message: `no example for ${String(format?.name)}` } } };
    return { kind: "json", value: poison(example, format?.schema) };
  };
}
