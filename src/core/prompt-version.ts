import type { ModelRequest } from "./ports.js";

/**
 * What makes a model step answer the way it does, apart from the run's data: the system prompt
 * as sent, the output schema as sent, the model asked for and the sampling settings. The user
 * prompt is left out on purpose — it carries the run's data, so every run would be a version.
 */
export interface PromptVersionParts {
  system: string;
  responseSchema: ModelRequest["responseSchema"];
  model: string;
  temperature: number | undefined;
}

const PREFIX = "pv-";

/** JSON with object keys sorted, so the same schema written in another key order hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A prompt version fingerprint (`pv-` and 12 hex digits of a 64-bit FNV-1a hash). A chain change that alters
 * a step's system prompt, schema, model or temperature gives a new version without anyone
 * bumping a number. A system prompt that is a function of the run's data makes every run its
 * own version: keep data in the user prompt.
 */
export function promptVersionOf(parts: PromptVersionParts): string {
  const fingerprint = canonicalJson({
    system: parts.system,
    schema: { name: parts.responseSchema.name, strict: parts.responseSchema.strict, schema: parts.responseSchema.schema },
    model: parts.model,
    temperature: parts.temperature ?? null,
  });
  return PREFIX + fingerprintHex(fingerprint);
}

/**
 * 12 hex digits of a 64-bit FNV-1a hash of the text's UTF-16 code units: a fingerprint that tells
 * versions apart, not a security measure, computed here so the core needs no crypto module.
 */
function fingerprintHex(text: string): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, "0").slice(0, 12);
}

// Versions are computed once per step and model: the system prompt is the same for every call.
const cache = new WeakMap<object, Map<string, string>>();

/** `promptVersionOf`, remembered per step object (a static system prompt renders the same each time). */
export function promptVersionFor(step: object, parts: PromptVersionParts): string {
  let byKey = cache.get(step);
  if (!byKey) {
    byKey = new Map();
    cache.set(step, byKey);
  }
  const key = `${parts.model}\u0000${String(parts.temperature)}\u0000${parts.system}`;
  let version = byKey.get(key);
  if (version === undefined) {
    version = promptVersionOf(parts);
    byKey.set(key, version);
  }
  return version;
}
